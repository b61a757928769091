/* Whole-file reads of regular files, and all-or-nothing replacement. */
#include "clrt_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

bool clrt_file_write_all(int fd, const void *data, size_t size) {
  const char *next = data;
  while (size > 0) {
    ssize_t wrote = write(fd, next, size);
    if (wrote < 0 && errno == EINTR)
      continue;
    if (wrote <= 0)
      return false;
    next += wrote;
    size -= (size_t)wrote;
  }
  return true;
}

void clrt_file_folder(const char *path, char *out, size_t size) {
  const char *slash = strrchr(path, '/');
  if (!slash)
    snprintf(out, size, ".");
  else if (slash == path)
    snprintf(out, size, "/");
  else
    snprintf(out, size, "%.*s", (int)(slash - path), path);
}

void clrt_file_sync_folder(const char *path) {
  char folder[4096];
  clrt_file_folder(path, folder, sizeof folder);
  int fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

clrt_status clrt_file_check_destination(const char *option, const char *path, clrt_error *err) {
  struct stat info;
  /* The new file is renamed over an existing one: only a file may be. */
  if (stat(path, &info) == 0 && !S_ISREG(info.st_mode))
    return clrt_fail(err, CLRT_ERR_INPUT, "%s %s: %s is there; name a file", option, path,
                     S_ISDIR(info.st_mode) ? "a directory" : "a special file (FIFO, device or socket)");
  char directory[4096];
  clrt_file_folder(path, directory, sizeof directory);
  if (stat(directory, &info) != 0 || !S_ISDIR(info.st_mode))
    return clrt_fail(err, CLRT_ERR_INPUT, "%s %s: directory '%s' does not exist; create it first", option, path,
                     directory);
  if (access(directory, W_OK) != 0)
    return clrt_fail(err, CLRT_ERR_INPUT, "%s %s: directory '%s' is not writable (%s)", option, path, directory,
                     strerror(errno));
  return CLRT_OK;
}

int clrt_file_temporary(const char *path, char **temporary) {
  size_t length = strlen(path) + sizeof ".tmp-XXXXXX";
  *temporary = malloc(length);
  if (!*temporary) {
    errno = ENOMEM;
    return -1;
  }
  snprintf(*temporary, length, "%s.tmp-XXXXXX", path);
  int fd = mkstemp(*temporary);
  if (fd < 0) {
    int saved = errno;
    free(*temporary);
    *temporary = NULL;
    errno = saved;
  }
  return fd;
}

bool clrt_file_replace(const char *path, const clrt_file_part *parts, size_t count) {
  char *temporary;
  int fd = clrt_file_temporary(path, &temporary);
  if (fd < 0)
    return false;
  bool written = true;
  for (size_t i = 0; written && i < count; ++i)
    written = clrt_file_write_all(fd, parts[i].data, parts[i].size);
  written = written && fsync(fd) == 0;
  written = close(fd) == 0 && written;
  written = written && rename(temporary, path) == 0;
  if (written)
    clrt_file_sync_folder(path);
  else
    unlink(temporary);
  free(temporary);
  return written;
}
