// The micro-kernel alone, one core, A in cache: GFLOP/s of the AVX2 (isa 1) and AVX-512 (isa 2)
// tiles on C = A·B for A m × k, B k × n (best of 20 × 20 calls). Build and run: see run.sh.
#include "CConvLabSupport.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}
int main(int argc, char **argv) {
  if (argc < 4) return 2;
  long m = atol(argv[1]), k = atol(argv[2]), n = atol(argv[3]);
  float *a = malloc(4 * m * k), *b = malloc(4 * k * n), *c = malloc(4 * m * n), *pk = malloc(4 * convlab_sgemm_packed_count(k, n));
  for (long i = 0; i < m * k; i++) a[i] = rand() / (float)RAND_MAX;
  for (long i = 0; i < k * n; i++) b[i] = rand() / (float)RAND_MAX;
  convlab_sgemm_pack(b, k, k, n, pk);
  printf("m %ld k %ld n %ld (best isa here: %d)\n", m, k, n, convlab_sgemm_isa());
  for (int isa = 1; isa <= convlab_sgemm_isa(); isa++) {
    double best = 1e9;
    for (int r = 0; r < 20; r++) {
      double t = now();
      for (int it = 0; it < 20; it++) convlab_sgemm_packed_isa(isa, m, n, k, a, m, pk, NULL, c, m);
      t = (now() - t) / 20;
      if (t < best) best = t;
    }
    printf("  isa %d: %.1f GFLOP/s\n", isa, 2.0 * m * n * k / best / 1e9);
  }
  return 0;
}
