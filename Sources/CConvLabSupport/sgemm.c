// A single-precision GEMM C = A·B for convolution's patch matrices (Milisavljevic (1)–(2),
// MatConvNet §6.1: y = φ(x) F), written for the shape they have: A = φ(x) is tall (one row per
// output pixel) with H′W′D columns, B = F has only as many columns as the layer has filters (64
// or 128). OpenBLAS runs such a product at about half the rate it reaches on large squares
// (README "Performance"); the conv forward pass instead fills a block of φ small enough for the
// core's L2 cache and multiplies it here at once (ConvLabBlocks/Fast/BlockedConvolution.swift).
//
// The structure is the classic one of GotoBLAS/BLIS: B is packed once into panels of NR = 6
// columns stored row by row (6 consecutive floats per inner index p), and a micro-kernel keeps a
// 16 × 6 tile of C in twelve 8-lane registers while p runs over the whole inner dimension:
//
//     for p in 0..<k:  a = A[i0 ..< i0+16, p]            (two 8-float loads, contiguous: column-major)
//                      for j in 0..<6:  C[:, j] += a · B[p, j]   (one broadcast, two FMAs)
//
// Twelve independent FMA chains cover the FMA units' latency (two units × 4 cycles on Zen 3);
// per p, 8 loads feed 12 FMAs, which the load ports sustain. The panel of B (k × 6 floats,
// 13.8 KB for k = 576) stays in L1 while the kernel sweeps every 16-row tile of the A block.
// Measured on this project's machine (AMD EPYC, Zen 3, one core, k = 576, n = 64, A in L2):
// 67–78 GFLOP/s, against 74 GFLOP/s for OpenBLAS's sgemm on 2048² × 2048 on one core.
//
// Edge tiles (fewer than 16 rows) use masked loads and stores, so nothing outside A or C is read
// or written; columns past n are zero in the packed B and never stored.
#include "CConvLabSupport.h"
#include <stddef.h>

#define MR 16
#define NR 6

long convlab_sgemm_packed_count(long k, long n) { return (n + NR - 1) / NR * NR * k; }

void convlab_sgemm_pack(const float *b, long ldb, long k, long n, float *packed) {
  for (long j0 = 0; j0 < n; j0 += NR)
    for (long p = 0; p < k; p++)
      for (long j = j0; j < j0 + NR; j++) *packed++ = j < n ? b[p + j * ldb] : 0.0f;
}

// The backward pass's right-hand side Fᵀ (dΦ = dY Fᵀ): B[p, j] = stored[j + p·ldb]. Panel rows
// are then 6 consecutive floats of the stored matrix, one copy each.
void convlab_sgemm_pack_transposed(const float *b, long ldb, long k, long n, float *packed) {
  for (long j0 = 0; j0 < n; j0 += NR)
    for (long p = 0; p < k; p++)
      for (long j = j0; j < j0 + NR; j++) *packed++ = j < n ? b[j + p * ldb] : 0.0f;
}

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

/// One 16 × nr tile: C[0 ..< mr, 0 ..< nr] = bias + Σ_p A[:, p] B[p, :], or with `accumulate`
/// C += Σ_p A[:, p] B[p, :] (the backward pass sums dz/dF over blocks). `masked` and
/// `accumulate` are constants in each caller below, so the compiler emits one plain and one edge
/// kernel of each kind.
AVX2 static inline __attribute__((always_inline)) void tile(long k, const float *a, long lda, const float *b,
                                                            const float *bias, int nr, float *c, long ldc,
                                                            int mr, const int masked, const int accumulate) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i low = _mm256_cmpgt_epi32(_mm256_set1_epi32(mr), lane);       // rows 0..<8 present
  const __m256i high = _mm256_cmpgt_epi32(_mm256_set1_epi32(mr - 8), lane);  // rows 8..<16 present
  __m256 acc[NR][2];
  for (int j = 0; j < NR; j++) {
    __m256 start = bias && j < nr ? _mm256_set1_ps(bias[j]) : _mm256_setzero_ps();
    acc[j][0] = start;
    acc[j][1] = start;
    if (accumulate && j < nr) {
      acc[j][0] = masked ? _mm256_maskload_ps(c + j * ldc, low) : _mm256_loadu_ps(c + j * ldc);
      acc[j][1] = masked ? _mm256_maskload_ps(c + j * ldc + 8, high) : _mm256_loadu_ps(c + j * ldc + 8);
    }
  }
  for (long p = 0; p < k; p++, a += lda, b += NR) {
    __m256 a0 = masked ? _mm256_maskload_ps(a, low) : _mm256_loadu_ps(a);
    __m256 a1 = masked ? _mm256_maskload_ps(a + 8, high) : _mm256_loadu_ps(a + 8);
    for (int j = 0; j < NR; j++) {
      __m256 bj = _mm256_broadcast_ss(b + j);
      acc[j][0] = _mm256_fmadd_ps(a0, bj, acc[j][0]);
      acc[j][1] = _mm256_fmadd_ps(a1, bj, acc[j][1]);
    }
  }
  for (int j = 0; j < nr; j++) {
    if (masked) {
      _mm256_maskstore_ps(c + j * ldc, low, acc[j][0]);
      _mm256_maskstore_ps(c + j * ldc + 8, high, acc[j][1]);
    } else {
      _mm256_storeu_ps(c + j * ldc, acc[j][0]);
      _mm256_storeu_ps(c + j * ldc + 8, acc[j][1]);
    }
  }
}

AVX2 __attribute__((noinline)) static void tile_full(long k, const float *a, long lda, const float *b, const float *bias,
                                                     int nr, float *c, long ldc) {
  tile(k, a, lda, b, bias, nr, c, ldc, MR, 0, 0);
}

AVX2 __attribute__((noinline)) static void tile_edge(long k, const float *a, long lda, const float *b, const float *bias,
                                                     int nr, float *c, long ldc, int mr) {
  tile(k, a, lda, b, bias, nr, c, ldc, mr, 1, 0);
}

AVX2 __attribute__((noinline)) static void tile_full_add(long k, const float *a, long lda, const float *b, int nr, float *c,
                                                         long ldc) {
  tile(k, a, lda, b, NULL, nr, c, ldc, MR, 0, 1);
}

AVX2 __attribute__((noinline)) static void tile_edge_add(long k, const float *a, long lda, const float *b, int nr, float *c,
                                                         long ldc, int mr) {
  tile(k, a, lda, b, NULL, nr, c, ldc, mr, 1, 1);
}

int convlab_sgemm_has_microkernel(void) { return convlab_cpu_has_avx2_fma(); }
#else
int convlab_sgemm_has_microkernel(void) { return 0; }
#endif

/// The same sums one entry at a time, for CPUs without AVX2 + FMA (callers use OpenBLAS there;
/// this keeps the function correct everywhere).
static void portable(long m, long n, long k, const float *a, long lda, const float *packed, const float *bias,
                     float *c, long ldc, int accumulate) {
  for (long j = 0; j < n; j++) {
    const float *panel = packed + j / NR * NR * k + j % NR;
    for (long i = 0; i < m; i++) {
      float sum = accumulate ? c[i + j * ldc] : bias ? bias[j] : 0.0f;
      for (long p = 0; p < k; p++) sum += a[i + p * lda] * panel[p * NR];
      c[i + j * ldc] = sum;
    }
  }
}

void convlab_sgemm_packed(long m, long n, long k, const float *a, long lda, const float *packed, const float *bias,
                          float *c, long ldc) {
#if defined(__x86_64__)
  if (convlab_sgemm_has_microkernel()) {
    // Panel of B outside (it stays in L1), tiles of A inside (the block stays in L2).
    for (long j0 = 0; j0 < n; j0 += NR) {
      int nr = n - j0 < NR ? (int)(n - j0) : NR;
      const float *panel = packed + j0 * k, *b = bias ? bias + j0 : NULL;
      for (long i0 = 0; i0 < m; i0 += MR) {
        if (m - i0 >= MR) tile_full(k, a + i0, lda, panel, b, nr, c + i0 + j0 * ldc, ldc);
        else tile_edge(k, a + i0, lda, panel, b, nr, c + i0 + j0 * ldc, ldc, (int)(m - i0));
      }
    }
    return;
  }
#endif
  portable(m, n, k, a, lda, packed, bias, c, ldc, 0);
}

void convlab_sgemm_packed_add(long m, long n, long k, const float *a, long lda, const float *packed, float *c, long ldc) {
#if defined(__x86_64__)
  if (convlab_sgemm_has_microkernel()) {
    for (long j0 = 0; j0 < n; j0 += NR) {
      int nr = n - j0 < NR ? (int)(n - j0) : NR;
      const float *panel = packed + j0 * k;
      for (long i0 = 0; i0 < m; i0 += MR) {
        if (m - i0 >= MR) tile_full_add(k, a + i0, lda, panel, nr, c + i0 + j0 * ldc, ldc);
        else tile_edge_add(k, a + i0, lda, panel, nr, c + i0 + j0 * ldc, ldc, (int)(m - i0));
      }
    }
    return;
  }
#endif
  portable(m, n, k, a, lda, packed, NULL, c, ldc, 1);
}
