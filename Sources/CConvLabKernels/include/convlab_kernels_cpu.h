// The GPU kernels run on the CPU (see kernels_cpu.c and shared/), and their source text for NVRTC.
#ifndef CONVLAB_KERNELS_CPU_H
#define CONVLAB_KERNELS_CPU_H
#include "../shared/convlab_kernels.h"

/// The CPU build of the kernel called `name` (e.g. "im2row_f64"), or null.
cl_cpu_kernel cl_cpu_find(const char *name);
/// How many kernels registered, and the name of the k-th.
int cl_cpu_kernel_count(void);
const char *cl_cpu_kernel_name(int k);

/// The kernel source files NVRTC compiles (shared/: convlab.cu and the files it includes),
/// embedded in the binary: how many, and the file name and NUL-terminated text of the k-th
/// (null for k out of range).
int cl_kernel_source_count(void);
const char *cl_kernel_source_name(int k);
const char *cl_kernel_source_text(int k);
#endif
