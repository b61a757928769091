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
