// The GPU kernels compiled for the CPU: each kernel of convlab_kernels.inc becomes a function
// that runs its body for every index in turn, taking its arguments from the same `void **`
// array cuLaunchKernel takes. Kernels register themselves by name when the program loads, so
// the host code finds them exactly as it finds the GPU's (cuModuleGetFunction).
#include <string.h>
// No contraction into FMA: the GPU build uses --fmad=false, and both must round alike.
#pragma clang fp contract(off)
#include "convlab_kernels_cpu.h"

enum { CL_MAX_KERNELS = 256 };
static struct { const char *name; cl_cpu_kernel kernel; } registry[CL_MAX_KERNELS];
static int registered = 0;

void cl_cpu_register(const char *name, cl_cpu_kernel kernel) {
  if (registered < CL_MAX_KERNELS) { registry[registered].name = name; registry[registered].kernel = kernel; registered++; }
}

cl_cpu_kernel cl_cpu_find(const char *name) {
  for (int k = 0; k < registered; k++)
    if (strcmp(registry[k].name, name) == 0) return registry[k].kernel;
  return 0;
}

int cl_cpu_kernel_count(void) { return registered; }

const char *cl_cpu_kernel_name(int k) { return k >= 0 && k < registered ? registry[k].name : 0; }

#include "shared/convlab_precisions.inc"
