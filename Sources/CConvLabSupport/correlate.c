// The filter gradient of a stride-1 convolution with few input channels, as Xu (13) writes it:
// the correlation of the input with the error,
//
//     dz/df_{s k} = Σ_n Σ_t x_n[t + o_s] · δ_{n,k}[t]          (s a spatial tap, o_s its offset)
//
// where x_n is one channel of image n, padded and stored column by column (t = i + H_p j), and
// δ_{n,k} is output k's error spread over the same rows (zero on the rows that are not outputs:
// ConvLabBlocks/Fast/ShiftedFilterGradient.swift lays both out). Every entry is a dot product
// of length T; with one to thirty channels the GEMM form φᵀ dY has too few rows for the
// micro-kernel's 32-row tile (LeNet's C1: 6 filters of 25 taps), so the sums run along t
// instead, 16 lanes at a time: a tile of 4 taps × 3 outputs keeps twelve accumulators in
// registers, and each 16-row step loads 4 shifted slices of x and 3 of δ for 12 FMAs. The
// accumulators run over every image given before their lanes are added (one horizontal sum per
// entry and call), so few-pixel layers (C3: 136 rows per image) are not dominated by reductions.
//
// Sums run in a fixed order (images, then 16-row steps, then the lanes' fixed reduction tree), so
// a call's result depends only on its inputs and the instruction set.
#include "CConvLabSupport.h"

#define TB 4  // taps per tile
#define KB 3  // outputs per tile

typedef void (*correlate_tile)(long images, long length, const float *x, long x_stride, const long *offsets,
                               const float *dy, long dy_stride, long dy_plane, float *dw, long ldw);

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f")))
#define AVX2 __attribute__((target("avx2,fma")))

AVX512 static inline __attribute__((always_inline)) void tile512(long images, long length, const float *x, long x_stride,
                                                                 const long *offsets, const float *dy, long dy_stride,
                                                                 long dy_plane, float *dw, long ldw, const int tb,
                                                                 const int kb) {
  __m512 acc[TB][KB];
  for (int a = 0; a < tb; a++)
    for (int b = 0; b < kb; b++) acc[a][b] = _mm512_setzero_ps();
  for (long n = 0; n < images; n++) {
    const float *xn = x + n * x_stride, *dn = dy + n * dy_stride;
    for (long t = 0; t < length; t += 16) {
      __m512 g[KB];
      for (int b = 0; b < kb; b++) g[b] = _mm512_loadu_ps(dn + b * dy_plane + t);
      for (int a = 0; a < tb; a++) {
        __m512 v = _mm512_loadu_ps(xn + offsets[a] + t);
        for (int b = 0; b < kb; b++) acc[a][b] = _mm512_fmadd_ps(v, g[b], acc[a][b]);
      }
    }
  }
  for (int a = 0; a < tb; a++)
    for (int b = 0; b < kb; b++) dw[a + b * ldw] += _mm512_reduce_add_ps(acc[a][b]);
}

/// The eight lanes' sum in a fixed tree: halves, then quarters, then pairs.
AVX2 static inline __attribute__((always_inline)) float sum256(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

AVX2 static inline __attribute__((always_inline)) void tile256(long images, long length, const float *x, long x_stride,
                                                               const long *offsets, const float *dy, long dy_stride,
                                                               long dy_plane, float *dw, long ldw, const int tb,
                                                               const int kb) {
  __m256 acc[TB][KB];
  for (int a = 0; a < tb; a++)
    for (int b = 0; b < kb; b++) acc[a][b] = _mm256_setzero_ps();
  for (long n = 0; n < images; n++) {
    const float *xn = x + n * x_stride, *dn = dy + n * dy_stride;
    for (long t = 0; t < length; t += 8) {
      __m256 g[KB];
      for (int b = 0; b < kb; b++) g[b] = _mm256_loadu_ps(dn + b * dy_plane + t);
      for (int a = 0; a < tb; a++) {
        __m256 v = _mm256_loadu_ps(xn + offsets[a] + t);
        for (int b = 0; b < kb; b++) acc[a][b] = _mm256_fmadd_ps(v, g[b], acc[a][b]);
      }
    }
  }
  for (int a = 0; a < tb; a++)
    for (int b = 0; b < kb; b++) dw[a + b * ldw] += sum256(acc[a][b]);
}

// One compiled tile per (taps, outputs) shape of each instruction set: full tiles and the edges.
#define TILES(T, K)                                                                                                   \
  AVX512 __attribute__((noinline)) static void tile512_##T##_##K(long images, long length, const float *x,          \
                                                                 long x_stride, const long *offsets, const float *dy, \
                                                                 long dy_stride, long dy_plane, float *dw, long ldw) { \
    tile512(images, length, x, x_stride, offsets, dy, dy_stride, dy_plane, dw, ldw, T, K);                            \
  }                                                                                                                   \
  AVX2 __attribute__((noinline)) static void tile256_##T##_##K(long images, long length, const float *x,            \
                                                               long x_stride, const long *offsets, const float *dy,   \
                                                               long dy_stride, long dy_plane, float *dw, long ldw) {   \
    tile256(images, length, x, x_stride, offsets, dy, dy_stride, dy_plane, dw, ldw, T, K);                            \
  }
TILES(1, 1)
TILES(1, 2)
TILES(1, 3)
TILES(2, 1)
TILES(2, 2)
TILES(2, 3)
TILES(3, 1)
TILES(3, 2)
TILES(3, 3)
TILES(4, 1)
TILES(4, 2)
TILES(4, 3)

static const correlate_tile tiles512[TB][KB] = {
    {tile512_1_1, tile512_1_2, tile512_1_3},
    {tile512_2_1, tile512_2_2, tile512_2_3},
    {tile512_3_1, tile512_3_2, tile512_3_3},
    {tile512_4_1, tile512_4_2, tile512_4_3},
};
static const correlate_tile tiles256[TB][KB] = {
    {tile256_1_1, tile256_1_2, tile256_1_3},
    {tile256_2_1, tile256_2_2, tile256_2_3},
    {tile256_3_1, tile256_3_2, tile256_3_3},
    {tile256_4_1, tile256_4_2, tile256_4_3},
};
#endif

/// The same sums one product at a time (CPUs without AVX2 + FMA; callers use the GEMM form there).
static void portable(long images, long length, const float *x, long x_stride, const long *offsets, long taps,
                     const float *dy, long dy_stride, long dy_plane, long outputs, float *dw, long ldw) {
  for (long k = 0; k < outputs; k++)
    for (long s = 0; s < taps; s++) {
      float sum = 0.0f;
      for (long n = 0; n < images; n++)
        for (long t = 0; t < length; t++) sum += x[n * x_stride + offsets[s] + t] * dy[n * dy_stride + k * dy_plane + t];
      dw[s + k * ldw] += sum;
    }
}

void convlab_shifted_correlate(int isa, long images, long length, const float *x, long x_stride, const long *offsets,
                               long taps, const float *dy, long dy_stride, long dy_plane, long outputs, float *dw,
                               long ldw) {
  int best = convlab_sgemm_isa();
  if (isa < 0 || isa > best) isa = best;
#if defined(__x86_64__)
  if (isa >= 1) {
    const correlate_tile(*table)[KB] = isa == 2 ? tiles512 : tiles256;
    for (long s0 = 0; s0 < taps; s0 += TB) {
      int tb = taps - s0 < TB ? (int)(taps - s0) : TB;
      for (long k0 = 0; k0 < outputs; k0 += KB) {
        int kb = outputs - k0 < KB ? (int)(outputs - k0) : KB;
        table[tb - 1][kb - 1](images, length, x, x_stride, offsets + s0, dy + k0 * dy_plane, dy_stride, dy_plane,
                              dw + s0 + k0 * ldw, ldw);
      }
    }
    return;
  }
#endif
  portable(images, length, x, x_stride, offsets, taps, dy, dy_stride, dy_plane, outputs, dw, ldw);
}
