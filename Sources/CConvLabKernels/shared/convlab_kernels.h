/* ConvLab's GPU kernels, shared with the CPU.
 *
 * Every kernel is written once, in convlab_kernels.inc, as the body of a loop over an index e
 * in [0, total). For the GPU, NVRTC compiles it into a grid-stride __global__ function; for the
 * tests, the C compiler compiles the very same text into a function that runs the body for
 * e = 0, 1, …, total − 1 and takes its arguments from the same `void **` array that
 * cuLaunchKernel takes (Sources/CConvLabKernels). The index arithmetic, the argument order and
 * the host code that drives the kernels are therefore all tested without a GPU.
 *
 * Layout: MatConvNet's column-major H×W×D×N (H fastest). Gathers only (no atomics): every
 * output element computes what it needs, so results do not depend on thread order.
 */
#ifndef CONVLAB_KERNELS_H
#define CONVLAB_KERNELS_H

#define CL_EXPAND(...) __VA_ARGS__

/* Two kinds of kernel, written the same way:
 *   CL_KERNELn:    an element-wise gather: the body runs once per index e, on one thread
 *                  (GPU: a grid-stride loop of 256-thread blocks).
 *   CL_REDUCTIONn: one output e per GPU block: the 256 threads of the block run the body
 *                  together, share the terms of a sum with CL_FOR(i, count), and combine their
 *                  partial sums with cl_block_sum (convlab_kernels.inc); the host launches it
 *                  with `reduce` (one block per output). On the CPU, CL_FOR is a plain loop and
 *                  the block sum is the identity, so the same text is a serial sum.
 * On the CPU both are a loop over e = 0 … total − 1. */
#ifdef __CUDACC_RTC__
#define CL_INLINE __device__ __forceinline__
#define CL_EACH_ELEMENT(e, total) \
  for (long e = blockIdx.x * (long)blockDim.x + threadIdx.x; e < total; e += (long)blockDim.x * gridDim.x)
#define CL_EACH_BLOCK(e, total) for (long e = blockIdx.x; e < total; e += gridDim.x)
/* The terms i = 0 … count − 1 of one output's sum, shared by the threads of its block. */
#define CL_FOR(i, count) CL_UNROLL for (long i = threadIdx.x; i < (count); i += blockDim.x)
/* The thread that writes a reduction's output. */
#define CL_LEADER (threadIdx.x == 0)
/* Unroll the next loop (bounds known only at run time) so that its loads are issued back to
 * back instead of each waiting for the one before. */
#define CL_UNROLL _Pragma("unroll 4")
/* extern "C" __global__ void name(params…, long total): the body for each e of the loop. */
#define CL_KERNEL_HEAD(loop, name, params, names, unpacked)                                        \
  CL_INLINE void name##_body(long e, long total, CL_EXPAND params);                                \
  extern "C" __global__ void name(CL_EXPAND params, long total) {                                  \
    loop(e, total) name##_body(e, total, CL_EXPAND names);                                          \
  }                                                                                                 \
  CL_INLINE void name##_body(long e, long total, CL_EXPAND params)
#else
#include <math.h>
#define CL_INLINE static inline
#define CL_FOR(i, count) for (long i = 0; i < (count); i++)
#define CL_LEADER 1
#define CL_UNROLL
typedef void (*cl_cpu_kernel)(void **args);
void cl_cpu_register(const char *name, cl_cpu_kernel kernel);
/* name_cpu(args): the same body for e = 0 … total − 1, arguments unpacked from args[] as
 * cuLaunchKernel would pass them (args[k] points to the k-th argument; total comes last). */
#define CL_KERNEL_HEAD(loop, name, params, names, unpacked)                                        \
  static void name##_body(long e, long total, CL_EXPAND params);                                    \
  static void name##_cpu(void **args) {                                                             \
    long total = *(long *)args[CL_ARITY_##name];                                                    \
    for (long e = 0; e < total; e++) name##_body(e, total, CL_EXPAND unpacked);                     \
  }                                                                                                 \
  __attribute__((constructor)) static void name##_register(void) { cl_cpu_register(#name, name##_cpu); } \
  static void name##_body(long e, long total, CL_EXPAND params)
#endif

/* CL_KERNELn(name, T1, a1, …, Tn, an) { body using e, total, a1 … an }, and CL_REDUCTIONn. */
#define CL_ARG(T, k) (*(T *)args[k])
#ifdef __CUDACC_RTC__
#define CL_KERNEL_N(n, loop, name, params, names, unpacked) CL_KERNEL_HEAD(loop, name, params, names, unpacked)
#else
/* The arity is baked into the CPU launcher through a per-kernel enum constant. */
#define CL_KERNEL_N(n, loop, name, params, names, unpacked) enum { CL_ARITY_##name = n }; CL_KERNEL_HEAD(loop, name, params, names, unpacked)
#endif
#define CL_DEF2(loop, name, T1, a1, T2, a2) \
  CL_KERNEL_N(2, loop, name, (T1 a1, T2 a2), (a1, a2), (CL_ARG(T1, 0), CL_ARG(T2, 1)))
#define CL_DEF3(loop, name, T1, a1, T2, a2, T3, a3) \
  CL_KERNEL_N(3, loop, name, (T1 a1, T2 a2, T3 a3), (a1, a2, a3), (CL_ARG(T1, 0), CL_ARG(T2, 1), CL_ARG(T3, 2)))
#define CL_DEF4(loop, name, T1, a1, T2, a2, T3, a3, T4, a4) \
  CL_KERNEL_N(4, loop, name, (T1 a1, T2 a2, T3 a3, T4 a4), (a1, a2, a3, a4), \
              (CL_ARG(T1, 0), CL_ARG(T2, 1), CL_ARG(T3, 2), CL_ARG(T4, 3)))
#define CL_DEF5(loop, name, T1, a1, T2, a2, T3, a3, T4, a4, T5, a5) \
  CL_KERNEL_N(5, loop, name, (T1 a1, T2 a2, T3 a3, T4 a4, T5 a5), (a1, a2, a3, a4, a5), \
              (CL_ARG(T1, 0), CL_ARG(T2, 1), CL_ARG(T3, 2), CL_ARG(T4, 3), CL_ARG(T5, 4)))
#define CL_DEF6(loop, name, T1, a1, T2, a2, T3, a3, T4, a4, T5, a5, T6, a6) \
  CL_KERNEL_N(6, loop, name, (T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6), (a1, a2, a3, a4, a5, a6), \
              (CL_ARG(T1, 0), CL_ARG(T2, 1), CL_ARG(T3, 2), CL_ARG(T4, 3), CL_ARG(T5, 4), CL_ARG(T6, 5)))
#define CL_DEF7(loop, name, T1, a1, T2, a2, T3, a3, T4, a4, T5, a5, T6, a6, T7, a7) \
  CL_KERNEL_N(7, loop, name, (T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7), (a1, a2, a3, a4, a5, a6, a7), \
              (CL_ARG(T1, 0), CL_ARG(T2, 1), CL_ARG(T3, 2), CL_ARG(T4, 3), CL_ARG(T5, 4), CL_ARG(T6, 5), CL_ARG(T7, 6)))
#define CL_KERNEL2(...) CL_DEF2(CL_EACH_ELEMENT, __VA_ARGS__)
#define CL_KERNEL3(...) CL_DEF3(CL_EACH_ELEMENT, __VA_ARGS__)
#define CL_KERNEL4(...) CL_DEF4(CL_EACH_ELEMENT, __VA_ARGS__)
#define CL_KERNEL5(...) CL_DEF5(CL_EACH_ELEMENT, __VA_ARGS__)
#define CL_KERNEL6(...) CL_DEF6(CL_EACH_ELEMENT, __VA_ARGS__)
#define CL_KERNEL7(...) CL_DEF7(CL_EACH_ELEMENT, __VA_ARGS__)
#define CL_REDUCTION3(...) CL_DEF3(CL_EACH_BLOCK, __VA_ARGS__)
#define CL_REDUCTION5(...) CL_DEF5(CL_EACH_BLOCK, __VA_ARGS__)
#define CL_REDUCTION6(...) CL_DEF6(CL_EACH_BLOCK, __VA_ARGS__)
#define CL_REDUCTION7(...) CL_DEF7(CL_EACH_BLOCK, __VA_ARGS__)

/* Names with the precision suffix: CL_NAME(im2row) is im2row_f32 or im2row_f64. */
#define CL_CAT_(a, b) a##_##b
#define CL_CAT(a, b) CL_CAT_(a, b)
#define CL_NAME(n) CL_CAT(n, CL_SUFFIX)

/* A convolution: input h×w×d×n, filters kh×kw, stride, padding (top, bottom, left, right),
 * dilation, output oh×ow (MatConvNet §4.1, MatConvNet (5.3)). `ds` is the number of channels per image
 * in the buffer (d for one group; the input depth when x points at a group's first channel). */
typedef struct {
  int h, w, d, n;
  int kh, kw;
  int sh, sw;
  int pt, pb, pl, pr;
  int dh, dw;
  int oh, ow;
  int ds;
} cl_conv_geometry;

/* A pooling layer on `slabs` = d·n maps of h×w; windows kh×kw, stride, top/left padding. */
typedef struct {
  int h, w, slabs;
  int kh, kw;
  int sh, sw;
  int pt, pl;
  int oh, ow;
} cl_pool_geometry;

/* Where a block of `k` channels of an H×W×K_total×N tensor sits: pixels per channel (`area`),
 * first channel `offset`, channels per image `channels`, images `n`. A GEMM result for it is
 * the (n·area) × k column-major matrix whose row img·area + p is pixel p of image img. */
typedef struct {
  long area;
  int k, offset, channels, n;
} cl_slab_layout;

/* A loss over x of area pixels × d channels per image: kind (see loss_pixels), top-K. */
typedef struct {
  long area;
  int d, kind, topk;
} cl_loss;

/* Normalizations and distances: LRN (depth N, κ, α, β), spnorm (α, β), pdist (p, no root), the
 * regression losses (kind, scale); pixels per channel `area`, channels d. */
typedef struct {
  long area;
  int d, depth, flag;
  double kappa, alpha, beta;
} cl_norm;

/* SGD with momentum and weight decay: η, μ, λ. */
typedef struct {
  double rate, momentum, decay;
} cl_sgd;

/* a / b and a % b for a, b ≥ 0, in 32-bit arithmetic when both fit in 31 bits — as they do for
 * every tensor under 2³¹ elements. A GPU has no integer divider: 32-bit division is a routine
 * of about twenty instructions, 64-bit several times longer, and the index arithmetic of a
 * gather is mostly division. */
CL_INLINE long cl_div(long a, long b) { return ((a | b) >> 31) == 0 ? (long)((unsigned)a / (unsigned)b) : a / b; }
CL_INLINE long cl_mod(long a, long b) { return ((a | b) >> 31) == 0 ? (long)((unsigned)a % (unsigned)b) : a % b; }

/* φ(x) for a batch (MatConvNet §6.1 im2row) is column-major with rows n·oh·ow (image-major,
 * then i″ + oh·j″) and columns kh·kw·d (i′ + kh·(j′ + kw·c)); entry (row, column) reads input
 * pixel (sh·i″ + dh·i′ − pt, sw·j″ + dw·j′ − pl) of channel c of the row's image (whose images
 * are ds channels apart in x), or 0 in the padding. */

/* Element e of a group's dz/dx (h·w·d·n of them) as an index of the whole tensor. */
CL_INLINE long cl_conv_input_index(long e, cl_conv_geometry g) {
  long plane = (long)g.h * g.w;
  long c = cl_mod(cl_div(e, plane), g.d), img = cl_div(e, plane * g.d);
  return cl_mod(e, plane) + plane * (c + (long)g.ds * img);
}

/* The output index o″ whose window tap lands on input index n′ = s·o″ (n′ = i + pt − dh·i′),
 * or −1 when there is none; stride 1 (the common case) needs no division. */
CL_INLINE int cl_output_of(int n, int stride, int outputs) {
  if (n < 0) return -1;
  if (stride != 1) {
    if (n % stride != 0) return -1;
    n /= stride;
  }
  return n < outputs ? n : -1;
}

/* Channels per element of slab_from_rows / slab_to_rows (the Swift side reads this constant). */
#define CL_SLAB_CHUNK 8

/* Element e of a slab matrix ((n·area) × k) as an index of the H×W×K_total×N tensor. */
CL_INLINE long cl_slab_index(long e, cl_slab_layout s) {
  long rows = s.area * s.n;
  long r = cl_mod(e, rows), c = cl_div(e, rows);
  long img = cl_div(r, s.area), p = cl_mod(r, s.area);
  return p + s.area * (s.offset + c + (long)s.channels * img);
}

/* The in-bounds window of pooling output e: rows [*r0, *r1), columns [*c0, *c1) of the slab
 * starting at *base (MatConvNet §4.3: windows past the input see only existing samples). */
CL_INLINE void cl_pool_window(long e, cl_pool_geometry g, long *base, int *r0, int *r1, int *c0, int *c1) {
  long area = (long)g.oh * g.ow;
  long slab = cl_div(e, area), p = cl_mod(e, area);
  int i2 = (int)cl_mod(p, g.oh), j2 = (int)cl_div(p, g.oh);
  int rs = g.sh * i2 - g.pt, cs = g.sw * j2 - g.pl;
  *r0 = rs < 0 ? 0 : rs;
  *r1 = rs + g.kh > g.h ? g.h : rs + g.kh;
  *c0 = cs < 0 ? 0 : cs;
  *c1 = cs + g.kw > g.w ? g.w : cs + g.kw;
  *base = slab * (long)g.h * g.w;
}

/* The pooling outputs whose windows contain input element e: i″ in [*i0, *i1), j″ in [*j0, *j1). */
CL_INLINE void cl_pool_outputs_of(long e, cl_pool_geometry g, long *slab, int *i0, int *i1, int *j0, int *j1) {
  int i = (int)cl_mod(e, g.h), j = (int)cl_mod(cl_div(e, g.h), g.w);
  *slab = cl_div(e, (long)g.h * g.w);
  /* i″ with sh·i″ − pt ≤ i < sh·i″ − pt + kh. */
  int lo = i + g.pt - g.kh + 1, hi = i + g.pt;
  *i0 = lo <= 0 ? 0 : (lo + g.sh - 1) / g.sh;
  *i1 = hi < 0 ? 0 : hi / g.sh + 1;
  if (*i1 > g.oh) *i1 = g.oh;
  lo = j + g.pl - g.kw + 1; hi = j + g.pl;
  *j0 = lo <= 0 ? 0 : (lo + g.sw - 1) / g.sw;
  *j1 = hi < 0 ? 0 : hi / g.sw + 1;
  if (*j1 > g.ow) *j1 = g.ow;
}

#endif
