/* Image files through stb_image_write, written atomically. */
#define _POSIX_C_SOURCE 200809L
#include "clrt_image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stb_image_write.h>

/* JPEG quality (1..100): high, since renders have smooth gradients. */
#define CLRT_JPEG_QUALITY 95

enum { CLRT_RGB_CHANNELS = 3 };

static const struct {
  const char *extension;
  clrt_image_format format;
} FORMATS[] = {{".png", CLRT_FORMAT_PNG}, {".jpg", CLRT_FORMAT_JPG}, {".jpeg", CLRT_FORMAT_JPG},
               {".bmp", CLRT_FORMAT_BMP}, {".tga", CLRT_FORMAT_TGA}, {".hdr", CLRT_FORMAT_HDR}};

clrt_status clrt_image_format_of(const char *path, clrt_image_format *format, clrt_error *err) {
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  for (size_t i = 0; dot && (!slash || dot > slash) && i < sizeof FORMATS / sizeof FORMATS[0]; ++i) {
    if (strcasecmp(dot, FORMATS[i].extension) == 0) {
      *format = FORMATS[i].format;
      return CLRT_OK;
    }
  }
  return clrt_fail(err, CLRT_ERR_INPUT, "-o %s: unknown image format; use .png, .jpg, .bmp, .tga or .hdr (linear)",
                   path);
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
  clrt_image_format format;
  clrt_status status = clrt_image_format_of(path, &format, err);
  if (status != CLRT_OK)
    return status;
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

typedef struct file_sink {
  FILE *file;
  int failed;
} file_sink;

static void write_to_sink(void *context, void *data, int size) {
  file_sink *sink = context;
  if (fwrite(data, 1, (size_t)size, sink->file) != (size_t)size)
    sink->failed = 1;
}

static int encode(clrt_image_format format, const clrt_image_view *image, file_sink *sink) {
  int w = (int)image->width, h = (int)image->height, n = CLRT_RGB_CHANNELS;
  switch (format) {
  case CLRT_FORMAT_PNG:
    return stbi_write_png_to_func(write_to_sink, sink, w, h, n, image->rgb, w * n);
  case CLRT_FORMAT_JPG:
    return stbi_write_jpg_to_func(write_to_sink, sink, w, h, n, image->rgb, CLRT_JPEG_QUALITY);
  case CLRT_FORMAT_BMP:
    return stbi_write_bmp_to_func(write_to_sink, sink, w, h, n, image->rgb);
  case CLRT_FORMAT_TGA:
    return stbi_write_tga_to_func(write_to_sink, sink, w, h, n, image->rgb);
  case CLRT_FORMAT_HDR:
    return stbi_write_hdr_to_func(write_to_sink, sink, w, h, n, image->linear);
  }
  return 0;
}

/* The permissions a plainly created file would get (mkstemp uses 0600). */
static mode_t default_file_mode(void) {
  mode_t mask = umask(0);
  umask(mask);
  return 0666 & ~mask;
}

static clrt_status write_temporary(int fd, const char *path, clrt_image_format format, const clrt_image_view *image,
                                   clrt_error *err) {
  file_sink sink = {fdopen(fd, "wb"), 0};
  if (!sink.file) {
    close(fd);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
  }
  int encoded = encode(format, image, &sink);
  int flushed = fflush(sink.file) == 0 && fsync(fileno(sink.file)) == 0;
  int closed = fclose(sink.file) == 0;
  if (!encoded || sink.failed || !flushed || !closed)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: writing the image failed: %s", path,
                     encoded ? strerror(errno) : "encoder error");
  return CLRT_OK;
}

/* Encodes into a temporary file beside `path`, then renames it into place. */
static clrt_status write_atomically(const char *path, clrt_image_format format, const clrt_image_view *image,
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
    status = write_temporary(fd, path, format, image, err);
  else if (fd >= 0)
    close(fd);
  if (status == CLRT_OK && rename(temporary, path) != 0)
    status =
        clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot move the finished file into place: %s", path, strerror(errno));
  if (status != CLRT_OK && fd >= 0)
    unlink(temporary);
  free(temporary);
  return status;
}

bool clrt_image_format_is_linear(clrt_image_format format) { return format == CLRT_FORMAT_HDR; }

clrt_status clrt_image_write(const char *path, const clrt_image_view *image, clrt_error *err) {
  clrt_image_format format;
  clrt_status status = clrt_image_format_of(path, &format, err);
  if (status != CLRT_OK)
    return status;
  if (clrt_image_format_is_linear(format) ? !image->linear : !image->rgb)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: the picture holds %s colour, not what this format stores", path,
                     image->linear ? "linear" : "8-bit");
  return write_atomically(path, format, image, err);
}
