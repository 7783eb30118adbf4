// The logistic sigmoid σ(x) = 1/(1 + e^{−x}) and its derivative for Float32 tensors, compiled
// twice from one body: for baseline x86-64 (SSE2, 4 lanes) and, where the CPU has them, for
// AVX2 + FMA (8 lanes, fused multiply–adds), chosen at run time. Swift compiles a whole
// module for one target and has no per-function target attribute, so this one compute-bound
// kernel lives in C, as OpenBLAS's kernels do.
//
// e^x: Cody–Waite range reduction x = n ln 2 + r with |r| ≤ ½ ln 2 (ln 2 split into a part exact
// in Float and a correction), a degree-7 minimax polynomial for e^r (Cephes' expf coefficients),
// and 2ⁿ built in the exponent bits; relative error ≤ 2 ulp on [−87.3, 88.3], inputs clamped
// there (e^x is then ≥ 2¹²⁷ or ≤ 2⁻¹²⁶, which σ turns into 0 or 1 either way).
#include "CConvLabSupport.h"
#include <stdint.h>
#include <string.h>

// The baseline compilation passes 8-float vectors between static, always-inlined helpers; clang
// warns that such a call's ABI differs from an AVX build's, which cannot matter for functions
// that never leave this file.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

#define INLINE static inline __attribute__((always_inline))

// Everything that passes 8-float vectors is compiled once per target (the vector calling
// convention differs with AVX), so the helpers are defined inside the per-target macro too.
#define SIGMOID_KERNELS(S, ATTRIBUTE)                                                               \
  ATTRIBUTE INLINE v8f load8_##S(const float *p) { v8f v; memcpy(&v, p, sizeof v); return v; }      \
  ATTRIBUTE INLINE void store8_##S(float *p, v8f v) { memcpy(p, &v, sizeof v); }                    \
  ATTRIBUTE INLINE v8f select8_##S(v8i mask, v8f a, v8f b) {                                        \
    return (v8f)(((v8i)a & mask) | ((v8i)b & ~mask));                                               \
  }                                                                                                 \
  ATTRIBUTE INLINE v8f exp8_##S(v8f v) {                                                            \
    v8f x = select8_##S(v < -87.3f, (v8f){0} - 87.3f, v);                                           \
    x = select8_##S(x > 88.3f, (v8f){0} + 88.3f, x);                                                \
    v8f t = x * 1.44269504f + 12582912.0f; /* round(x / ln 2) in t's low mantissa bits */           \
    v8f n = t - 12582912.0f;                                                                        \
    v8f r = (x - n * 0.693359375f) - n * -2.12194440e-4f;                                           \
    v8f p = (v8f){0} + 1.9875691500e-4f;                                                            \
    p = p * r + 1.3981999507e-3f;                                                                   \
    p = p * r + 8.3334519073e-3f;                                                                   \
    p = p * r + 4.1665795894e-2f;                                                                   \
    p = p * r + 1.6666665459e-1f;                                                                   \
    p = p * r + 5.0000001201e-1f;                                                                   \
    p = p * r * r + r + 1.0f;                                                                       \
    v8i exponent = (((v8i)t) - 0x4B400000 + 127) << 23;                                             \
    return p * (v8f)exponent;                                                                       \
  }                                                                                                 \
  /* dz/dx = dz/dy ∘ σ(x)(1 − σ(x)) with 1 − σ(x) = e^{−x} σ(x), which keeps its relative           \
     accuracy where σ(x) rounds to 1 (x ≳ 9). */                                                    \
  ATTRIBUTE static void sigmoid_##S(const float *x, float *y, long n) {                             \
    long i = 0;                                                                                     \
    for (; i + 8 <= n; i += 8) store8_##S(y + i, 1.0f / (1.0f + exp8_##S(-load8_##S(x + i))));      \
    if (i < n) {                                                                                    \
      float in[8] = {0}, out[8];                                                                    \
      memcpy(in, x + i, (size_t)(n - i) * sizeof(float));                                           \
      store8_##S(out, 1.0f / (1.0f + exp8_##S(-load8_##S(in))));                                    \
      memcpy(y + i, out, (size_t)(n - i) * sizeof(float));                                          \
    }                                                                                               \
  }                                                                                                 \
  ATTRIBUTE static void sigmoid_backward_##S(const float *x, const float *g, float *d, long n) {    \
    long i = 0;                                                                                     \
    for (; i + 8 <= n; i += 8) {                                                                    \
      v8f e = exp8_##S(-load8_##S(x + i)), s = 1.0f / (1.0f + e);                                   \
      store8_##S(d + i, load8_##S(g + i) * (e * s) * s);                                            \
    }                                                                                               \
    if (i < n) {                                                                                    \
      float in[8] = {0}, grad[8] = {0}, out[8];                                                     \
      memcpy(in, x + i, (size_t)(n - i) * sizeof(float));                                           \
      memcpy(grad, g + i, (size_t)(n - i) * sizeof(float));                                         \
      v8f e = exp8_##S(-load8_##S(in)), s = 1.0f / (1.0f + e);                                      \
      store8_##S(out, load8_##S(grad) * (e * s) * s);                                               \
      memcpy(d + i, out, (size_t)(n - i) * sizeof(float));                                          \
    }                                                                                               \
  }

SIGMOID_KERNELS(baseline, )
#if defined(__x86_64__)
SIGMOID_KERNELS(avx2, __attribute__((target("avx2,fma"))))
#endif

/// Whether the AVX2 + FMA versions run here (the same cpuid/xgetbv test as OpenBLAS's choice).
static int use_avx2(void) {
#if defined(__x86_64__)
  return convlab_cpu_has_avx2_fma();
#else
  return 0;
#endif
}

void convlab_sigmoid_f32(const float *x, float *y, long n, int baseline) {
#if defined(__x86_64__)
  if (!baseline && use_avx2()) { sigmoid_avx2(x, y, n); return; }
#endif
  sigmoid_baseline(x, y, n);
}

void convlab_sigmoid_backward_f32(const float *x, const float *dzdy, float *dzdx, long n, int baseline) {
#if defined(__x86_64__)
  if (!baseline && use_avx2()) { sigmoid_backward_avx2(x, dzdy, dzdx, n); return; }
#endif
  sigmoid_backward_baseline(x, dzdy, dzdx, n);
}

const char *convlab_sigmoid_variant(void) { return use_avx2() ? "avx2+fma" : "baseline"; }
