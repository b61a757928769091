/* From the linear framebuffer to an image file: tone mapping to 8 bits and
 * an atomic PNG write (a temporary file renamed into place). */
#ifndef CLRT_IMAGE_H
#define CLRT_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "clrt_error.h"
#include "clrt_types.h"

/* Clamp to [0, 1], raise to 1/gamma, quantise to 8 bits (v * 255.999,
 * truncated, as the PymoniK example does). rgb gets 3 bytes per pixel. */
void clrt_tonemap(const clrt_float4 *framebuffer, size_t pixel_count, double gamma, uint8_t *rgb);

/* Fails with a usage error, before any rendering, when the output cannot
 * be written: not a .png name, or a directory that does not exist. */
clrt_status clrt_image_check_output(const char *path, clrt_error *err);

/* Writes the PNG to a temporary file beside `path` and renames it into
 * place, so a failure never leaves a partial file. */
clrt_status clrt_image_write_png(const char *path, const uint8_t *rgb, unsigned width, unsigned height,
                                 clrt_error *err);

#endif /* CLRT_IMAGE_H */
