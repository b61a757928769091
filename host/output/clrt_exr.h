/* OpenEXR files, through OpenEXR's C library (OpenEXRCore): the linear
 * picture, half or 32-bit float, and the auxiliary passes as named layers
 * (albedo.R/G/B, normal.X/Y/Z, depth.Z), ZIP-compressed in chunks of 16
 * rows, each chunk converted from the picture as it is written (memory
 * bounded by the picture itself); the picture's notes as string
 * attributes. And the reading back of such a file's colour (clrt compare,
 * the tests). */
#ifndef CLRT_EXR_H
#define CLRT_EXR_H

#include <stdbool.h>

#include "clrt_error.h"
#include "clrt_image.h"

/* Encodes `image` (its linear colour; its aux passes where image->passes
 * names them) into the open file `fd`, written at offsets from where it
 * stands; `name` labels messages. */
clrt_status clrt_exr_encode(int fd, const char *name, const clrt_image_view *image, clrt_error *err);

/* The R, G and B channels of an EXR file's first part, as linear floats
 * (width * height * 3, row-major; the caller frees *rgb); a layer's
 * instead where `layer` is not NULL ("albedo": albedo.R, ...). */
clrt_status clrt_exr_read_rgb(const char *path, const char *layer, unsigned *width, unsigned *height, float **rgb,
                              clrt_error *err);

/* Any one channel ("depth.Z") of an EXR file's first part, as floats
 * (width * height). */
clrt_status clrt_exr_read_channel(const char *path, const char *channel, unsigned *width, unsigned *height,
                                  float **values, clrt_error *err);

/* A string attribute of an EXR file's first part, into value (false when
 * it has none of that name). */
bool clrt_exr_read_attribute(const char *path, const char *key, char *value, size_t size);

#endif /* CLRT_EXR_H */
