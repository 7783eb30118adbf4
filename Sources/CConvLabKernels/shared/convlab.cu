// ConvLab's CUDA kernels, compiled at first use by NVRTC for the device's compute capability.
// The kernels themselves are in convlab_kernels.inc, written once for both precisions and
// compiled for the CPU as well (kernels_cpu.c), where the tests run them. The text reaches NVRTC
// embedded in the binary (kernel_sources.c), so no file needs to ship beside it.
#include "convlab_kernels.h"

#include "convlab_precisions.inc"
