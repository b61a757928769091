/* Whole-file reads of regular files. */
#include "clrt_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads until end of file: the size from fstat is only a first guess. */
static clrt_status read_all(int fd, const char *path, size_t guess, char **data, size_t *size, clrt_error *err) {
  size_t capacity = guess + 1, used = 0;
  char *buffer = malloc(capacity + 1);
  for (;;) {
    if (!buffer)
      return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: out of memory reading %zu bytes", path, capacity);
    ssize_t got = read(fd, buffer + used, capacity - used);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      free(buffer);
      return clrt_fail(err, CLRT_ERR_INPUT, "%s: cannot read: %s", path, strerror(errno));
    }
    if (got == 0)
      break;
    used += (size_t)got;
    if (used == capacity) {
      capacity *= 2;
      char *grown = realloc(buffer, capacity + 1);
      if (!grown)
        free(buffer);
      buffer = grown;
    }
  }
  buffer[used] = '\0';
  *data = buffer;
  *size = used;
  return CLRT_OK;
}

clrt_status clrt_file_read(const char *path, const char *what, char **data, size_t *size, clrt_error *err) {
  *data = NULL;
  *size = 0;
  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return clrt_fail(err, CLRT_ERR_INPUT, "%s: cannot open %s: %s", path, what, strerror(errno));
  struct stat info;
  clrt_status status = CLRT_OK;
  if (fstat(fd, &info) != 0)
    status = clrt_fail(err, CLRT_ERR_INPUT, "%s: cannot read %s: %s", path, what, strerror(errno));
  else if (!S_ISREG(info.st_mode))
    status = clrt_fail(err, CLRT_ERR_INPUT, "%s: %s must be a regular file, not a %s", path, what,
                       S_ISDIR(info.st_mode) ? "directory" : "special file (FIFO, device or socket)");
  else
    status = read_all(fd, path, (size_t)info.st_size, data, size, err);
  close(fd);
  return status;
}
