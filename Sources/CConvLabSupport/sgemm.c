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
/// kernel of each kind. With `accumulate` the sum starts at zero and C is added once, at the store:
/// starting the accumulators from C's (nr-dependent) columns made clang keep them in memory,
/// storing every FMA's result to the stack (78 against 240 GFLOP/s on one Zen 5 core).
AVX2 static inline __attribute__((always_inline)) void tile(long k, const float *a, long lda, const long *offsets, const float *b,
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
  }
  for (long p = 0; p < k; p++, b += NR) {
    const float *ap = offsets ? a + offsets[p] : a + p * lda;
    __m256 a0 = masked ? _mm256_maskload_ps(ap, low) : _mm256_loadu_ps(ap);
    __m256 a1 = masked ? _mm256_maskload_ps(ap + 8, high) : _mm256_loadu_ps(ap + 8);
    for (int j = 0; j < NR; j++) {
      __m256 bj = _mm256_broadcast_ss(b + j);
      acc[j][0] = _mm256_fmadd_ps(a0, bj, acc[j][0]);
      acc[j][1] = _mm256_fmadd_ps(a1, bj, acc[j][1]);
    }
  }
  for (int j = 0; j < nr; j++) {
    if (accumulate) {  // C += the tile's sum, added once at the end (see the comment above)
      acc[j][0] = _mm256_add_ps(masked ? _mm256_maskload_ps(c + j * ldc, low) : _mm256_loadu_ps(c + j * ldc), acc[j][0]);
      acc[j][1] = _mm256_add_ps(masked ? _mm256_maskload_ps(c + j * ldc + 8, high) : _mm256_loadu_ps(c + j * ldc + 8), acc[j][1]);
    }
    if (masked) {
      _mm256_maskstore_ps(c + j * ldc, low, acc[j][0]);
      _mm256_maskstore_ps(c + j * ldc + 8, high, acc[j][1]);
    } else {
      _mm256_storeu_ps(c + j * ldc, acc[j][0]);
      _mm256_storeu_ps(c + j * ldc + 8, acc[j][1]);
    }
  }
}

AVX2 __attribute__((noinline)) static void tile_full(long k, const float *a, long lda, const long *offsets, const float *b, const float *bias,
                                                     int nr, float *c, long ldc) {
  tile(k, a, lda, offsets, b, bias, nr, c, ldc, MR, 0, 0);
}

AVX2 __attribute__((noinline)) static void tile_edge(long k, const float *a, long lda, const long *offsets, const float *b, const float *bias,
                                                     int nr, float *c, long ldc, int mr) {
  tile(k, a, lda, offsets, b, bias, nr, c, ldc, mr, 1, 0);
}

AVX2 __attribute__((noinline)) static void tile_full_add(long k, const float *a, long lda, const long *offsets, const float *b, int nr, float *c,
                                                         long ldc) {
  tile(k, a, lda, offsets, b, NULL, nr, c, ldc, MR, 0, 1);
}

AVX2 __attribute__((noinline)) static void tile_edge_add(long k, const float *a, long lda, const long *offsets, const float *b, int nr, float *c,
                                                         long ldc, int mr) {
  tile(k, a, lda, offsets, b, NULL, nr, c, ldc, mr, 1, 1);
}

// The same micro-kernel in AVX-512 (CPUs with AVX512F whose OS saves the ZMM state: Zen 4/5,
// Intel since Skylake-SP): a 32 × 6 tile in twelve 16-lane registers, twice the rows of the
// AVX2 tile for the same packed panel of B, so each FMA does twice the work. On Zen 5, whose FMA
// units are 512 bits wide, that doubles the micro-kernel's rate (BlockedConvolution.swift
// gives the measurements). Edge tiles use AVX-512's mask registers: masked loads suppress faults
// on the lanes they skip and, unlike AVX2's vmaskmovps, are not microcoded on AMD.
#define MR512 32
#define AVX512 __attribute__((target("avx512f")))

AVX512 static inline __attribute__((always_inline)) void tile512(long k, const float *a, long lda, const long *offsets,
                                                                 const float *b,
                                                                 const float *bias, int nr, float *c, long ldc,
                                                                 int mr, const int masked, const int accumulate) {
  const __mmask16 low = masked ? (__mmask16)(mr >= 16 ? 0xFFFF : (1u << mr) - 1) : 0xFFFF;
  const __mmask16 high = masked ? (__mmask16)(mr >= 32 ? 0xFFFF : mr <= 16 ? 0 : (1u << (mr - 16)) - 1) : 0xFFFF;
  __m512 acc[NR][2];
  for (int j = 0; j < NR; j++) {
    __m512 start = bias && j < nr ? _mm512_set1_ps(bias[j]) : _mm512_setzero_ps();
    acc[j][0] = start;
    acc[j][1] = start;
  }
  for (long p = 0; p < k; p++, b += NR) {
    const float *ap = offsets ? a + offsets[p] : a + p * lda;
    __m512 a0 = masked ? _mm512_maskz_loadu_ps(low, ap) : _mm512_loadu_ps(ap);
    __m512 a1 = masked ? _mm512_maskz_loadu_ps(high, ap + 16) : _mm512_loadu_ps(ap + 16);
    for (int j = 0; j < NR; j++) {
      __m512 bj = _mm512_set1_ps(b[j]);
      acc[j][0] = _mm512_fmadd_ps(a0, bj, acc[j][0]);
      acc[j][1] = _mm512_fmadd_ps(a1, bj, acc[j][1]);
    }
  }
  for (int j = 0; j < nr; j++) {
    if (accumulate) {
      acc[j][0] = _mm512_add_ps(masked ? _mm512_maskz_loadu_ps(low, c + j * ldc) : _mm512_loadu_ps(c + j * ldc), acc[j][0]);
      acc[j][1] = _mm512_add_ps(masked ? _mm512_maskz_loadu_ps(high, c + j * ldc + 16) : _mm512_loadu_ps(c + j * ldc + 16), acc[j][1]);
    }
    if (masked) {
      _mm512_mask_storeu_ps(c + j * ldc, low, acc[j][0]);
      _mm512_mask_storeu_ps(c + j * ldc + 16, high, acc[j][1]);
    } else {
      _mm512_storeu_ps(c + j * ldc, acc[j][0]);
      _mm512_storeu_ps(c + j * ldc + 16, acc[j][1]);
    }
  }
}

AVX512 __attribute__((noinline)) static void tile512_full(long k, const float *a, long lda, const long *offsets, const float *b,
                                                          const float *bias, int nr, float *c, long ldc) {
  tile512(k, a, lda, offsets, b, bias, nr, c, ldc, MR512, 0, 0);
}

AVX512 __attribute__((noinline)) static void tile512_edge(long k, const float *a, long lda, const long *offsets, const float *b,
                                                          const float *bias, int nr, float *c, long ldc, int mr) {
  tile512(k, a, lda, offsets, b, bias, nr, c, ldc, mr, 1, 0);
}

AVX512 __attribute__((noinline)) static void tile512_full_add(long k, const float *a, long lda, const long *offsets, const float *b, int nr,
                                                              float *c, long ldc) {
  tile512(k, a, lda, offsets, b, NULL, nr, c, ldc, MR512, 0, 1);
}

AVX512 __attribute__((noinline)) static void tile512_edge_add(long k, const float *a, long lda, const long *offsets, const float *b, int nr,
                                                              float *c, long ldc, int mr) {
  tile512(k, a, lda, offsets, b, NULL, nr, c, ldc, mr, 1, 1);
}

static int best_isa(void) {
  static int state = -1;  // benign race: every thread computes the same answer
  if (state < 0) {
    convlab_cpu_features f = convlab_detect_cpu_features();
    state = f.avx512f && f.avx2 && f.fma ? 2 : f.avx2 && f.fma ? 1 : 0;
  }
  return state;
}

int convlab_sgemm_has_microkernel(void) { return convlab_cpu_has_avx2_fma(); }
#else
static int best_isa(void) { return 0; }
int convlab_sgemm_has_microkernel(void) { return 0; }
#endif

int convlab_sgemm_isa(void) { return best_isa(); }

/// The same sums one entry at a time, for CPUs without AVX2 + FMA (callers use OpenBLAS there;
/// this keeps the function correct everywhere).
static void portable(long m, long n, long k, const float *a, long lda, const long *offsets, const float *packed,
                     const float *bias, float *c, long ldc, int accumulate) {
  for (long j = 0; j < n; j++) {
    const float *panel = packed + j / NR * NR * k + j % NR;
    for (long i = 0; i < m; i++) {
      float sum = accumulate ? c[i + j * ldc] : bias ? bias[j] : 0.0f;
      for (long p = 0; p < k; p++) sum += a[i + (offsets ? offsets[p] : p * lda)] * panel[p * NR];
      c[i + j * ldc] = sum;
    }
  }
}

/// C = A·B (+ bias) or C += A·B (`accumulate`) with the micro-kernel of instruction set `isa`
/// (2: AVX-512, 1: AVX2 + FMA, 0: portable), lowered to what this CPU runs.
static void multiply(int isa, long m, long n, long k, const float *a, long lda, const long *offsets, const float *packed,
                     const float *bias, float *c, long ldc, int accumulate) {
  if (isa > best_isa()) isa = best_isa();
#if defined(__x86_64__)
  // Panel of B outside (it stays in L1), tiles of A inside (the block stays in L2).
  if (isa == 2) {
    for (long j0 = 0; j0 < n; j0 += NR) {
      int nr = n - j0 < NR ? (int)(n - j0) : NR;
      const float *panel = packed + j0 * k, *b = bias ? bias + j0 : NULL;
      for (long i0 = 0; i0 < m; i0 += MR512) {
        float *tileC = c + i0 + j0 * ldc;
        if (accumulate) {
          if (m - i0 >= MR512) tile512_full_add(k, a + i0, lda, offsets, panel, nr, tileC, ldc);
          else tile512_edge_add(k, a + i0, lda, offsets, panel, nr, tileC, ldc, (int)(m - i0));
        } else {
          if (m - i0 >= MR512) tile512_full(k, a + i0, lda, offsets, panel, b, nr, tileC, ldc);
          else tile512_edge(k, a + i0, lda, offsets, panel, b, nr, tileC, ldc, (int)(m - i0));
        }
      }
    }
    return;
  }
  if (isa == 1) {
    for (long j0 = 0; j0 < n; j0 += NR) {
      int nr = n - j0 < NR ? (int)(n - j0) : NR;
      const float *panel = packed + j0 * k, *b = bias ? bias + j0 : NULL;
      for (long i0 = 0; i0 < m; i0 += MR) {
        float *tileC = c + i0 + j0 * ldc;
        if (accumulate) {
          if (m - i0 >= MR) tile_full_add(k, a + i0, lda, offsets, panel, nr, tileC, ldc);
          else tile_edge_add(k, a + i0, lda, offsets, panel, nr, tileC, ldc, (int)(m - i0));
        } else {
          if (m - i0 >= MR) tile_full(k, a + i0, lda, offsets, panel, b, nr, tileC, ldc);
          else tile_edge(k, a + i0, lda, offsets, panel, b, nr, tileC, ldc, (int)(m - i0));
        }
      }
    }
    return;
  }
#endif
  portable(m, n, k, a, lda, offsets, packed, bias, c, ldc, accumulate);
}

void convlab_sgemm_packed(long m, long n, long k, const float *a, long lda, const float *packed, const float *bias,
                          float *c, long ldc) {
  multiply(best_isa(), m, n, k, a, lda, NULL, packed, bias, c, ldc, 0);
}

void convlab_sgemm_packed_add(long m, long n, long k, const float *a, long lda, const float *packed, float *c, long ldc) {
  multiply(best_isa(), m, n, k, a, lda, NULL, packed, NULL, c, ldc, 1);
}

void convlab_sgemm_packed_isa(int isa, long m, long n, long k, const float *a, long lda, const float *packed,
                              const float *bias, float *c, long ldc) {
  multiply(isa, m, n, k, a, lda, NULL, packed, bias, c, ldc, 0);
}

void convlab_sgemm_packed_add_isa(int isa, long m, long n, long k, const float *a, long lda, const float *packed,
                                  float *c, long ldc) {
  multiply(isa, m, n, k, a, lda, NULL, packed, NULL, c, ldc, 1);
}

void convlab_sgemm_shifted(int isa, long m, long n, long k, const float *a, const long *offsets, const float *packed,
                           const float *bias, float *c, long ldc) {
  multiply(isa < 0 ? best_isa() : isa, m, n, k, a, 0, offsets, packed, bias, c, ldc, 0);
}

void convlab_sgemm_shifted_add(int isa, long m, long n, long k, const float *a, const long *offsets, const float *packed,
                               float *c, long ldc) {
  multiply(isa < 0 ? best_isa() : isa, m, n, k, a, 0, offsets, packed, NULL, c, ldc, 1);
}
