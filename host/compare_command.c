/* `clrt compare REFERENCE IMAGE`: how near a picture is to a reference
 * of the same scene, by PSNR and SSIM (clrt_image_compare.h): what the
 * denoiser's quality is measured with (docs/finishing.md). */
#include "clrt_commands.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <stb_image.h>

#include "clrt_exr.h"
#include "clrt_image_compare.h"
#include "clrt_tone_map.h"

enum { CLRT_RGB_CHANNELS = 3 };

/* An OpenEXR file's linear colour as display values: through the sRGB
 * curve at exposure 1, clamped to [0, 1], as clrt's 16-bit PNG would
 * store it. */
static clrt_status read_exr(const char *path, unsigned *width, unsigned *height, float **rgb, clrt_error *err) {
  clrt_status status = clrt_exr_read_rgb(path, NULL, width, height, rgb, err);
  if (status != CLRT_OK)
    return status;
  const clrt_tone srgb = {CLRT_TRANSFER_SRGB, 1.0, 1.0};
  size_t channels = (size_t)*width * *height * CLRT_RGB_CHANNELS;
  for (size_t i = 0; i < channels; ++i)
    (*rgb)[i] = (float)clrt_tone_map_exact_16((*rgb)[i], &srgb) / 65535.0f;
  return CLRT_OK;
}

/* Any picture stb_image reads (PNG of 8 or 16 bits, JPEG, BMP, TGA), as
 * its stored values in [0, 1]. */
static clrt_status read_levels(const char *path, unsigned *width, unsigned *height, float **rgb, clrt_error *err) {
  if (access(path, R_OK) != 0)
    return clrt_fail(err, CLRT_ERR_INPUT, "%s: cannot read it: %s", path, strerror(errno));
  int w = 0, h = 0, components = 0;
  stbi_us *levels = stbi_load_16(path, &w, &h, &components, CLRT_RGB_CHANNELS);
  if (!levels)
    return clrt_fail(err, CLRT_ERR_INPUT, "%s: cannot read it as a picture: %s", path, stbi_failure_reason());
  size_t channels = (size_t)w * (size_t)h * CLRT_RGB_CHANNELS;
  *rgb = malloc(channels * sizeof **rgb);
  if (*rgb)
    for (size_t i = 0; i < channels; ++i)
      (*rgb)[i] = (float)levels[i] / 65535.0f;
  stbi_image_free(levels);
  *width = (unsigned)w;
  *height = (unsigned)h;
  return *rgb ? CLRT_OK : clrt_fail(err, CLRT_ERR_RUNTIME, "%s: out of memory for its pixels", path);
}

static clrt_status read_display(const char *path, unsigned *width, unsigned *height, float **rgb, clrt_error *err) {
  const char *dot = strrchr(path, '.');
  return dot && strcasecmp(dot, ".exr") == 0 ? read_exr(path, width, height, rgb, err)
                                             : read_levels(path, width, height, rgb, err);
}

clrt_status clrt_compare_command(const char *reference_path, const char *image_path, FILE *out, clrt_error *err) {
  unsigned rw = 0, rh = 0, iw = 0, ih = 0;
  float *reference = NULL, *image = NULL;
  clrt_status status = read_display(reference_path, &rw, &rh, &reference, err);
  if (status == CLRT_OK)
    status = read_display(image_path, &iw, &ih, &image, err);
  if (status == CLRT_OK && (rw != iw || rh != ih))
    status = clrt_fail(err, CLRT_ERR_INPUT, "%s is %ux%u but the reference %s is %ux%u: compare pictures of one size",
                       image_path, iw, ih, reference_path, rw, rh);
  if (status == CLRT_OK) {
    double psnr = clrt_image_psnr(reference, image, (size_t)rw * rh * CLRT_RGB_CHANNELS);
    double ssim = clrt_image_ssim(reference, image, rw, rh);
    char image_name[CLRT_ERROR_MESSAGE_SIZE / 4], reference_name[CLRT_ERROR_MESSAGE_SIZE / 4];
    clrt_printable(image_path, image_name, sizeof image_name); /* a name cannot forge a line */
    clrt_printable(reference_path, reference_name, sizeof reference_name);
    fprintf(out, "%s against %s (%ux%u): PSNR %.2f dB, SSIM %.4f\n", image_name, reference_name, rw, rh, psnr, ssim);
  }
  free(reference);
  free(image);
  return status;
}
