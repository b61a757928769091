/* Whole files: reading scene files, cached program binaries and stored
 * tile choices, and replacing cache files all at once. Only regular files
 * are read, so a directory or a FIFO given by mistake gets a clear message
 * instead of a parse error or a hang. */
#ifndef CLRT_FILE_H
#define CLRT_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "clrt_error.h"

/* The whole of `path`, NUL-terminated (the terminator is not counted in
 * *size); free it. `what` names the file in messages ("the scene file").
 * Errors are input errors: the path is the user's to fix. */
clrt_status clrt_file_read(const char *path, const char *what, char **data, size_t *size, clrt_error *err);

/* One piece of a file's new content. */
typedef struct clrt_file_part {
  const void *data;
  size_t size;
} clrt_file_part;

/* The folder of a path's file, in `out`: "." for a bare name, "/" for a
 * file at the root. */
void clrt_file_folder(const char *path, char *out, size_t size);

/* Writes all `size` bytes (again after EINTR and short writes); false,
 * errno saying why, when it cannot. */
bool clrt_file_write_all(int fd, const void *data, size_t size);

/* Makes a file's creation or renaming durable: the entry in its folder is
 * data too (fsync of the folder). */
void clrt_file_sync_folder(const char *path);

/* Whether a file can be written at `path` (given with `option`, which
 * messages name): its folder exists and is writable, and nothing but a
 * regular file is there already. Input errors, before any work. */
clrt_status clrt_file_check_destination(const char *option, const char *path, clrt_error *err);

/* Creates `<path>.tmp-XXXXXX` beside `path`, with an unpredictable name
 * (mkstemp, mode 0600): its name goes to *temporary (free it), the open
 * descriptor is returned. -1 (and *temporary NULL) on failure, errno
 * saying why. */
int clrt_file_temporary(const char *path, char **temporary);

/* Replaces `path` with the parts, all or nothing: they go to a temporary
 * file with an unpredictable name beside it (mode 0600), which is synced
 * to disk and renamed over `path`, so a crash or power cut leaves the old
 * file or the new one, never a piece. False (and no temporary left) on
 * failure. */
bool clrt_file_replace(const char *path, const clrt_file_part *parts, size_t count);

#endif /* CLRT_FILE_H */
