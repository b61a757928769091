/* Reading whole files: scene files, cached program binaries, stored tile
 * choices. Only regular files are read, so a directory or a FIFO given by
 * mistake gets a clear message instead of a parse error or a hang. */
#ifndef CLRT_FILE_H
#define CLRT_FILE_H

#include <stddef.h>

#include "clrt_error.h"

/* The whole of `path`, NUL-terminated (the terminator is not counted in
 * *size); free it. `what` names the file in messages ("the scene file").
 * Errors are input errors: the path is the user's to fix. */
clrt_status clrt_file_read(const char *path, const char *what, char **data, size_t *size, clrt_error *err);

#endif /* CLRT_FILE_H */
