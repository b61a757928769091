/* Image formats and their encoders: PNG by clrt_png, the rest by stb_image_write. */
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

#include "clrt_exr.h"
#include "clrt_file.h"
#include "clrt_png.h"

/* JPEG quality (1..100): high, since renders have smooth gradients. */
#define CLRT_JPEG_QUALITY 95

enum { CLRT_RGB_CHANNELS = 3 };

static const struct {
  const char *extension;
  clrt_image_format format;
} FORMATS[] = {{".png", CLRT_FORMAT_PNG}, {".jpg", CLRT_FORMAT_JPG}, {".jpeg", CLRT_FORMAT_JPG},
               {".bmp", CLRT_FORMAT_BMP}, {".tga", CLRT_FORMAT_TGA}, {".hdr", CLRT_FORMAT_HDR},
               {".exr", CLRT_FORMAT_EXR}};

clrt_status clrt_image_format_of(const char *path, clrt_image_format *format, clrt_error *err) {
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  for (size_t i = 0; dot && (!slash || dot > slash) && i < sizeof FORMATS / sizeof FORMATS[0]; ++i) {
    if (strcasecmp(dot, FORMATS[i].extension) == 0) {
      *format = FORMATS[i].format;
      return CLRT_OK;
    }
  }
  return clrt_fail(err, CLRT_ERR_INPUT,
                   "-o %s: unknown image format; use .png, .jpg, .bmp, .tga, or .exr or .hdr (linear)", path);
}

clrt_status clrt_image_check_output(const char *path, clrt_error *err) {
  clrt_image_format format;
  clrt_status status = clrt_image_format_of(path, &format, err);
  return status == CLRT_OK ? clrt_file_check_destination("-o", path, err) : status;
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

/* The formats stb_image_write encodes (all but PNG). */
static int encode_stb(clrt_image_format format, const clrt_image_view *image, file_sink *sink) {
  int w = (int)image->width, h = (int)image->height, n = CLRT_RGB_CHANNELS;
  switch (format) {
  case CLRT_FORMAT_JPG:
    return stbi_write_jpg_to_func(write_to_sink, sink, w, h, n, image->rgb, CLRT_JPEG_QUALITY);
  case CLRT_FORMAT_BMP:
    return stbi_write_bmp_to_func(write_to_sink, sink, w, h, n, image->rgb);
  case CLRT_FORMAT_TGA:
    return stbi_write_tga_to_func(write_to_sink, sink, w, h, n, image->rgb);
  case CLRT_FORMAT_HDR:
    return stbi_write_hdr_to_func(write_to_sink, sink, w, h, n, image->linear);
  case CLRT_FORMAT_PNG:
  case CLRT_FORMAT_EXR:
    break;
  }
  return 0;
}

/* A PNG from a picture that is complete: every band ready at once; 16
 * bits a channel when the picture has them. */
static clrt_status encode_png(int fd, const char *name, const clrt_image_view *image, const clrt_png_settings *png,
                              clrt_error *err) {
  clrt_png_settings settings = *png;
  settings.bit_depth = image->rgb16 ? 16u : 8u;
  clrt_png_encoder *encoder;
  clrt_status status = clrt_png_start(fd, name, image->width, image->height, image->rgb16 ? image->rgb16 : image->rgb,
                                      &settings, &encoder, err);
  if (status != CLRT_OK)
    return status;
  unsigned rows = clrt_png_band_rows(encoder);
  for (unsigned band = 0; band * rows < image->height; ++band)
    clrt_png_band_ready(encoder, band);
  return clrt_png_finish(encoder, image->notes, err);
}

bool clrt_image_format_is_linear(clrt_image_format format) {
  return format == CLRT_FORMAT_HDR || format == CLRT_FORMAT_EXR;
}

clrt_status clrt_image_encode(int fd, const char *name, clrt_image_format format, const clrt_image_view *image,
                              const clrt_png_settings *png, clrt_error *err) {
  if (clrt_image_format_is_linear(format) ? !image->linear : !image->rgb && !image->rgb16)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: the picture holds %s colour, not what this format stores", name,
                     image->linear ? "linear" : "8-bit");
  if (format == CLRT_FORMAT_PNG)
    return encode_png(fd, name, image, png, err);
  if (format == CLRT_FORMAT_EXR)
    return clrt_exr_encode(fd, name, image, err);
  int copy = dup(fd); /* fclose below must not close the caller's descriptor */
  file_sink sink = {copy >= 0 ? fdopen(copy, "wb") : NULL, 0};
  if (!sink.file) {
    if (copy >= 0)
      close(copy);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot write: %s", name, strerror(errno));
  }
  int encoded = encode_stb(format, image, &sink);
  int flushed = fflush(sink.file) == 0;
  int closed = fclose(sink.file) == 0;
  if (!encoded || sink.failed || !flushed || !closed)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: writing the image failed: %s", name,
                     encoded ? strerror(errno) : "encoder error");
  return CLRT_OK;
}
