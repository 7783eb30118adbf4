#include "CConvLabSupport.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long xgetbv0(void) {
  unsigned int eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}

convlab_cpu_features convlab_detect_cpu_features(void) {
  convlab_cpu_features f;
  memset(&f, 0, sizeof f);
  unsigned int a, b, c, d;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return f;
  unsigned int maxLeaf = a;
  memcpy(f.vendor + 0, &b, 4);
  memcpy(f.vendor + 4, &d, 4);
  memcpy(f.vendor + 8, &c, 4);
  f.vendor[12] = 0;
  __get_cpuid(1, &a, &b, &c, &d);
  int osxsave = (c >> 27) & 1;
  f.sse42 = (c >> 20) & 1;
  unsigned long long xcr0 = osxsave ? xgetbv0() : 0;
  int ymmSaved = (xcr0 & 0x6) == 0x6;      /* XMM and YMM state */
  int zmmSaved = (xcr0 & 0xE6) == 0xE6;    /* plus opmask, ZMM_Hi256, Hi16_ZMM */
  f.avx = ((c >> 28) & 1) && ymmSaved;
  f.fma = ((c >> 12) & 1) && ymmSaved;
  if (maxLeaf >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    f.avx2 = ((b >> 5) & 1) && ymmSaved;
    f.avx512f = ((b >> 16) & 1) && zmmSaved;
    f.avx512dq = ((b >> 17) & 1) && zmmSaved;
    f.avx512bw = ((b >> 30) & 1) && zmmSaved;
    f.avx512vl = ((b >> 31) & 1) && zmmSaved;
  }
  return f;
}
#else
convlab_cpu_features convlab_detect_cpu_features(void) {
  convlab_cpu_features f;
  memset(&f, 0, sizeof f);
  strcpy(f.vendor, "non-x86");
  return f;
}
#endif

int convlab_cpu_has_avx2_fma(void) {
  static int state = -1;  // benign race: every thread computes the same answer
  if (state < 0) {
    convlab_cpu_features f = convlab_detect_cpu_features();
    state = f.avx2 && f.fma;
  }
  return state;
}
