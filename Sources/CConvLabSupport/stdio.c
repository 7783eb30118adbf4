#include "CConvLabSupport.h"
#include <stdio.h>

void convlab_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <errno.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int convlab_rename_exchange(const char *a, const char *b) {
#ifdef SYS_renameat2
  return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#else
  errno = ENOSYS;
  return -1;
#endif
}
