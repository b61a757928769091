/* Tone mapping and PNG output through stb_image_write. */
#define _POSIX_C_SOURCE 200809L
#include "clrt_image.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stb_image_write.h>

/* Just under 256, so that 1.0 maps to 255 and the levels are equally wide. */
#define CLRT_QUANTIZE_SCALE 255.999

enum { CLRT_RGB_CHANNELS = 3 };

static uint8_t quantize(float linear, double inverse_gamma) {
  double v = linear > 0.0f ? (linear < 1.0f ? (double)linear : 1.0) : 0.0;
  if (inverse_gamma != 1.0)
    v = pow(v, inverse_gamma);
  return (uint8_t)(v * CLRT_QUANTIZE_SCALE);
}

void clrt_tonemap(const clrt_float4 *framebuffer, size_t pixel_count, double gamma, uint8_t *rgb) {
  double inverse_gamma = 1.0 / gamma;
  for (size_t i = 0; i < pixel_count; ++i) {
    rgb[CLRT_RGB_CHANNELS * i + 0] = quantize(framebuffer[i].x, inverse_gamma);
    rgb[CLRT_RGB_CHANNELS * i + 1] = quantize(framebuffer[i].y, inverse_gamma);
    rgb[CLRT_RGB_CHANNELS * i + 2] = quantize(framebuffer[i].z, inverse_gamma);
  }
}

static int has_png_extension(const char *path) {
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  return dot && (!slash || dot > slash) && strcasecmp(dot, ".png") == 0;
}

/* The directory part of path ("." when there is none), in `out`. */
static void directory_of(const char *path, char *out, size_t size) {
  const char *slash = strrchr(path, '/');
  if (!slash)
    snprintf(out, size, ".");
  else if (slash == path)
    snprintf(out, size, "/");
  else
    snprintf(out, size, "%.*s", (int)(slash - path), path);
}

clrt_status clrt_image_check_output(const char *path, clrt_error *err) {
  if (!has_png_extension(path))
    return clrt_fail(err, CLRT_ERR_INPUT, "-o %s: the output must be a .png file", path);
  char directory[4096];
  directory_of(path, directory, sizeof directory);
  struct stat info;
  if (stat(directory, &info) != 0 || !S_ISDIR(info.st_mode))
    return clrt_fail(err, CLRT_ERR_INPUT, "-o %s: directory '%s' does not exist; create it first", path, directory);
  if (access(directory, W_OK) != 0)
    return clrt_fail(err, CLRT_ERR_INPUT, "-o %s: directory '%s' is not writable (%s)", path, directory,
                     strerror(errno));
  return CLRT_OK;
}

typedef struct png_sink {
  FILE *file;
  int failed;
} png_sink;

static void write_to_sink(void *context, void *data, int size) {
  png_sink *sink = context;
  if (fwrite(data, 1, (size_t)size, sink->file) != (size_t)size)
    sink->failed = 1;
}

/* The permissions a plainly created file would get (mkstemp uses 0600). */
static mode_t default_file_mode(void) {
  mode_t mask = umask(0);
  umask(mask);
  return 0666 & ~mask;
}

static clrt_status write_temporary(int fd, const char *path, const uint8_t *rgb, unsigned width, unsigned height,
                                   clrt_error *err) {
  png_sink sink = {fdopen(fd, "wb"), 0};
  if (!sink.file) {
    close(fd);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
  }
  int stride = (int)width * CLRT_RGB_CHANNELS;
  int encoded = stbi_write_png_to_func(write_to_sink, &sink, (int)width, (int)height, CLRT_RGB_CHANNELS, rgb, stride);
  int flushed = fflush(sink.file) == 0 && fsync(fileno(sink.file)) == 0;
  int closed = fclose(sink.file) == 0;
  if (!encoded || sink.failed || !flushed || !closed)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: writing the PNG failed: %s", path,
                     encoded ? strerror(errno) : "PNG encoder error");
  return CLRT_OK;
}

clrt_status clrt_image_write_png(const char *path, const uint8_t *rgb, unsigned width, unsigned height,
                                 clrt_error *err) {
  size_t length = strlen(path) + sizeof ".tmp-XXXXXX";
  char *temporary = malloc(length);
  if (!temporary)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory");
  snprintf(temporary, length, "%s.tmp-XXXXXX", path);
  int fd = mkstemp(temporary);
  clrt_status status = CLRT_OK;
  if (fd < 0)
    status = clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot create a temporary file: %s", path, strerror(errno));
  else if (fchmod(fd, default_file_mode()) != 0)
    status = clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot set permissions: %s", temporary, strerror(errno));
  if (status == CLRT_OK)
    status = write_temporary(fd, path, rgb, width, height, err);
  else if (fd >= 0)
    close(fd);
  if (status == CLRT_OK && rename(temporary, path) != 0)
    status = clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot move the finished file into place: %s", path,
                       strerror(errno));
  if (status != CLRT_OK && fd >= 0)
    unlink(temporary);
  free(temporary);
  return status;
}
