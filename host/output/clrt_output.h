/* The output file's whole life: a temporary file beside it from before the
 * render, PNG bands compressed into it while the render goes on, the other
 * formats encoded at the end; then made durable (fsync) and renamed into
 * place, or removed. No partial or corrupt file is ever left under the
 * output's name, and an existing one stays as it was until the new one is
 * complete. */
#ifndef CLRT_OUTPUT_H
#define CLRT_OUTPUT_H

#include "clrt_error.h"
#include "clrt_image.h"
#include "clrt_png.h"

typedef struct clrt_output clrt_output;

/* Creates the temporary file beside `path` (whose extension names the
 * format). `png` is for PNG, but its stop flag holds for every format:
 * once it is set the file is given up, even while it is being written. */
clrt_status clrt_output_open(const char *path, const clrt_png_settings *png, clrt_output **output, clrt_error *err);

/* A PNG is compressed a band of rows at a time while the picture (8-bit:
 * picture->rgb, filled in by the caller) is still being made: this starts
 * that, and *band_rows says how many rows a band holds. For other formats
 * (or a linear picture) *band_rows is 0: they wait for
 * clrt_output_commit. */
clrt_status clrt_output_stream(clrt_output *output, const clrt_image_view *picture, unsigned *band_rows,
                               clrt_error *err);

/* Band `band` of the streamed picture is final: compress it. Safe from
 * any thread, once per band. */
void clrt_output_band_ready(clrt_output *output, unsigned band);

/* Finishes the file with `image`, makes it durable and renames it into
 * place; on failure removes it. Frees the output. A streamed picture must
 * have had every band made ready. */
clrt_status clrt_output_commit(clrt_output *output, const clrt_image_view *image, clrt_error *err);

/* Removes the temporary file. Frees the output; NULL is fine. */
void clrt_output_discard(clrt_output *output);

#endif /* CLRT_OUTPUT_H */
