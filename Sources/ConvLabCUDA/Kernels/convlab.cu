// ConvLab's CUDA kernels, compiled at first use by NVRTC for the device's compute capability.
// Each is a grid-stride loop over one body from convlab_kernels.h — the same bodies the tests
// run on the CPU (Sources/CConvLabKernels).
#include "convlab_kernels.h"

CL_DEFINE_BODIES(float, f32)
CL_DEFINE_BODIES(double, f64)

#define CL_GRID_STRIDE(e, total) \
  for (long e = blockIdx.x * (long)blockDim.x + threadIdx.x; e < (total); e += (long)blockDim.x * gridDim.x)

#define CL_KERNELS(T, S)                                                                                      \
  extern "C" __global__ void im2row_##S(const T *x, T *phi, cl_conv_geometry g, long total) {                \
    CL_GRID_STRIDE(e, total) cl_im2row_##S(e, x, phi, g);                                                      \
  }                                                                                                           \
  extern "C" __global__ void row2im_##S(const T *phi, T *dx, cl_conv_geometry g, long total) {               \
    CL_GRID_STRIDE(e, total) cl_row2im_##S(e, phi, dx, g);                                                     \
  }                                                                                                           \
  extern "C" __global__ void pool_forward_##S(const T *x, T *y, cl_pool_geometry g, int method, long total) { \
    CL_GRID_STRIDE(e, total) cl_pool_forward_##S(e, x, y, g, method);                                          \
  }                                                                                                           \
  extern "C" __global__ void pool_backward_##S(const T *x, const T *dzdy, T *dx, cl_pool_geometry g, int method, long total) { \
    CL_GRID_STRIDE(e, total) cl_pool_backward_##S(e, x, dzdy, dx, g, method);                                  \
  }                                                                                                           \
  extern "C" __global__ void relu_forward_##S(const T *x, T *y, T leak, long total) {                        \
    CL_GRID_STRIDE(e, total) y[e] = x[e] > (T)0 ? x[e] : leak * x[e];                                         \
  }                                                                                                           \
  extern "C" __global__ void relu_backward_##S(const T *x, const T *dzdy, T *dx, T leak, long total) {       \
    CL_GRID_STRIDE(e, total) dx[e] = x[e] > (T)0 ? dzdy[e] : leak * dzdy[e];                                  \
  }                                                                                                           \
  extern "C" __global__ void sigmoid_forward_##S(const T *x, T *y, long total) {                             \
    CL_GRID_STRIDE(e, total) y[e] = (T)1 / ((T)1 + exp(-x[e]));                                               \
  }                                                                                                           \
  extern "C" __global__ void sigmoid_backward_##S(const T *x, const T *dzdy, T *dx, long total) {            \
    CL_GRID_STRIDE(e, total) { T s = (T)1 / ((T)1 + exp(-x[e])); dx[e] = dzdy[e] * s * ((T)1 - s); }           \
  }                                                                                                           \
  /* y(:, :, k, n) += b(k): one slab of `area` samples per channel k of each image. */                        \
  extern "C" __global__ void channel_bias_##S(T *y, const T *b, long area, int channels, long total) {       \
    CL_GRID_STRIDE(e, total) y[e] += b[(e / area) % channels];                                                \
  }

CL_KERNELS(float, f32)
CL_KERNELS(double, f64)
