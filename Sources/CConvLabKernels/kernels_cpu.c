// The GPU kernels' bodies run on the CPU: every grid-stride loop of convlab.cu, executed
// sequentially over all indices, so the tests check the index arithmetic without a GPU.
#include "convlab_kernels_cpu.h"

CL_DEFINE_BODIES(double, f64)

void cl_cpu_im2row(const double *x, double *phi, cl_conv_geometry g) {
  long total = (long)g.n * g.oh * g.ow * g.kh * g.kw * g.d;
  for (long e = 0; e < total; e++) cl_im2row_f64(e, x, phi, g);
}

void cl_cpu_row2im(const double *phi, double *dx, cl_conv_geometry g) {
  long total = (long)g.h * g.w * g.d * g.n;
  for (long e = 0; e < total; e++) cl_row2im_f64(e, phi, dx, g);
}

void cl_cpu_pool_forward(const double *x, double *y, cl_pool_geometry g, int method) {
  long total = (long)g.oh * g.ow * g.slabs;
  for (long e = 0; e < total; e++) cl_pool_forward_f64(e, x, y, g, method);
}

void cl_cpu_pool_backward(const double *x, const double *dzdy, double *dx, cl_pool_geometry g, int method) {
  long total = (long)g.h * g.w * g.slabs;
  for (long e = 0; e < total; e++) cl_pool_backward_f64(e, x, dzdy, dx, g, method);
}
