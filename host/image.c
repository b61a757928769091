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

/* The sRGB curve (IEC 61966-2-1): linear below the knee, a 2.4 power above. */
#define CLRT_SRGB_KNEE 0.0031308
#define CLRT_SRGB_LINEAR_SLOPE 12.92
#define CLRT_SRGB_SCALE 1.055
#define CLRT_SRGB_OFFSET 0.055
#define CLRT_SRGB_EXPONENT 2.4

/* JPEG quality (1..100): high, since renders have smooth gradients. */
#define CLRT_JPEG_QUALITY 95

enum { CLRT_RGB_CHANNELS = 3 };

static double transfer(double v, const clrt_tone *tone) {
  if (tone->transfer == CLRT_TRANSFER_SRGB)
    return v <= CLRT_SRGB_KNEE ? CLRT_SRGB_LINEAR_SLOPE * v
                               : CLRT_SRGB_SCALE * pow(v, 1.0 / CLRT_SRGB_EXPONENT) - CLRT_SRGB_OFFSET;
  return tone->gamma == 1.0 ? v : pow(v, 1.0 / tone->gamma);
}

static uint8_t quantize(float linear, const clrt_tone *tone) {
  double v = (double)linear * tone->exposure;
  v = v > 0.0 ? (v < 1.0 ? v : 1.0) : 0.0;
  return (uint8_t)(transfer(v, tone) * CLRT_QUANTIZE_SCALE);
}

void clrt_tonemap(const clrt_float4 *framebuffer, size_t pixel_count, const clrt_tone *tone, uint8_t *rgb) {
  for (size_t i = 0; i < pixel_count; ++i) {
    rgb[CLRT_RGB_CHANNELS * i + 0] = quantize(framebuffer[i].x, tone);
    rgb[CLRT_RGB_CHANNELS * i + 1] = quantize(framebuffer[i].y, tone);
    rgb[CLRT_RGB_CHANNELS * i + 2] = quantize(framebuffer[i].z, tone);
  }
}

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

/* What to encode: 8-bit RGB, or linear float RGB for .hdr. */
typedef struct encoding {
  clrt_image_format format;
  unsigned width, height;
  const uint8_t *rgb;
  const float *linear;
} encoding;

static int encode(const encoding *image, file_sink *sink) {
  int w = (int)image->width, h = (int)image->height, n = CLRT_RGB_CHANNELS;
  switch (image->format) {
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

static clrt_status write_temporary(int fd, const char *path, const encoding *image, clrt_error *err) {
  file_sink sink = {fdopen(fd, "wb"), 0};
  if (!sink.file) {
    close(fd);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
  }
  int encoded = encode(image, &sink);
  int flushed = fflush(sink.file) == 0 && fsync(fileno(sink.file)) == 0;
  int closed = fclose(sink.file) == 0;
  if (!encoded || sink.failed || !flushed || !closed)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: writing the image failed: %s", path,
                     encoded ? strerror(errno) : "encoder error");
  return CLRT_OK;
}

/* Encodes into a temporary file beside `path`, then renames it into place. */
static clrt_status write_atomically(const char *path, const encoding *image, clrt_error *err) {
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
    status = write_temporary(fd, path, image, err);
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

clrt_status clrt_image_write_png(const char *path, const uint8_t *rgb, unsigned width, unsigned height,
                                 clrt_error *err) {
  encoding image = {CLRT_FORMAT_PNG, width, height, rgb, NULL};
  return write_atomically(path, &image, err);
}

/* The framebuffer's RGB as packed floats, as the HDR encoder wants. */
static float *linear_rgb(const clrt_float4 *framebuffer, size_t pixels) {
  float *rgb = malloc(pixels * CLRT_RGB_CHANNELS * sizeof *rgb);
  for (size_t i = 0; rgb && i < pixels; ++i) {
    rgb[CLRT_RGB_CHANNELS * i + 0] = framebuffer[i].x;
    rgb[CLRT_RGB_CHANNELS * i + 1] = framebuffer[i].y;
    rgb[CLRT_RGB_CHANNELS * i + 2] = framebuffer[i].z;
  }
  return rgb;
}

clrt_status clrt_image_write(const char *path, const clrt_float4 *framebuffer, unsigned width, unsigned height,
                             const clrt_tone *tone, clrt_error *err) {
  encoding image = {CLRT_FORMAT_PNG, width, height, NULL, NULL};
  clrt_status status = clrt_image_format_of(path, &image.format, err);
  if (status != CLRT_OK)
    return status;
  size_t pixels = (size_t)width * height;
  uint8_t *rgb = NULL;
  float *linear = NULL;
  if (image.format == CLRT_FORMAT_HDR)
    image.linear = linear = linear_rgb(framebuffer, pixels);
  else if ((image.rgb = rgb = malloc(pixels * CLRT_RGB_CHANNELS)))
    clrt_tonemap(framebuffer, pixels, tone, rgb);
  if (!image.rgb && !image.linear)
    status = clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for a %ux%u image", width, height);
  else
    status = write_atomically(path, &image, err);
  free(rgb);
  free(linear);
  return status;
}
