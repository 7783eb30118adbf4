#ifndef CCONVLABSUPPORT_H
#define CCONVLABSUPPORT_H

/// CPU features that decide which OpenBLAS kernel can run here, read with cpuid and
/// xgetbv (the OS must also save the wide registers, so cpuid bits alone are not enough).
typedef struct {
  int sse42, avx, avx2, fma, avx512f, avx512bw, avx512dq, avx512vl;
  char vendor[13];
} convlab_cpu_features;

convlab_cpu_features convlab_detect_cpu_features(void);

/* Makes stdout line-buffered, so progress lines reach logs and pipes as they are printed
   (Swift 6 cannot name the C global `stdout` safely). */
void convlab_line_buffer_stdout(void);

/// glibc's mallopt(M_MMAP_THRESHOLD / M_TRIM_THRESHOLD); a value ≤ 0 leaves that one alone.
/// Returns 1 on success, 0 where the C library is not glibc or refuses.
int convlab_set_malloc_thresholds(int mmap_threshold, int trim_threshold);

/// σ(x) = 1/(1 + e^{−x}) on n floats: AVX2 + FMA where the CPU has them, unless `baseline`
/// (non-zero: the SSE2 compilation, which tests check too).
void convlab_sigmoid_f32(const float *x, float *y, long n, int baseline);
/// dz/dx = dz/dy ∘ σ(x)(1 − σ(x)) on n floats (`baseline` as above).
void convlab_sigmoid_backward_f32(const float *x, const float *dzdy, float *dzdx, long n, int baseline);
/// "avx2+fma" or "baseline": which compilation of the two above runs here.
const char *convlab_sigmoid_variant(void);

#endif
