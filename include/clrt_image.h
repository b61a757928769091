/* From the linear framebuffer to an image file: tone mapping to 8 bits and
 * an atomic write (a temporary file renamed into place) in the format the
 * file name asks for. */
#ifndef CLRT_IMAGE_H
#define CLRT_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "clrt_error.h"
#include "clrt_types.h"

/* How linear colour becomes an 8-bit level. */
typedef enum clrt_transfer {
  CLRT_TRANSFER_GAMMA, /* v^(1/gamma) */
  CLRT_TRANSFER_SRGB,  /* the exact sRGB curve */
} clrt_transfer;

typedef struct clrt_tone {
  clrt_transfer transfer;
  double gamma;    /* for CLRT_TRANSFER_GAMMA */
  double exposure; /* linear colour is multiplied by this first */
} clrt_tone;

typedef enum clrt_image_format {
  CLRT_FORMAT_PNG,
  CLRT_FORMAT_JPG,
  CLRT_FORMAT_BMP,
  CLRT_FORMAT_TGA,
  CLRT_FORMAT_HDR, /* Radiance RGBE: the linear framebuffer, not tone-mapped */
} clrt_image_format;

/* Multiply by the exposure, clamp to [0, 1], apply the transfer curve,
 * quantise to 8 bits (v * 255.999, truncated, as the PymoniK example does).
 * rgb gets 3 bytes per pixel. */
void clrt_tonemap(const clrt_float4 *framebuffer, size_t pixel_count, const clrt_tone *tone, uint8_t *rgb);

/* The format from the file name's extension; an unknown one is a usage
 * error. */
clrt_status clrt_image_format_of(const char *path, clrt_image_format *format, clrt_error *err);

/* Fails with a usage error, before any rendering, when the output cannot
 * be written: an unknown extension, or a directory that does not exist. */
clrt_status clrt_image_check_output(const char *path, clrt_error *err);

/* Writes the framebuffer (width*height, top row first) to `path` in the
 * format of its extension: tone-mapped, or linear for .hdr. */
clrt_status clrt_image_write(const char *path, const clrt_float4 *framebuffer, unsigned width, unsigned height,
                             const clrt_tone *tone, clrt_error *err);

/* Writes 8-bit RGB as a PNG, atomically. */
clrt_status clrt_image_write_png(const char *path, const uint8_t *rgb, unsigned width, unsigned height,
                                 clrt_error *err);

#endif /* CLRT_IMAGE_H */
