// The kernel source text, embedded in the binary for NVRTC (ConvLabCUDA compiles convlab.cu
// with the other files as its headers). The CPU build (kernels_cpu.c) #includes the very same
// files, so this target alone owns the kernels and the GPU can never run other text than the
// tests checked on the CPU.
#include <stddef.h>
#include "convlab_kernels_cpu.h"

// #embed (C23) is what clang offers for a file's bytes; the C mode of the build is older.
#pragma clang diagnostic ignored "-Wc23-extensions"

static const char convlab_cu[] = {
#embed "shared/convlab.cu"
  , 0};
static const char convlab_kernels_h[] = {
#embed "shared/convlab_kernels.h"
  , 0};
static const char convlab_kernels_inc[] = {
#embed "shared/convlab_kernels.inc"
  , 0};
static const char convlab_precisions_inc[] = {
#embed "shared/convlab_precisions.inc"
  , 0};

static const struct { const char *name; const char *text; } sources[] = {
  {"convlab.cu", convlab_cu},
  {"convlab_kernels.h", convlab_kernels_h},
  {"convlab_kernels.inc", convlab_kernels_inc},
  {"convlab_precisions.inc", convlab_precisions_inc},
};

int cl_kernel_source_count(void) { return (int)(sizeof sources / sizeof sources[0]); }

const char *cl_kernel_source_name(int k) { return k >= 0 && k < cl_kernel_source_count() ? sources[k].name : NULL; }

const char *cl_kernel_source_text(int k) { return k >= 0 && k < cl_kernel_source_count() ? sources[k].text : NULL; }
