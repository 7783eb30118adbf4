// CPU launchers of the CUDA kernels' bodies (see Sources/ConvLabCUDA/Kernels/convlab_kernels.h).
#ifndef CONVLAB_KERNELS_CPU_H
#define CONVLAB_KERNELS_CPU_H
#include "../../ConvLabCUDA/Kernels/convlab_kernels.h"

void cl_cpu_im2row(const double *x, double *phi, cl_conv_geometry g);
void cl_cpu_row2im(const double *phi, double *dx, cl_conv_geometry g);
void cl_cpu_pool_forward(const double *x, double *y, cl_pool_geometry g, int method);
void cl_cpu_pool_backward(const double *x, const double *dzdy, double *dx, cl_pool_geometry g, int method);
#endif
