/* Image files: the format the file name asks for, and the encoders: PNG by
 * clrt_png (parallel, zlib), the others by stb_image_write. */
#ifndef CLRT_IMAGE_H
#define CLRT_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clrt_error.h"
#include "clrt_png.h"
#include "clrt_types.h"

typedef enum clrt_image_format {
  CLRT_FORMAT_PNG,
  CLRT_FORMAT_JPG,
  CLRT_FORMAT_BMP,
  CLRT_FORMAT_TGA,
  CLRT_FORMAT_HDR, /* Radiance RGBE: linear colour, not tone-mapped */
  CLRT_FORMAT_EXR, /* OpenEXR: linear colour, half or float, and the auxiliary passes */
} clrt_image_format;

/* The auxiliary passes a picture may carry (--passes), as bits. */
enum {
  CLRT_PASS_ALBEDO = 1u << 0,
  CLRT_PASS_NORMAL = 1u << 1,
  CLRT_PASS_DEPTH = 1u << 2,
};

/* A picture to write: 8-bit RGB (rgb), 16-bit (rgb16: big-endian, as PNG
 * stores it), or linear float RGB (.hdr, .exr); with the auxiliary passes
 * `passes` names from `aux` (.exr), and the notes that say how it was
 * made (PNG, EXR; NULL: none). */
typedef struct clrt_image_view {
  unsigned width, height;
  const uint8_t *rgb;
  const uint8_t *rgb16;
  const float *linear;
  const clrt_pixel_aux *aux;
  unsigned passes;
  bool exr_float; /* 32-bit float channels in an EXR, not half */
  const clrt_picture_notes *notes;
} clrt_image_view;

/* The format from the file name's extension; an unknown one is a usage
 * error. */
clrt_status clrt_image_format_of(const char *path, clrt_image_format *format, clrt_error *err);

/* Whether the format stores linear colour (.hdr, .exr) rather than
 * levels. */
bool clrt_image_format_is_linear(clrt_image_format format);

/* Fails with a usage error, before any rendering, when the output cannot
 * be written: an unknown extension, a directory that does not exist or is
 * not writable, or a directory (or special file) under the output's name. */
clrt_status clrt_image_check_output(const char *path, clrt_error *err);

/* Encodes the picture into the open file `fd` (`name` labels messages);
 * `png` is for PNG. */
clrt_status clrt_image_encode(int fd, const char *name, clrt_image_format format, const clrt_image_view *image,
                              const clrt_png_settings *png, clrt_error *err);

/* Writes the picture to `path` in the format of its extension, at the
 * default PNG level on every core, atomically (clrt_output.h). */
clrt_status clrt_image_write(const char *path, const clrt_image_view *image, clrt_error *err);

#endif /* CLRT_IMAGE_H */
