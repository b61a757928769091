/* Comparing two 8-bit pictures against the one tolerance. */
#include "clrt_image_compare.h"

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

void clrt_image_difference_describe(const clrt_image_difference *d, char *out, size_t size) {
  snprintf(out, size, "%zu of %zu channels off by more than %d level, worst %d", d->large, d->channels,
           CLRT_TOLERANCE_SMALL_DIFF, d->worst);
}
