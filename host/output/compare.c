/* Comparing two 8-bit pictures against the one tolerance. */
#include "clrt_image_compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

clrt_image_difference clrt_image_compare(const uint8_t *a, const uint8_t *b, size_t channels) {
  clrt_image_difference d = {channels, 0, 0};
  for (size_t i = 0; i < channels; ++i) {
    int diff = abs((int)a[i] - (int)b[i]);
    d.large += diff > CLRT_TOLERANCE_SMALL_DIFF;
    d.worst = diff > d.worst ? diff : d.worst;
  }
  return d;
}

bool clrt_image_within_tolerance(const clrt_image_difference *d) {
  return d->worst <= CLRT_TOLERANCE_MAX_DIFF && (double)d->large <= CLRT_TOLERANCE_LARGE_FRACTION * (double)d->channels;
}

/* The largest difference between the means of the same channel of the
 * same block (CLRT_FAST_MATH_BLOCK square, smaller at the edges), in
 * levels. */
static double worst_block_mean(const uint8_t *a, const uint8_t *b, unsigned width, unsigned height) {
  double worst = 0.0;
  for (unsigned y0 = 0; y0 < height; y0 += CLRT_FAST_MATH_BLOCK)
    for (unsigned x0 = 0; x0 < width; x0 += CLRT_FAST_MATH_BLOCK)
      for (unsigned c = 0; c < 3; ++c) {
        long sum = 0, count = 0;
        for (unsigned y = y0; y < y0 + CLRT_FAST_MATH_BLOCK && y < height; ++y)
          for (unsigned x = x0; x < x0 + CLRT_FAST_MATH_BLOCK && x < width; ++x, ++count) {
            size_t i = ((size_t)y * width + x) * 3 + c;
            sum += (long)a[i] - (long)b[i];
          }
        double mean = fabs((double)sum / (double)count);
        worst = mean > worst ? mean : worst;
      }
  return worst;
}

bool clrt_images_agree_fast_math(const uint8_t *a, const uint8_t *b, unsigned width, unsigned height, bool noisy,
                                 char *why, size_t size) {
  if (noisy) {
    double worst = worst_block_mean(a, b, width, height);
    snprintf(why, size, "a %ux%u block's mean is %.2f levels off (at most %.1f under --fast-math)",
             CLRT_FAST_MATH_BLOCK, CLRT_FAST_MATH_BLOCK, worst, CLRT_FAST_MATH_BLOCK_MEAN);
    return worst <= CLRT_FAST_MATH_BLOCK_MEAN;
  }
  clrt_image_difference d = clrt_image_compare(a, b, (size_t)width * height * 3);
  clrt_image_difference_describe(&d, why, size);
  return (double)d.large <= CLRT_TOLERANCE_LARGE_FRACTION * (double)d.channels;
}

void clrt_image_difference_describe(const clrt_image_difference *d, char *out, size_t size) {
  snprintf(out, size, "%zu of %zu channels off by more than %d level, worst %d", d->large, d->channels,
           CLRT_TOLERANCE_SMALL_DIFF, d->worst);
}

double clrt_image_psnr(const float *reference, const float *image, size_t channels) {
  double squares = 0.0;
  for (size_t i = 0; i < channels; ++i) {
    double d = (double)reference[i] - (double)image[i];
    squares += d * d;
  }
  return squares > 0.0 ? 10.0 * log10((double)channels / squares) : INFINITY;
}

/* SSIM's constants for values in [0, 1], and its window. */
#define CLRT_SSIM_C1 (0.01 * 0.01)
#define CLRT_SSIM_C2 (0.03 * 0.03)
#define CLRT_SSIM_SIGMA 1.5
enum { CLRT_SSIM_RADIUS = 5, CLRT_SSIM_PLANES = 5 };

/* The luma of each pixel (Rec. 601, as SSIM is usually measured). */
static void luma_of(const float *rgb, size_t pixels, double *out) {
  for (size_t i = 0; i < pixels; ++i)
    out[i] = 0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2];
}

/* `plane` blurred by the Gaussian window along x (stride 1) or y (stride
 * width), the weights renormalised where the window leaves the picture. */
static void blur_along(const double *plane, double *out, unsigned width, unsigned height, bool along_y,
                       const double *taps) {
  for (unsigned y = 0; y < height; ++y)
    for (unsigned x = 0; x < width; ++x) {
      double sum = 0.0, weights = 0.0;
      for (int k = -CLRT_SSIM_RADIUS; k <= CLRT_SSIM_RADIUS; ++k) {
        long qx = (long)x + (along_y ? 0 : k), qy = (long)y + (along_y ? k : 0);
        if (qx < 0 || qy < 0 || qx >= (long)width || qy >= (long)height)
          continue;
        sum += taps[k + CLRT_SSIM_RADIUS] * plane[(size_t)qy * width + (size_t)qx];
        weights += taps[k + CLRT_SSIM_RADIUS];
      }
      out[(size_t)y * width + x] = sum / weights;
    }
}

double clrt_image_ssim(const float *reference, const float *image, unsigned width, unsigned height) {
  size_t pixels = (size_t)width * height;
  double *planes = malloc(pixels * CLRT_SSIM_PLANES * sizeof *planes), *scratch = malloc(pixels * sizeof *scratch);
  if (!planes || !scratch) {
    free(planes);
    free(scratch);
    return NAN;
  }
  double *x = planes, *y = planes + pixels, *xx = y + pixels, *yy = xx + pixels, *xy = yy + pixels;
  luma_of(reference, pixels, x);
  luma_of(image, pixels, y);
  for (size_t i = 0; i < pixels; ++i) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  double taps[2 * CLRT_SSIM_RADIUS + 1];
  for (int k = -CLRT_SSIM_RADIUS; k <= CLRT_SSIM_RADIUS; ++k)
    taps[k + CLRT_SSIM_RADIUS] = exp(-(double)(k * k) / (2.0 * CLRT_SSIM_SIGMA * CLRT_SSIM_SIGMA));
  for (int p = 0; p < CLRT_SSIM_PLANES; ++p) {
    blur_along(planes + (size_t)p * pixels, scratch, width, height, false, taps);
    blur_along(scratch, planes + (size_t)p * pixels, width, height, true, taps);
  }
  double total = 0.0;
  for (size_t i = 0; i < pixels; ++i) {
    double vx = xx[i] - x[i] * x[i], vy = yy[i] - y[i] * y[i], cov = xy[i] - x[i] * y[i];
    total += (2.0 * x[i] * y[i] + CLRT_SSIM_C1) * (2.0 * cov + CLRT_SSIM_C2) /
             ((x[i] * x[i] + y[i] * y[i] + CLRT_SSIM_C1) * (vx + vy + CLRT_SSIM_C2));
  }
  free(planes);
  free(scratch);
  return total / (double)pixels;
}
