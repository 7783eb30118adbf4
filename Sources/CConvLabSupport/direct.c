// A direct convolution with the output channels in the SIMD lanes, MatConvNet §4.1's sum
//
//     y_{i″j″k} = b_k + Σ_{i′j′d} f_{i′j′dk} x_{S_h i″ + D_h i′, S_w j″ + D_w j′, d}
//
// computed for 16 filters at once: for each tap (i′, j′) and channel d, one vector of 16 filter
// entries f_{i′j′d·} is multiplied by the input value of each of P output pixels (broadcast) and
// added to P accumulators. The input is stored pixel by pixel (channels contiguous, padded), so
// the P values of one (tap, d) are P loads a stride apart; the filters are packed 16 per vector
// (convlab_direct_pack). A tile is P consecutive pixels of one output column × KB blocks of 16
// filters, P·KB ≤ 24 accumulators in AVX-512 registers (P ≤ 12 for KB ≤ 2, P ≤ 6 for KB = 3, 4):
// KB filter loads and P broadcasts for P·KB FMAs. Unlike the GEMM form y = φ(x)F, no lane and
// no row is wasted on a layer whose filter count is a multiple of 16 (LeNet's C3: 16 filters on
// 10-pixel columns; the GEMM tile there fills 100 of 160 rows and 16 of 18 columns), and no
// output row between two columns is computed and dropped. The accumulators are written to y's
// planes through a small transposition. A single block of 16 filters with 3 or 5 filter rows
// and stride 1 has its own tile (rows_tile below) that reuses each input row across the filter's
// rows.
//
// AVX-512, and an AVX2 tile of one 16-filter block as two 8-lane vectors
// (ConvLabBlocks/Fast/DirectChannelConvolution.swift decides where it runs); sums run in a fixed
// order per tile kind, so a call's result depends only on its inputs and the instruction set.
#include "CConvLabSupport.h"
#include <string.h>

#define LANES 16
#define MAXP 12  // pixels per tile
#define MAXKB 4  // 16-filter blocks per tile

long convlab_direct_packed_count(long taps, long depth, long filters) {
  return (filters + LANES - 1) / LANES * taps * depth * LANES;
}

void convlab_direct_pack(const float *f, long taps, long depth, long filters, float *packed) {
  long blocks = (filters + LANES - 1) / LANES;
  for (long b = 0; b < blocks; b++)
    for (long s = 0; s < taps; s++)
      for (long d = 0; d < depth; d++)
        for (long lane = 0; lane < LANES; lane++) {
          long k = b * LANES + lane;
          *packed++ = k < filters ? f[s + taps * (d + depth * k)] : 0.0f;
        }
}

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f")))

/// r[c][p] → r[p][c] for a 16 × 16 block of floats in sixteen registers: pairs, then 64-bit
/// pairs, then 128-bit lanes twice (the usual unpack/shuffle network, 64 shuffles).
AVX512 static inline __attribute__((always_inline)) void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
    r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
    r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  for (int h = 0; h < 16; h += 8)
    for (int i = 0; i < 4; i++) {
      t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0x88);
      t[h + i + 4] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0xDD);
    }
  for (int i = 0; i < 8; i++) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
  }
}

/// Blocks of 16 pixels (down one column) × 16 channels: 16 masked loads from the channel planes,
/// one transposition, 16 masked stores of one pixel's channels each.
AVX512 static void layout512(const float *x, long h, long w, long depth, long top, long left, long ph, float *padded) {
  long plane = h * w;
  for (long j = 0; j < w; j++)
    for (long i0 = 0; i0 < h; i0 += 16) {
      long pixels = h - i0 < 16 ? h - i0 : 16;
      __mmask16 rows = (__mmask16)(pixels == 16 ? 0xFFFF : (1u << pixels) - 1);
      for (long d0 = 0; d0 < depth; d0 += 16) {
        long channels = depth - d0 < 16 ? depth - d0 : 16;
        __mmask16 lanes = (__mmask16)(channels == 16 ? 0xFFFF : (1u << channels) - 1);
        __m512 r[16];
        for (int c = 0; c < 16; c++)
          r[c] = c < channels ? _mm512_maskz_loadu_ps(rows, x + i0 + h * j + (d0 + c) * plane) : _mm512_setzero_ps();
        transpose16(r);
        float *target = padded + ((j + left) * ph + top + i0) * depth + d0;
        for (int p = 0; p < pixels; p++) _mm512_mask_storeu_ps(target + p * depth, lanes, r[p]);
      }
    }
}
#endif

// The padded image pixel by pixel (channels contiguous). With AVX-512, 16 × 16 blocks are
// transposed in registers; the portable loop goes pixel by pixel, writes contiguous and reads one
// float of each channel plane (which stay in L1 for the next pixels down the column).
void convlab_direct_layout(const float *x, long h, long w, long depth, long top, long left, long ph, long pw,
                           float *padded) {
  memset(padded, 0, sizeof(float) * (size_t)(ph * pw * depth));
#if defined(__x86_64__)
  if (convlab_sgemm_isa() == 2) {
    layout512(x, h, w, depth, top, left, ph, padded);
    return;
  }
#endif
  long plane = h * w;
  for (long j = 0; j < w; j++)
    for (long i = 0; i < h; i++) {
      const float *source = x + i + h * j;
      float *target = padded + ((j + left) * ph + top + i) * depth;
      for (long d = 0; d < depth; d++) target[d] = source[d * plane];
    }
}

typedef void (*direct_tile)(const float *x, long pixel_step, const long *offsets, long taps, long depth,
                            const float *w, long w_block, const float *bias, long filters, float *y, long y_plane);

#if defined(__x86_64__)
/// One tile: P pixels (x, x + pixel_step, …; each tap s at + offsets[s]) × KB blocks of 16
/// filters (w, w + w_block), `filters` ≤ 16·KB of them real; y + k·y_plane + p receives pixel p's
/// filter k.
AVX512 static inline __attribute__((always_inline)) void tile(const float *x, long pixel_step, const long *offsets,
                                                              long taps, long depth, const float *w, long w_block,
                                                              const float *bias, long filters, float *y, long y_plane,
                                                              const int P, const int KB) {
  __m512 acc[MAXP][MAXKB];
  for (int b = 0; b < KB; b++) {
    long left = filters - b * LANES;
    __mmask16 real = left >= LANES ? 0xFFFF : left <= 0 ? 0 : (__mmask16)((1u << left) - 1);
    __m512 start = bias ? _mm512_maskz_loadu_ps(real, bias + b * LANES) : _mm512_setzero_ps();
    for (int p = 0; p < P; p++) acc[p][b] = start;
  }
  for (long s = 0; s < taps; s++) {
    const float *xs = x + offsets[s];
    const float *ws = w + s * depth * LANES;
    for (long d = 0; d < depth; d++) {
      __m512 f[MAXKB];
      for (int b = 0; b < KB; b++) f[b] = _mm512_loadu_ps(ws + b * w_block + d * LANES);
      for (int p = 0; p < P; p++) {
        __m512 v = _mm512_set1_ps(xs[p * pixel_step + d]);
        for (int b = 0; b < KB; b++) acc[p][b] = _mm512_fmadd_ps(v, f[b], acc[p][b]);
      }
    }
  }
  // Pixel-major accumulators to y's filter-major planes: the P pixels of one filter are adjacent.
  float out[MAXKB * LANES][MAXP];
  for (int b = 0; b < KB; b++)
    for (int p = 0; p < P; p++) {
      float lanes[LANES];
      _mm512_storeu_ps(lanes, acc[p][b]);
      for (int lane = 0; lane < LANES; lane++) out[b * LANES + lane][p] = lanes[lane];
    }
  long count = filters < KB * LANES ? filters : KB * LANES;
  for (long k = 0; k < count; k++) memcpy(y + k * y_plane, out[k], sizeof(float) * (size_t)P);
}

#define TILE(P, KB)                                                                                                    \
  AVX512 __attribute__((noinline)) static void tile_##P##_##KB(const float *x, long pixel_step, const long *offsets,   \
                                                              long taps, long depth, const float *w, long w_block,     \
                                                              const float *bias, long filters, float *y, long y_plane) { \
    tile(x, pixel_step, offsets, taps, depth, w, w_block, bias, filters, y, y_plane, P, KB);                           \
  }
#define WIDE(P) TILE(P, 1) TILE(P, 2) TILE(P, 3) TILE(P, 4)
#define NARROW(P) TILE(P, 1) TILE(P, 2)
WIDE(1)
WIDE(2)
WIDE(3)
WIDE(4)
WIDE(5)
WIDE(6)
NARROW(7)
NARROW(8)
NARROW(9)
NARROW(10)
NARROW(11)
NARROW(12)

// P·KB ≤ 24 accumulators: 1–6 pixels with up to 64 filters, 7–12 with up to 32.
static const direct_tile tiles[MAXP][MAXKB] = {
    {tile_1_1, tile_1_2, tile_1_3, tile_1_4}, {tile_2_1, tile_2_2, tile_2_3, tile_2_4},
    {tile_3_1, tile_3_2, tile_3_3, tile_3_4}, {tile_4_1, tile_4_2, tile_4_3, tile_4_4},
    {tile_5_1, tile_5_2, tile_5_3, tile_5_4}, {tile_6_1, tile_6_2, tile_6_3, tile_6_4},
    {tile_7_1, tile_7_2, NULL, NULL},         {tile_8_1, tile_8_2, NULL, NULL},
    {tile_9_1, tile_9_2, NULL, NULL},         {tile_10_1, tile_10_2, NULL, NULL},
    {tile_11_1, tile_11_2, NULL, NULL},       {tile_12_1, tile_12_2, NULL, NULL},
};

/// The single-block tile (16 filters, KB = 1) of a layer with stride 1 and no row dilation reuses
/// each input value across the filter's rows: with one filter vector per tap, the tile above
/// spends one broadcast per FMA and is bound by the loads (LeNet's C3: 11 loads for 10 FMAs per
/// tap and channel). Output pixel p reads input row p + i′ of a column for filter row i′, so
/// per filter column j′ and channel d the P + H′ − 1 input rows are broadcast once each and every
/// one meets the H′ filter vectors in registers: H′ + P + H′ − 1 loads for P·H′ FMAs (19 for
/// 50 in C3). The sums run over (j′, d, i′) instead of (i′, j′, d).
AVX512 static inline __attribute__((always_inline)) void rows_tile(const float *x, long depth, const long *offsets, long fw,
                                                                   const float *w, const float *bias, long filters,
                                                                   float *y, long y_plane, const int P, const int FH) {
  __mmask16 real = filters >= LANES ? 0xFFFF : (__mmask16)((1u << filters) - 1);
  __m512 start = bias ? _mm512_maskz_loadu_ps(real, bias) : _mm512_setzero_ps();
  __m512 acc[MAXP];
  for (int p = 0; p < P; p++) acc[p] = start;
  for (long q = 0; q < fw; q++) {
    const float *xq = x + offsets[FH * q];  // filter column q's first row
    for (long d = 0; d < depth; d++) {
      __m512 f[8];
#pragma clang loop unroll(full)
      for (int i = 0; i < FH; i++) f[i] = _mm512_loadu_ps(w + ((i + FH * q) * depth + d) * LANES);
      // Unrolled in full so that every acc[r − i] is a register (clang's heuristics stop short).
#pragma clang loop unroll(full)
      for (int r = 0; r < P + FH - 1; r++) {
        __m512 v = _mm512_set1_ps(xq[r * depth + d]);
#pragma clang loop unroll(full)
        for (int i = 0; i < FH; i++)
          if (r - i >= 0 && r - i < P) acc[r - i] = _mm512_fmadd_ps(v, f[i], acc[r - i]);
      }
    }
  }
  float out[LANES][MAXP];
  for (int p = 0; p < P; p++) {
    float lanes[LANES];
    _mm512_storeu_ps(lanes, acc[p]);
    for (int lane = 0; lane < LANES; lane++) out[lane][p] = lanes[lane];
  }
  long count = filters < LANES ? filters : LANES;
  for (long k = 0; k < count; k++) memcpy(y + k * y_plane, out[k], sizeof(float) * (size_t)P);
}

typedef void (*rows_fn)(const float *x, long depth, const long *offsets, long fw, const float *w, const float *bias,
                        long filters, float *y, long y_plane);
#define ROWS(P, FH)                                                                                                    \
  AVX512 __attribute__((noinline)) static void rows_##P##_##FH(const float *x, long depth, const long *offsets, long fw, \
                                                              const float *w, const float *bias, long filters, float *y, \
                                                              long y_plane) {                                          \
    rows_tile(x, depth, offsets, fw, w, bias, filters, y, y_plane, P, FH);                                             \
  }
#define ROWS35(P) ROWS(P, 3) ROWS(P, 5)
ROWS35(1)
ROWS35(2)
ROWS35(3)
ROWS35(4)
ROWS35(5)
ROWS35(6)
ROWS35(7)
ROWS35(8)
ROWS35(9)
ROWS35(10)
ROWS35(11)
ROWS35(12)
// Filters of 3 and 5 rows (3×3 and 5×5 layers); other heights use the tile above.
static const rows_fn rows3[MAXP] = {rows_1_3, rows_2_3, rows_3_3, rows_4_3,  rows_5_3,  rows_6_3,
                                    rows_7_3, rows_8_3, rows_9_3, rows_10_3, rows_11_3, rows_12_3};
static const rows_fn rows5[MAXP] = {rows_1_5, rows_2_5, rows_3_5, rows_4_5,  rows_5_5,  rows_6_5,
                                    rows_7_5, rows_8_5, rows_9_5, rows_10_5, rows_11_5, rows_12_5};

#define AVX2 __attribute__((target("avx2,fma")))
#define MAXP256 6  // pixels per AVX2 tile

/// The AVX2 tile: one block of 16 filters as two 8-lane vectors × P ≤ 6 pixels, so the 12
/// accumulators, the two filter vectors and the broadcast fill the 16 YMM registers: 2 filter
/// loads and P broadcasts for 2P FMAs, the balance of the AVX-512 tile with KB = 2 (which is why
/// AVX2 needs no row-reusing tile). Blocks run one after the other (the image stays in L1/L2).
AVX2 static inline __attribute__((always_inline)) void tile256(const float *x, long pixel_step, const long *offsets,
                                                               long taps, long depth, const float *w, const float *bias,
                                                               long filters, float *y, long y_plane, const int P) {
  float first[LANES] = {0};
  long count = filters < LANES ? filters : LANES;
  if (bias) memcpy(first, bias, sizeof(float) * (size_t)count);
  __m256 acc[MAXP256][2];
  for (int p = 0; p < P; p++) {
    acc[p][0] = _mm256_loadu_ps(first);
    acc[p][1] = _mm256_loadu_ps(first + 8);
  }
  for (long s = 0; s < taps; s++) {
    const float *xs = x + offsets[s];
    const float *ws = w + s * depth * LANES;
    for (long d = 0; d < depth; d++) {
      __m256 f0 = _mm256_loadu_ps(ws + d * LANES), f1 = _mm256_loadu_ps(ws + d * LANES + 8);
      for (int p = 0; p < P; p++) {
        __m256 v = _mm256_broadcast_ss(xs + p * pixel_step + d);
        acc[p][0] = _mm256_fmadd_ps(v, f0, acc[p][0]);
        acc[p][1] = _mm256_fmadd_ps(v, f1, acc[p][1]);
      }
    }
  }
  float out[LANES][MAXP256];
  for (int p = 0; p < P; p++) {
    float lanes[LANES];
    _mm256_storeu_ps(lanes, acc[p][0]);
    _mm256_storeu_ps(lanes + 8, acc[p][1]);
    for (int lane = 0; lane < LANES; lane++) out[lane][p] = lanes[lane];
  }
  for (long k = 0; k < count; k++) memcpy(y + k * y_plane, out[k], sizeof(float) * (size_t)P);
}

typedef void (*tile256_fn)(const float *x, long pixel_step, const long *offsets, long taps, long depth, const float *w,
                           const float *bias, long filters, float *y, long y_plane);
#define TILE256(P)                                                                                                     \
  AVX2 __attribute__((noinline)) static void tile256_##P(const float *x, long pixel_step, const long *offsets, long taps, \
                                                         long depth, const float *w, const float *bias, long filters,  \
                                                         float *y, long y_plane) {                                     \
    tile256(x, pixel_step, offsets, taps, depth, w, bias, filters, y, y_plane, P);                                      \
  }
TILE256(1)
TILE256(2)
TILE256(3)
TILE256(4)
TILE256(5)
TILE256(6)
static const tile256_fn tiles256[MAXP256] = {tile256_1, tile256_2, tile256_3, tile256_4, tile256_5, tile256_6};

int convlab_direct_isa(void) { return convlab_sgemm_isa(); }  // cached: cpuid traps in a VM
#else
int convlab_direct_isa(void) { return 0; }
#endif

int convlab_direct_available(void) { return convlab_direct_isa() >= 1; }

void convlab_direct_conv_image(int isa, long out_h, long out_w, long stride_h, long stride_w, long ph, long depth,
                               long fh, long taps, const long *offsets, const float *x, const float *packed,
                               long filters, const float *bias, float *y) {
#if defined(__x86_64__)
  if (isa < 0 || isa > convlab_direct_isa()) isa = convlab_direct_isa();
  if (isa < 1) return;
  long blocks = (filters + LANES - 1) / LANES, w_block = taps * depth * LANES, plane = out_h * out_w;
  if (isa == 1) {
    long pieces = (out_h + MAXP256 - 1) / MAXP256;  // each output column in nearly equal tiles
    for (long b = 0; b < blocks; b++)
      for (long j = 0; j < out_w; j++)
        for (long piece = 0; piece < pieces; piece++) {
          long first = piece * out_h / pieces, last = (piece + 1) * out_h / pieces, k0 = b * LANES;
          tiles256[last - first - 1](x + (first * stride_h + ph * j * stride_w) * depth, stride_h * depth, offsets, taps,
                                     depth, packed + b * w_block, bias ? bias + k0 : NULL, filters - k0,
                                     y + k0 * plane + first + out_h * j, plane);
        }
    return;
  }
  // One filter block, stride 1, 3 or 5 filter rows read from consecutive input rows: reuse rows.
  const rows_fn *rows = fh == 3 ? rows3 : fh == 5 ? rows5 : NULL;
  int contiguous = fh >= 2 && taps % fh == 0 && stride_h == 1;
  for (long s = 1; contiguous && s < taps; s++)
    if (s % fh != 0 && offsets[s] != offsets[s - 1] + depth) contiguous = 0;
  if (blocks == 1 && rows && contiguous) {
    long pieces = (out_h + MAXP - 1) / MAXP;
    for (long j = 0; j < out_w; j++)
      for (long piece = 0; piece < pieces; piece++) {
        long first = piece * out_h / pieces, last = (piece + 1) * out_h / pieces;
        rows[last - first - 1](x + (first + ph * j * stride_w) * depth, depth, offsets, taps / fh, packed, bias, filters,
                               y + first + out_h * j, plane);
      }
    return;
  }
  for (long b0 = 0; b0 < blocks; b0 += MAXKB) {
    int kb = blocks - b0 < MAXKB ? (int)(blocks - b0) : MAXKB;
    long most = kb > 2 ? 6 : MAXP;            // pixels per tile: P·KB ≤ 24 accumulators
    long pieces = (out_h + most - 1) / most;  // each output column in nearly equal tiles
    long k0 = b0 * LANES;
    for (long j = 0; j < out_w; j++)
      for (long piece = 0; piece < pieces; piece++) {
        long first = piece * out_h / pieces, last = (piece + 1) * out_h / pieces;
        const float *origin = x + (first * stride_h + ph * j * stride_w) * depth;
        tiles[last - first - 1][kb - 1](origin, stride_h * depth, offsets, taps, depth, packed + b0 * w_block, w_block,
                                        bias ? bias + k0 : NULL, filters - k0, y + k0 * plane + first + out_h * j, plane);
      }
  }
#else
  (void)isa, (void)out_h, (void)out_w, (void)stride_h, (void)stride_w, (void)ph, (void)depth, (void)fh, (void)taps, (void)offsets, (void)x;
  (void)packed, (void)filters, (void)bias, (void)y;
#endif
}
