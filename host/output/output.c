/* The output file: temporary, streamed or encoded, then durable and in
 * place (clrt_output.h). */
#include "clrt_output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clrt_file.h"
#include "clrt_png.h"
#include "clrt_stop.h"

struct clrt_output {
  char *path;
  char *temporary;
  int fd;
  clrt_image_format format;
  clrt_png_settings png_settings;
  clrt_png_encoder *png; /* while a PNG streams */
};

/* The permissions a plainly created file would get (mkstemp uses 0600). */
static mode_t default_file_mode(void) {
  mode_t mask = umask(0);
  umask(mask);
  return 0666 & ~mask;
}

static void free_output(clrt_output *out) {
  free(out->path);
  free(out->temporary);
  free(out);
}

void clrt_output_discard(clrt_output *out) {
  if (!out)
    return;
  clrt_stop_remove_on_signal(NULL);
  if (out->png)
    clrt_png_cancel(out->png);
  if (out->fd >= 0)
    close(out->fd);
  unlink(out->temporary);
  free_output(out);
}

static clrt_status create_temporary(clrt_output *out, clrt_error *err) {
  out->fd = clrt_file_temporary(out->path, &out->temporary);
  if (out->fd < 0)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot create a temporary file beside it: %s", out->path,
                     strerror(errno));
  clrt_stop_remove_on_signal(out->temporary);
  if (fchmod(out->fd, default_file_mode()) != 0)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot set permissions: %s", out->temporary, strerror(errno));
  return CLRT_OK;
}

clrt_status clrt_output_open(const char *path, const clrt_png_settings *png, clrt_output **output, clrt_error *err) {
  *output = NULL;
  clrt_output *out = calloc(1, sizeof *out);
  if (!out)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory");
  out->fd = -1;
  out->png_settings = *png;
  out->path = strdup(path);
  clrt_status status =
      out->path ? clrt_image_format_of(path, &out->format, err) : clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory");
  if (status == CLRT_OK)
    status = create_temporary(out, err);
  if (status != CLRT_OK) {
    if (out->temporary && out->fd >= 0) {
      close(out->fd);
      unlink(out->temporary);
    }
    free_output(out);
    return status;
  }
  *output = out;
  return CLRT_OK;
}

clrt_status clrt_output_stream(clrt_output *out, const clrt_image_view *picture, unsigned *band_rows, clrt_error *err) {
  *band_rows = 0;
  if (out->format != CLRT_FORMAT_PNG || !picture->rgb)
    return CLRT_OK;
  clrt_status status = clrt_png_start(out->fd, out->path, picture->width, picture->height, picture->rgb,
                                      &out->png_settings, &out->png, err);
  if (status == CLRT_OK)
    *band_rows = clrt_png_band_rows(out->png);
  return status;
}

void clrt_output_band_ready(clrt_output *out, unsigned band) { clrt_png_band_ready(out->png, band); }

/* The end of a streamed PNG. */
static clrt_status finish_stream(clrt_output *out, clrt_error *err) {
  clrt_png_encoder *png = out->png;
  out->png = NULL;
  return clrt_png_finish(png, err);
}

static clrt_status move_into_place(clrt_output *out, clrt_error *err) {
  if (fsync(out->fd) != 0)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: writing the image failed: %s", out->path, strerror(errno));
  int closed = close(out->fd);
  out->fd = -1;
  if (closed != 0)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: writing the image failed: %s", out->path, strerror(errno));
  clrt_stop_remove_on_signal(NULL);
  if (rename(out->temporary, out->path) != 0)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot move the finished file into place: %s", out->path,
                     strerror(errno));
  return CLRT_OK;
}

static bool asked_to_stop(const clrt_output *out) { return out->png_settings.stop && *out->png_settings.stop; }

clrt_status clrt_output_commit(clrt_output *out, const clrt_image_view *image, clrt_error *err) {
  clrt_status status = out->png ? finish_stream(out, err)
                                : clrt_image_encode(out->fd, out->path, out->format, image, &out->png_settings, err);
  if (asked_to_stop(out)) /* the last moment to give the file up */
    status = clrt_fail(err, CLRT_ERR_INTERRUPTED, "interrupted while writing %s; no file written", out->path);
  if (status == CLRT_OK)
    status = move_into_place(out, err);
  if (status != CLRT_OK) {
    clrt_output_discard(out);
    return status;
  }
  free_output(out);
  return CLRT_OK;
}

clrt_status clrt_image_write(const char *path, const clrt_image_view *image, clrt_error *err) {
  clrt_png_settings png = {CLRT_PNG_DEFAULT_LEVEL, (int)sysconf(_SC_NPROCESSORS_ONLN), NULL};
  clrt_output *out;
  clrt_status status = clrt_output_open(path, &png, &out, err);
  return status == CLRT_OK ? clrt_output_commit(out, image, err) : status;
}
