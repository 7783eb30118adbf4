#include "CConvLabSupport.h"
#include <stdio.h>

void convlab_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
