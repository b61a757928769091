/* The output file's whole life: a temporary file beside it from before the
 * render, PNG bands compressed into it while the render goes on, the other
 * formats encoded at the end; then made durable (fsync) and renamed into
 * place, or removed. No partial or corrupt file is ever left under the
 * output's name, and an existing one stays as it was until the new one is
 * complete. */
#ifndef CLRT_OUTPUT_H
#define CLRT_OUTPUT_H

#include "clrt_error.h"
#include "clrt_film.h"
#include "clrt_image.h"
#include "clrt_png.h"

typedef struct clrt_output clrt_output;

/* Creates the temporary file beside `path` (whose extension names the
 * format). `png` is for PNG, but its stop flag holds for every format:
 * once it is set the file is given up, even while it is being written. */
clrt_status clrt_output_open(const char *path, const clrt_png_settings *png, clrt_output **output, clrt_error *err);

/* A PNG is compressed band by band as the film completes them (other
 * formats wait for clrt_output_commit). */
clrt_status clrt_output_stream(clrt_output *output, clrt_film *film, clrt_error *err);

/* Finishes the file with `image` (the film's picture), makes it durable
 * and renames it into place; on failure removes it. Frees the output. */
clrt_status clrt_output_commit(clrt_output *output, const clrt_image_view *image, clrt_error *err);

/* Removes the temporary file. Frees the output; NULL is fine. */
void clrt_output_discard(clrt_output *output);

#endif /* CLRT_OUTPUT_H */
