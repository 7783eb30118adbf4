// ConvLab's CUDA kernels, compiled at first use by NVRTC for the device's compute capability.
// The kernels themselves are in convlab_kernels.inc, written once for both precisions and
// compiled for the CPU as well (Sources/CConvLabKernels), where the tests run them.
#include "convlab_kernels.h"

#include "convlab_precisions.inc"
