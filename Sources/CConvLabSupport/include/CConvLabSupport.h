#ifndef CCONVLABSUPPORT_H
#define CCONVLABSUPPORT_H

/// CPU features that decide which OpenBLAS kernel can run here, read with cpuid and
/// xgetbv (the OS must also save the wide registers, so cpuid bits alone are not enough).
typedef struct {
  int sse42, avx, avx2, fma, avx512f, avx512bw, avx512dq, avx512vl;
  char vendor[13];
} convlab_cpu_features;

convlab_cpu_features convlab_detect_cpu_features(void);
/// Whether the CPU and OS run AVX2 and FMA code (cached after the first call).
int convlab_cpu_has_avx2_fma(void);

/* Makes stdout line-buffered, so progress lines reach logs and pipes as they are printed
   (Swift 6 cannot name the C global `stdout` safely). */
void convlab_line_buffer_stdout(void);

/// Swaps the paths `a` and `b` in one step (Linux renameat2 with RENAME_EXCHANGE): a folder of
/// outputs is replaced as a whole. Returns 0, or -1 with errno (ENOSYS/EINVAL where the kernel
/// or file system cannot, and callers fall back).
int convlab_rename_exchange(const char *a, const char *b);

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


/// Single-precision GEMM for im2row patch blocks (sgemm.c): C = A·B (+ 1·biasᵀ), every matrix
/// column-major. B (k × n) is packed once by convlab_sgemm_pack into panels of 6 columns;
/// A (m × k) and C (m × n) are used in place. AVX2 + FMA where the CPU has them, else a
/// portable loop (callers choose OpenBLAS instead: see convlab_sgemm_has_microkernel).
int convlab_sgemm_has_microkernel(void);
/// Floats of the packed copy of a k × n matrix.
long convlab_sgemm_packed_count(long k, long n);
/// packed ← B (k × n, leading dimension ldb) as ⌈n/6⌉ panels of k rows × 6 columns, zero-padded.
void convlab_sgemm_pack(const float *b, long ldb, long k, long n, float *packed);
/// C (m × n, ldc) = A (m × k, lda) · B, B from convlab_sgemm_pack; `bias` (n floats) is added to
/// every row of C, or nothing when it is NULL.
void convlab_sgemm_packed(long m, long n, long k, const float *a, long lda, const float *packed,
                          const float *bias, float *c, long ldc);
/// packed ← B = Sᵀ (k × n) for a stored n × k matrix S with leading dimension ldb, B[p, j] =
/// S[j + p·ldb], in the panels of convlab_sgemm_pack (the backward pass's Fᵀ).
void convlab_sgemm_pack_transposed(const float *b, long ldb, long k, long n, float *packed);
/// C (m × n, ldc) += A (m × k, lda) · B, B from convlab_sgemm_pack (sums over blocks).
void convlab_sgemm_packed_add(long m, long n, long k, const float *a, long lda, const float *packed, float *c, long ldc);
/// The micro-kernel these functions use here: 2 AVX-512 (a 32 × 6 tile), 1 AVX2 + FMA (16 × 6), 0 portable.
int convlab_sgemm_isa(void);
/// convlab_sgemm_packed and convlab_sgemm_packed_add with the micro-kernel of `isa` (as above;
/// lowered to what this CPU runs), so that tests check every compilation.
void convlab_sgemm_packed_isa(int isa, long m, long n, long k, const float *a, long lda, const float *packed,
                              const float *bias, float *c, long ldc);
void convlab_sgemm_packed_add_isa(int isa, long m, long n, long k, const float *a, long lda, const float *packed,
                                  float *c, long ldc);
/// C (m × n, ldc) = A·B (+ 1·biasᵀ) where column p of A is a shifted copy of one vector:
/// A[i, p] = a[i + offsets[p]] — the patch matrix of a stride-1 convolution laid over its input
/// (ConvLabBlocks/Fast/ShiftedConvolution.swift), read in place instead of written by im2row.
/// B from convlab_sgemm_pack; `isa` as convlab_sgemm_packed_isa, or −1 for this CPU's best.
/// Reads a[i + offsets[p]] for i < m only.
void convlab_sgemm_shifted(int isa, long m, long n, long k, const float *a, const long *offsets, const float *packed,
                           const float *bias, float *c, long ldc);
/// C (m × n, ldc) += A·B with A[i, p] = a[i + offsets[p]], as above (the per-tap filter gradient
/// reads only the output rows of its padded image: offsets skip the rows between columns).
void convlab_sgemm_shifted_add(int isa, long m, long n, long k, const float *a, const long *offsets, const float *packed,
                               float *c, long ldc);

/// dw[s + k·ldw] += Σ_{n < images} Σ_{t < length} x[n·x_stride + offsets[s] + t] · dy[n·dy_stride + k·dy_plane + t]
/// for taps s < `taps` and outputs k < `outputs` (correlate.c): a stride-1 convolution's filter
/// gradient on few channels (Xu (13)), summed along t in SIMD lanes. `length` must be a multiple
/// of 16; reads x[… + offsets[s] + t] and dy[…] for t < length only. `isa` as
/// convlab_sgemm_packed_isa (2 AVX-512, 1 AVX2 + FMA, 0 portable), or −1 for this CPU's best.
void convlab_shifted_correlate(int isa, long images, long length, const float *x, long x_stride, const long *offsets,
                               long taps, const float *dy, long dy_stride, long dy_plane, long outputs, float *dw,
                               long ldw);

/// The direct convolution with output channels in SIMD lanes (direct.c, MatConvNet §4.1's sum):
/// whether it runs here (AVX2 + FMA) and with which tiles (2 AVX-512, 1 AVX2, 0 none), the size
/// and layout of its packed filters (f[s + taps·(d + depth·k)] → 16 filters per vector, per tap s
/// and channel d), and an image laid out pixel by pixel with its padding (padded[(i + ph·j)·depth
/// + d], zeros around x's h × w × depth).
int convlab_direct_available(void);
int convlab_direct_isa(void);
long convlab_direct_packed_count(long taps, long depth, long filters);
void convlab_direct_pack(const float *f, long taps, long depth, long filters, float *packed);
void convlab_direct_layout(const float *x, long h, long w, long depth, long top, long left, long ph, long pw,
                           float *padded);
/// y[i″ + out_h·(j″ + out_w·k)] = bias[k] + Σ_{s, d} f[s, d, k]·x[(stride_h·i″ + ph·stride_w·j″)·depth + offsets[s] + d]
/// for one image: `x` from convlab_direct_layout, `offsets[s]` the offset in floats of tap
/// s = i′ + fh·j′ ((D_h i′ + ph·D_w j′)·depth), `packed` from convlab_direct_pack, `bias` NULL or
/// `filters` floats; `isa` as convlab_direct_isa(), −1 (or more than this CPU has) for the best
/// here. Does nothing where convlab_direct_available() is 0.
void convlab_direct_conv_image(int isa, long out_h, long out_w, long stride_h, long stride_w, long ph, long depth,
                               long fh, long taps, const long *offsets, const float *x, const float *packed,
                               long filters, const float *bias, float *y);

/// One step of an im2row plan (ConvLabBlocks' PatchMatrix.Plan): rows target ..< target + count
/// of a column of φ become zero (zero ≠ 0), or input entries source + step·k, kept only where
/// masks[mask + k] is all ones when mask ≥ 0 (entries that are padding for their image column).
typedef struct {
  long target, source, count, zero, mask;
} convlab_im2row_fill;

/// A tap's fills must be in increasing target order and must not overlap (as PatchMatrix's plans
/// are): the loops below find a window's first fill by binary search and stop after its last.
/// Applies an im2row plan to `channels` channels of one image, rows first ..< first + count of φ
/// only: column t + spatial·c of `buffer` (leading dimension ld, its row 0 is φ's row `first`)
/// gets fills[starts[t] ..< starts[t + 1]] clipped to those rows, reading x + c·plane.
/// AVX2 loops where the CPU has them, unless `baseline` (non-zero: the portable loops, which
/// tests check too).
void convlab_im2row_f32(const float *x, long plane, long channels, long spatial, const long *starts,
                        const convlab_im2row_fill *fills, const int *masks, long step, long first, long count,
                        float *buffer, long ld, int baseline);
/// The adjoint: dx + c·plane accumulates the entries of `buffer` that the same fills copied
/// (zero fills skipped, masked entries only where the mask is set).
void convlab_row2im_add_f32(const float *buffer, long ld, long plane, long channels, long spatial, const long *starts,
                            const convlab_im2row_fill *fills, const int *masks, long step, float *dx, int baseline);
/// The adjoint of convlab_im2row_f32 on rows first ..< first + count of φ only (row 0 of
/// `buffer` is φ's row `first`): each fill clipped to those rows, as im2row clips them.
void convlab_row2im_add_rows_f32(const float *buffer, long ld, long plane, long channels, long spatial,
                                 const long *starts, const convlab_im2row_fill *fills, const int *masks, long step,
                                 long first, long count, float *dx, int baseline);

#endif
