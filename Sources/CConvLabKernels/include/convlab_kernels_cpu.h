// The GPU kernels run on the CPU (see kernels_cpu.c and Sources/ConvLabCUDA/Kernels).
#ifndef CONVLAB_KERNELS_CPU_H
#define CONVLAB_KERNELS_CPU_H
#include "../../ConvLabCUDA/Kernels/convlab_kernels.h"

/// The CPU build of the kernel called `name` (e.g. "im2row_f64"), or null.
cl_cpu_kernel cl_cpu_find(const char *name);
/// How many kernels registered, and the name of the k-th.
int cl_cpu_kernel_count(void);
const char *cl_cpu_kernel_name(int k);
#endif
