#include "CConvLabSupport.h"
#include <stdlib.h> /* defines __GLIBC__ on glibc */
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int convlab_set_malloc_thresholds(int mmap_threshold, int trim_threshold) {
#if defined(__GLIBC__)
  int ok = 1;
  if (mmap_threshold > 0) ok &= mallopt(M_MMAP_THRESHOLD, mmap_threshold);
  if (trim_threshold > 0) ok &= mallopt(M_TRIM_THRESHOLD, trim_threshold);
  return ok;
#else
  (void)mmap_threshold;
  (void)trim_threshold;
  return 0;
#endif
}
