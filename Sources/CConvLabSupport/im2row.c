// im2row's inner loops for the Float32 blocked convolution (ConvLabBlocks/Fast/PatchMatrix.swift
// works out the plan, BlockedConvolution.swift calls this): for every channel and spatial tap,
// a short list of copies (some masked: entries that are padding for their image column become
// zero) and zero fills. A block of φ holds only ~64 patch rows, so a copy is ~60 floats; here
// each is an inline AVX2 loop (8 floats per step, a masked step for the tail) instead of a call
// to memcpy or memset.
#include "CConvLabSupport.h"

#define APPLY_FILLS(COPY, MASKED_COPY, ZERO)                                                                   \
  for (long c = 0; c < channels; c++) {                                                           \
    const float *channel = x + c * plane;                                                         \
    for (long t = 0; t < spatial; t++) {                                                          \
      float *column = buffer + (t + spatial * c) * ld;                                            \
      for (long i = starts[t]; i < starts[t + 1]; i++) {                                          \
        const convlab_im2row_fill *f = fills + i;                                                 \
        float *out = column + f->target;                                                          \
        if (f->zero) {                                                                            \
          ZERO(out, f->count);                                                                    \
        } else if (f->mask >= 0) {                                                                \
          MASKED_COPY(out, channel + f->source, masks + f->mask, f->count);                       \
        } else if (step == 1) {                                                                   \
          COPY(out, channel + f->source, f->count);                                               \
        } else {                                                                                  \
          const float *source = channel + f->source;                                              \
          for (long k = 0; k < f->count; k++) out[k] = source[step * k];                          \
        }                                                                                         \
      }                                                                                           \
    }                                                                                             \
  }

#define PORTABLE_COPY(out, source, n) for (long k = 0; k < (n); k++) (out)[k] = (source)[k]
#define PORTABLE_MASKED_COPY(out, source, mask, n) for (long k = 0; k < (n); k++) (out)[k] = (mask)[k] ? (source)[k] : 0.0f
#define PORTABLE_ZERO(out, n) for (long k = 0; k < (n); k++) (out)[k] = 0.0f

static void im2row_portable(const float *x, long plane, long channels, long spatial, const long *starts,
                            const convlab_im2row_fill *fills, const int *masks, long step, float *buffer, long ld) {
  APPLY_FILLS(PORTABLE_COPY, PORTABLE_MASKED_COPY, PORTABLE_ZERO)
}

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

/// Lanes k < n set (n ≤ 8).
AVX2 static inline __attribute__((always_inline)) __m256i first_lanes(long n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

AVX2 static inline __attribute__((always_inline)) void copy8(float *out, const float *source, long n) {
  long k = 0;
  for (; k + 8 <= n; k += 8) _mm256_storeu_ps(out + k, _mm256_loadu_ps(source + k));
  if (k < n) {
    __m256i mask = first_lanes(n - k);
    _mm256_maskstore_ps(out + k, mask, _mm256_maskload_ps(source + k, mask));
  }
}

/// out = source AND mask: the entry where the mask is all ones, +0 where it is zero.
AVX2 static inline __attribute__((always_inline)) void masked_copy8(float *out, const float *source, const int *mask, long n) {
  long k = 0;
  for (; k + 8 <= n; k += 8) {
    __m256 keep = _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)(mask + k)));
    _mm256_storeu_ps(out + k, _mm256_and_ps(_mm256_loadu_ps(source + k), keep));
  }
  if (k < n) {
    __m256i tail = first_lanes(n - k);
    __m256 keep = _mm256_castsi256_ps(_mm256_maskload_epi32(mask + k, tail));
    _mm256_maskstore_ps(out + k, tail, _mm256_and_ps(_mm256_maskload_ps(source + k, tail), keep));
  }
}

AVX2 static inline __attribute__((always_inline)) void zero8(float *out, long n) {
  if (n == 1) { *out = 0.0f; return; }
  long k = 0;
  for (; k + 8 <= n; k += 8) _mm256_storeu_ps(out + k, _mm256_setzero_ps());
  if (k < n) _mm256_maskstore_ps(out + k, first_lanes(n - k), _mm256_setzero_ps());
}

AVX2 static void im2row_avx2(const float *x, long plane, long channels, long spatial, const long *starts,
                             const convlab_im2row_fill *fills, const int *masks, long step, float *buffer, long ld) {
  APPLY_FILLS(copy8, masked_copy8, zero8)
}
#endif

void convlab_im2row_f32(const float *x, long plane, long channels, long spatial, const long *starts,
                        const convlab_im2row_fill *fills, const int *masks, long step, float *buffer, long ld) {
#if defined(__x86_64__)
  if (convlab_cpu_has_avx2_fma()) {
    im2row_avx2(x, plane, channels, spatial, starts, fills, masks, step, buffer, ld);
    return;
  }
#endif
  im2row_portable(x, plane, channels, spatial, starts, fills, masks, step, buffer, ld);
}
