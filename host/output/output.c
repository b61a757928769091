/* The output file: temporary, streamed or encoded, then durable and in
 * place (clrt_output.h). */
#define _GNU_SOURCE /* O_TMPFILE */
#include "clrt_output.h"

#include <errno.h>
#include <fcntl.h>
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
  char *temporary; /* its name while it has one; NULL while unnamed */
  int fd;
  bool unnamed; /* made with O_TMPFILE: named only once complete */
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
  if (out->temporary)
    unlink(out->temporary);
  free_output(out);
}

/* "/proc/self/fd/N": the path that names an open file for linkat. */
static void fd_path(int fd, char *out, size_t size) { snprintf(out, size, "/proc/self/fd/%d", fd); }

/* A file without a name in the output's folder (O_TMPFILE), which only a
 * complete picture gets (move_into_place): no kill, not even SIGKILL or
 * the OOM killer, can leave part of a picture behind. False where the
 * filesystem cannot (some network and FUSE filesystems have no
 * O_TMPFILE) or /proc is missing (the file could not be named). */
static bool create_unnamed(clrt_output *out) {
  char folder[4096];
  clrt_file_folder(out->path, folder, sizeof folder);
  int fd = open(folder, O_TMPFILE | O_WRONLY | O_CLOEXEC, default_file_mode());
  char named_by[64];
  if (fd >= 0)
    fd_path(fd, named_by, sizeof named_by);
  if (fd >= 0 && access(named_by, F_OK) != 0) {
    close(fd);
    fd = -1;
  }
  out->fd = fd;
  out->unnamed = fd >= 0;
  return out->unnamed;
}

/* Where the picture is written until it is complete: a file without a
 * name, else a named temporary beside the output, removed on the signals
 * clrt can catch. */
static clrt_status create_temporary(clrt_output *out, clrt_error *err) {
  if (create_unnamed(out))
    return CLRT_OK;
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
    if (out->fd >= 0)
      close(out->fd);
    if (out->temporary)
      unlink(out->temporary);
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
static clrt_status finish_stream(clrt_output *out, const clrt_picture_notes *notes, clrt_error *err) {
  clrt_png_encoder *png = out->png;
  out->png = NULL;
  return clrt_png_finish(png, notes, err);
}

/* The complete, unnamed file gets a name beside the output (PATH.tmp-PID-N,
 * the first free one), which it keeps only for the moment until the
 * rename: linkat cannot replace an existing output. */
static clrt_status name_unnamed(clrt_output *out, clrt_error *err) {
  char named_by[64];
  fd_path(out->fd, named_by, sizeof named_by);
  size_t size = strlen(out->path) + 32;
  out->temporary = malloc(size);
  if (!out->temporary)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory");
  for (unsigned n = 0;; ++n) {
    snprintf(out->temporary, size, "%s.tmp-%ld-%u", out->path, (long)getpid(), n);
    if (linkat(AT_FDCWD, named_by, AT_FDCWD, out->temporary, AT_SYMLINK_FOLLOW) == 0)
      break;
    if (errno != EEXIST || n == 1000) {
      int saved = errno;
      free(out->temporary);
      out->temporary = NULL;
      return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot name the finished file in its folder: %s", out->path,
                       strerror(saved));
    }
  }
  clrt_stop_remove_on_signal(out->temporary);
  return CLRT_OK;
}

/* The rename failed (the output's folder changed under it: made
 * read-only, the name taken by a folder): the temporary is removed, and
 * where even that fails, the error says where it is. */
static clrt_status rename_failed(clrt_output *out, int why, clrt_error *err) {
  clrt_stop_remove_on_signal(NULL);
  bool removed = unlink(out->temporary) == 0;
  int unlink_error = errno;
  clrt_status status =
      removed ? clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot move the finished file into place: %s; no file written",
                          out->path, strerror(why))
              : clrt_fail(err, CLRT_ERR_RUNTIME,
                          "%s: cannot move the finished file into place: %s; it is left complete at %s (it could "
                          "not be removed either: %s)",
                          out->path, strerror(why), out->temporary, strerror(unlink_error));
  free(out->temporary);
  out->temporary = NULL;
  return status;
}

static clrt_status move_into_place(clrt_output *out, clrt_error *err) {
  if (fsync(out->fd) != 0)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: writing the image failed: %s", out->path, strerror(errno));
  clrt_status status = out->unnamed ? name_unnamed(out, err) : CLRT_OK;
  int closed = close(out->fd);
  out->fd = -1;
  if (status != CLRT_OK)
    return status;
  if (closed != 0)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: writing the image failed: %s", out->path, strerror(errno));
  if (rename(out->temporary, out->path) != 0)
    return rename_failed(out, errno, err);
  clrt_stop_remove_on_signal(NULL);
  return CLRT_OK;
}

static bool asked_to_stop(const clrt_output *out) { return out->png_settings.stop && *out->png_settings.stop; }

clrt_status clrt_output_commit(clrt_output *out, const clrt_image_view *image, clrt_error *err) {
  clrt_status status = out->png ? finish_stream(out, image->notes, err)
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
  clrt_png_settings png = {CLRT_PNG_DEFAULT_LEVEL, (int)sysconf(_SC_NPROCESSORS_ONLN), NULL, 8};
  clrt_output *out;
  clrt_status status = clrt_output_open(path, &png, &out, err);
  return status == CLRT_OK ? clrt_output_commit(out, image, err) : status;
}
