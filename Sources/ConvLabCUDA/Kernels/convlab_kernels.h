/* ConvLab's GPU kernel bodies, shared with the CPU.
 *
 * Every kernel is a grid-stride loop whose body is one of the functions below: for the GPU
 * they are compiled by NVRTC (as __device__ functions, see the .cu files next to this header);
 * for the tests the very same text is compiled by the C compiler (Sources/CConvLabKernels) and
 * run over every index on the CPU, so the index arithmetic is checked without a GPU.
 *
 * Layout: MatConvNet's column-major H×W×D×N (H fastest). Gathers only (no atomics): every
 * output element sums what it needs, so results do not depend on thread order.
 */
#ifndef CONVLAB_KERNELS_H
#define CONVLAB_KERNELS_H

#ifdef __CUDACC_RTC__
#define CL_INLINE __device__ __forceinline__
#else
#define CL_INLINE static inline
#endif

/* A convolution: input h×w×d×n, filters kh×kw, stride, padding (top, bottom, left, right),
 * dilation, output oh×ow (MatConvNet §4.1, eq. 5.3). */
typedef struct {
  int h, w, d, n;
  int kh, kw;
  int sh, sw;
  int pt, pb, pl, pr;
  int dh, dw;
  int oh, ow;
} cl_conv_geometry;

/* A pooling layer on `slabs` = d·n maps of h×w; windows kh×kw, stride, top/left padding. */
typedef struct {
  int h, w, slabs;
  int kh, kw;
  int sh, sw;
  int pt, pl;
  int oh, ow;
} cl_pool_geometry;

/* φ(x) for a batch (MatConvNet §6.1 im2row): rows n·oh·ow (image-major, then i″ + oh·j″),
 * columns kh·kw·d (i′ + kh·(j′ + kw·c)), column-major. Returns the vec index of x that
 * element e of φ reads, or −1 for padding. */
CL_INLINE long cl_im2row_source(long e, cl_conv_geometry g) {
  long area = (long)g.oh * g.ow, rows = area * g.n;
  long r = e % rows, q = e / rows;
  long img = r / area, p = r % area;
  int i2 = (int)(p % g.oh), j2 = (int)(p / g.oh);
  int i1 = (int)(q % g.kh), j1 = (int)((q / g.kh) % g.kw), c = (int)(q / ((long)g.kh * g.kw));
  int i = g.sh * i2 + g.dh * i1 - g.pt, j = g.sw * j2 + g.dw * j1 - g.pl;
  if (i < 0 || i >= g.h || j < 0 || j >= g.w) return -1;
  return i + (long)g.h * (j + (long)g.w * (c + (long)g.d * img));
}

/* φ*(·) as a gather (row2im): for element e of dz/dx and filter tap t = i′ + kh·j′, the index
 * of the φ entry that read x_e through that tap, or −1 when no output did. */
CL_INLINE long cl_row2im_source(long e, int t, cl_conv_geometry g) {
  long plane = (long)g.h * g.w;
  int i = (int)(e % g.h), j = (int)((e / g.h) % g.w);
  long c = (e / plane) % g.d, img = e / (plane * g.d);
  int i1 = t % g.kh, j1 = t / g.kh;
  int ni = i + g.pt - g.dh * i1, nj = j + g.pl - g.dw * j1;
  if (ni < 0 || nj < 0 || ni % g.sh != 0 || nj % g.sw != 0) return -1;
  int i2 = ni / g.sh, j2 = nj / g.sw;
  if (i2 >= g.oh || j2 >= g.ow) return -1;
  long area = (long)g.oh * g.ow, rows = area * g.n;
  long r = img * area + i2 + (long)g.oh * j2;
  long q = i1 + (long)g.kh * (j1 + (long)g.kw * c);
  return r + rows * q;
}

/* The in-bounds window of pooling output e: rows [*r0, *r1), columns [*c0, *c1) of the slab
 * starting at *base (MatConvNet §4.3: windows past the input see only existing samples). */
CL_INLINE void cl_pool_window(long e, cl_pool_geometry g, long *base, int *r0, int *r1, int *c0, int *c1) {
  long area = (long)g.oh * g.ow;
  long slab = e / area, p = e % area;
  int i2 = (int)(p % g.oh), j2 = (int)(p / g.oh);
  int rs = g.sh * i2 - g.pt, cs = g.sw * j2 - g.pl;
  *r0 = rs < 0 ? 0 : rs;
  *r1 = rs + g.kh > g.h ? g.h : rs + g.kh;
  *c0 = cs < 0 ? 0 : cs;
  *c1 = cs + g.kw > g.w ? g.w : cs + g.kw;
  *base = slab * (long)g.h * g.w;
}

/* The pooling outputs whose windows contain input element e: i″ in [*i0, *i1), j″ in [*j0, *j1). */
CL_INLINE void cl_pool_outputs_of(long e, cl_pool_geometry g, long *slab, int *i0, int *i1, int *j0, int *j1) {
  int i = (int)(e % g.h), j = (int)((e / g.h) % g.w);
  *slab = e / ((long)g.h * g.w);
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

/* Kernel bodies for element type T, named with suffix S (f32, f64). method: 0 max, 1 avg,
 * 2 max+avg (Milisavljevic §3). */
#define CL_DEFINE_BODIES(T, S)                                                                      \
  CL_INLINE void cl_im2row_##S(long e, const T *x, T *phi, cl_conv_geometry g) {                  \
    long s = cl_im2row_source(e, g);                                                                \
    phi[e] = s >= 0 ? x[s] : (T)0;                                                                  \
  }                                                                                                 \
  CL_INLINE void cl_row2im_##S(long e, const T *phi, T *dx, cl_conv_geometry g) {                 \
    T sum = (T)0;                                                                                   \
    for (int t = 0; t < g.kh * g.kw; t++) {                                                         \
      long s = cl_row2im_source(e, t, g);                                                           \
      if (s >= 0) sum += phi[s];                                                                    \
    }                                                                                               \
    dx[e] = sum;                                                                                    \
  }                                                                                                 \
  /* The first maximum (column-major) of output e's window, as a vec index of x; −1 if empty. */  \
  CL_INLINE long cl_pool_argmax_##S(long e, const T *x, cl_pool_geometry g) {                     \
    long base; int r0, r1, c0, c1;                                                                  \
    cl_pool_window(e, g, &base, &r0, &r1, &c0, &c1);                                                \
    long best = -1;                                                                                 \
    for (int c = c0; c < c1; c++)                                                                   \
      for (int r = r0; r < r1; r++) {                                                               \
        long k = base + r + (long)g.h * c;                                                          \
        if (best < 0 || x[k] > x[best]) best = k;                                                   \
      }                                                                                             \
    return best;                                                                                    \
  }                                                                                                 \
  CL_INLINE void cl_pool_forward_##S(long e, const T *x, T *y, cl_pool_geometry g, int method) {  \
    long base; int r0, r1, c0, c1;                                                                  \
    cl_pool_window(e, g, &base, &r0, &r1, &c0, &c1);                                                \
    T sum = (T)0;                                                                                   \
    for (int c = c0; c < c1; c++)                                                                   \
      for (int r = r0; r < r1; r++) sum += x[base + r + (long)g.h * c];                             \
    long best = cl_pool_argmax_##S(e, x, g);                                                        \
    T average = sum / (T)((r1 - r0) * (c1 - c0));                                                   \
    T maximum = best >= 0 ? x[best] : (T)0;                                                         \
    y[e] = method == 0 ? maximum : method == 1 ? average : maximum + average;                       \
  }                                                                                                 \
  CL_INLINE void cl_pool_backward_##S(long e, const T *x, const T *dzdy, T *dx, cl_pool_geometry g, int method) { \
    long slab; int i0, i1, j0, j1;                                                                  \
    cl_pool_outputs_of(e, g, &slab, &i0, &i1, &j0, &j1);                                            \
    T sum = (T)0;                                                                                   \
    for (int j2 = j0; j2 < j1; j2++)                                                                \
      for (int i2 = i0; i2 < i1; i2++) {                                                            \
        long o = slab * (long)g.oh * g.ow + i2 + (long)g.oh * j2;                                   \
        if (method != 1 && cl_pool_argmax_##S(o, x, g) == e) sum += dzdy[o];                         \
        if (method != 0) {                                                                          \
          long base; int r0, r1, c0, c1;                                                            \
          cl_pool_window(o, g, &base, &r0, &r1, &c0, &c1);                                          \
          sum += dzdy[o] / (T)((r1 - r0) * (c1 - c0));                                              \
        }                                                                                           \
      }                                                                                             \
    dx[e] = sum;                                                                                    \
  }

#endif
