#include <cblas.h>
// Not declared in every cblas.h: OpenBLAS's own introspection and threading controls.
char *openblas_get_corename(void);
char *openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);
