// im2row's and row2im's inner loops for Float32 (ConvLabBlocks/Fast/PatchMatrix.swift works out
// the plan; the blocked forward pass and the im2row + OpenBLAS path both call these): for every
// channel and spatial tap, a short list of copies (some masked: entries that are padding for
// their image column become zero) and zero fills. A block of φ holds only ~64 patch rows, so a
// copy is ~60 floats; here each is an inline AVX2 loop (8 floats per step) instead of a call to
// memcpy or memset.
#include "CConvLabSupport.h"

// A tap's fills come in increasing, non-overlapping row order (PatchMatrix.plan builds them so),
// so a block's window starts at the first fill that ends after `first` (a binary search: a
// strided layer has ~3 fills per output column per tap, and scanning them all for every block
// cost the 7×7 stride-2 stem a sixth of its forward pass) and stops at the first that starts
// after the window.
static inline long first_fill(const convlab_im2row_fill *fills, long lo, long hi, long first) {
  while (lo < hi) {
    long mid = lo + (hi - lo) / 2;
    if (fills[mid].target + fills[mid].count <= first) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Channels run innermost: every channel repeats its spatial tap's fills exactly (only the
// input plane and the buffer column move), so the branches on each fill's kind and length
// repeat D times in a row and predict well. Each fill is first clipped to rows first ..< first +
// count (a block of the blocked forward pass; the whole image otherwise).
#define APPLY_FILLS(COPY, MASKED_COPY, ZERO)                                                      \
  for (long t = 0; t < spatial; t++) {                                                            \
    for (long i = first_fill(fills, starts[t], starts[t + 1], first); i < starts[t + 1]; i++) {   \
      const convlab_im2row_fill f = fills[i];                                                     \
      if (f.target >= first + count) break;                                                       \
      long lo = f.target > first ? f.target : first;                                              \
      long hi = f.target + f.count < first + count ? f.target + f.count : first + count;          \
      if (lo >= hi) continue;                                                                     \
      const long skip = lo - f.target, n = hi - lo;                                               \
      float *out = buffer + t * ld + (lo - first);                                                \
      const float *source = x + f.source + step * skip;                                           \
      const long columns = spatial * ld; /* from channel c to c + 1 in the buffer */              \
      if (f.zero) {                                                                               \
        for (long c = 0; c < channels; c++) ZERO(out + c * columns, n);                           \
      } else if (f.mask >= 0) {                                                                   \
        for (long c = 0; c < channels; c++)                                                       \
          MASKED_COPY(out + c * columns, source + c * plane, masks + f.mask + skip, n);           \
      } else if (step == 1) {                                                                     \
        for (long c = 0; c < channels; c++) COPY(out + c * columns, source + c * plane, n);       \
      } else {                                                                                    \
        for (long c = 0; c < channels; c++)                                                       \
          for (long k = 0; k < n; k++) out[c * columns + k] = source[c * plane + step * k];       \
      }                                                                                           \
    }                                                                                             \
  }

#define PORTABLE_COPY(out, source, n) for (long k = 0; k < (n); k++) (out)[k] = (source)[k]
#define PORTABLE_MASKED_COPY(out, source, mask, n) for (long k = 0; k < (n); k++) (out)[k] = (mask)[k] ? (source)[k] : 0.0f
#define PORTABLE_ZERO(out, n) for (long k = 0; k < (n); k++) (out)[k] = 0.0f

static void im2row_portable(const float *x, long plane, long channels, long spatial, const long *starts,
                            const convlab_im2row_fill *fills, const int *masks, long step, long first, long count,
                            float *buffer, long ld) {
  APPLY_FILLS(PORTABLE_COPY, PORTABLE_MASKED_COPY, PORTABLE_ZERO)
}

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

// Tails (fewer than 8 floats) go 4 and then 1 at a time: AMD's Zen cores run masked AVX
// stores (vmaskmovps) as slow microcode, and a fill here is often only 10 or 14 floats long.

AVX2 static inline __attribute__((always_inline)) void copy8(float *out, const float *source, long n) {
  long k = 0;
  for (; k + 8 <= n; k += 8) _mm256_storeu_ps(out + k, _mm256_loadu_ps(source + k));
  if (k + 4 <= n) { _mm_storeu_ps(out + k, _mm_loadu_ps(source + k)); k += 4; }
  for (; k < n; k++) out[k] = source[k];
}

/// out = source AND mask: the entry where the mask is all ones, +0 where it is zero.
AVX2 static inline __attribute__((always_inline)) void masked_copy8(float *out, const float *source, const int *mask, long n) {
  long k = 0;
  for (; k + 8 <= n; k += 8) {
    __m256 keep = _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)(mask + k)));
    _mm256_storeu_ps(out + k, _mm256_and_ps(_mm256_loadu_ps(source + k), keep));
  }
  if (k + 4 <= n) {
    __m128 keep = _mm_castsi128_ps(_mm_loadu_si128((const __m128i *)(mask + k)));
    _mm_storeu_ps(out + k, _mm_and_ps(_mm_loadu_ps(source + k), keep));
    k += 4;
  }
  for (; k < n; k++) out[k] = mask[k] ? source[k] : 0.0f;
}

AVX2 static inline __attribute__((always_inline)) void zero8(float *out, long n) {
  long k = 0;
  for (; k + 8 <= n; k += 8) _mm256_storeu_ps(out + k, _mm256_setzero_ps());
  if (k + 4 <= n) { _mm_storeu_ps(out + k, _mm_setzero_ps()); k += 4; }
  for (; k < n; k++) out[k] = 0.0f;
}

AVX2 static void im2row_avx2(const float *x, long plane, long channels, long spatial, const long *starts,
                             const convlab_im2row_fill *fills, const int *masks, long step, long first, long count,
                             float *buffer, long ld) {
  APPLY_FILLS(copy8, masked_copy8, zero8)
}
#endif

void convlab_im2row_f32(const float *x, long plane, long channels, long spatial, const long *starts,
                        const convlab_im2row_fill *fills, const int *masks, long step, long first, long count,
                        float *buffer, long ld, int baseline) {
#if defined(__x86_64__)
  if (!baseline && convlab_cpu_has_avx2_fma()) {
    im2row_avx2(x, plane, channels, spatial, starts, fills, masks, step, first, count, buffer, ld);
    return;
  }
#endif
  im2row_portable(x, plane, channels, spatial, starts, fills, masks, step, first, count, buffer, ld);
}

// row2im: the adjoint of the loops above, with the same plan. Copies become accumulations into
// dx, zero fills are skipped. Channels run outermost here: a fill's input entries overlap other
// fills' (neighbouring patches share pixels), so the order of the additions into one channel
// stays the plan's.
// Each fill is clipped to rows first ..< first + count of φ (a block of the blocked backward
// pass; the whole image otherwise), as im2row clips it.
#define ADD_FILLS(ADD, MASKED_ADD)                                                                \
  for (long c = 0; c < channels; c++) {                                                           \
    float *channel = dx + c * plane;                                                              \
    for (long t = 0; t < spatial; t++) {                                                          \
      const float *column = buffer + (t + spatial * c) * ld;                                      \
      for (long i = first_fill(fills, starts[t], starts[t + 1], first); i < starts[t + 1]; i++) { \
        const convlab_im2row_fill f = fills[i];                                                   \
        if (f.target >= first + count) break;                                                     \
        if (f.zero) continue;                                                                     \
        long lo = f.target > first ? f.target : first;                                            \
        long hi = f.target + f.count < first + count ? f.target + f.count : first + count;       \
        if (lo >= hi) continue;                                                                   \
        const long skip = lo - f.target, n = hi - lo;                                             \
        if (f.mask >= 0) {                                                                        \
          MASKED_ADD(channel + f.source + skip, column + (lo - first), masks + f.mask + skip, n); \
        } else if (step == 1) {                                                                   \
          ADD(channel + f.source + skip, column + (lo - first), n);                               \
        } else {                                                                                  \
          for (long k = 0; k < n; k++) channel[f.source + step * (skip + k)] += column[lo - first + k]; \
        }                                                                                         \
      }                                                                                           \
    }                                                                                             \
  }

#define PORTABLE_ADD(out, in, n) for (long k = 0; k < (n); k++) (out)[k] += (in)[k]
#define PORTABLE_MASKED_ADD(out, in, mask, n) for (long k = 0; k < (n); k++) if ((mask)[k]) (out)[k] += (in)[k]

static void row2im_portable(const float *buffer, long ld, long plane, long channels, long spatial, const long *starts,
                            const convlab_im2row_fill *fills, const int *masks, long step, long first, long count,
                            float *dx) {
  ADD_FILLS(PORTABLE_ADD, PORTABLE_MASKED_ADD)
}

#if defined(__x86_64__)
AVX2 static inline __attribute__((always_inline)) void add8(float *out, const float *in, long n) {
  long k = 0;
  for (; k + 8 <= n; k += 8) _mm256_storeu_ps(out + k, _mm256_add_ps(_mm256_loadu_ps(out + k), _mm256_loadu_ps(in + k)));
  for (; k < n; k++) out[k] += in[k];
}

/// out += in AND mask: where the mask is zero, +0 is added.
AVX2 static inline __attribute__((always_inline)) void masked_add8(float *out, const float *in, const int *mask, long n) {
  long k = 0;
  for (; k + 8 <= n; k += 8) {
    __m256 keep = _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)(mask + k)));
    _mm256_storeu_ps(out + k, _mm256_add_ps(_mm256_loadu_ps(out + k), _mm256_and_ps(_mm256_loadu_ps(in + k), keep)));
  }
  for (; k < n; k++) if (mask[k]) out[k] += in[k];
}

AVX2 static void row2im_avx2(const float *buffer, long ld, long plane, long channels, long spatial, const long *starts,
                             const convlab_im2row_fill *fills, const int *masks, long step, long first, long count,
                             float *dx) {
  ADD_FILLS(add8, masked_add8)
}
#endif

void convlab_row2im_add_rows_f32(const float *buffer, long ld, long plane, long channels, long spatial,
                                 const long *starts, const convlab_im2row_fill *fills, const int *masks, long step,
                                 long first, long count, float *dx, int baseline) {
#if defined(__x86_64__)
  if (!baseline && convlab_cpu_has_avx2_fma()) {
    row2im_avx2(buffer, ld, plane, channels, spatial, starts, fills, masks, step, first, count, dx);
    return;
  }
#endif
  row2im_portable(buffer, ld, plane, channels, spatial, starts, fills, masks, step, first, count, dx);
}

void convlab_row2im_add_f32(const float *buffer, long ld, long plane, long channels, long spatial, const long *starts,
                            const convlab_im2row_fill *fills, const int *masks, long step, float *dx, int baseline) {
  // Every row of the whole image (fills end before `ld`, and ld ≥ their targets).
  convlab_row2im_add_rows_f32(buffer, ld, plane, channels, spatial, starts, fills, masks, step, 0, ld, dx, baseline);
}
