/* clrt bench: is the picture right? A device that renders a wrong picture
 * gets no score. */
#include "bench_check.h"

#include <string.h>

#include "clrt_image_compare.h"

/* Empty when a and b are within the tolerance (the one for --fast-math
 * kernels when `fast_math`), else what differs. */
static void compare_with(const bench_scene *s, const uint8_t *a, const uint8_t *b, bool fast_math, const char *against,
                         char *out, size_t size) {
  char detail[160];
  bool agree;
  if (fast_math) {
    bool noisy = CLRT_INTEGRATOR_SUMS_EXACTLY(s->flat.params.integrator);
    agree =
        clrt_images_agree_fast_math(a, b, s->flat.params.width, s->flat.params.height, noisy, detail, sizeof detail);
  } else {
    clrt_image_difference difference = clrt_image_compare(a, b, bench_pixel_count(s) * 3);
    agree = clrt_image_within_tolerance(&difference);
    clrt_image_difference_describe(&difference, detail, sizeof detail);
  }
  out[0] = '\0';
  if (!agree)
    snprintf(out, size, "differs from %s: %s", against, detail);
}

void bench_check_picture(const bench_scene *s, const uint8_t *rgb, bool fast_math, clrt_bench_record *record) {
  char problem[CLRT_BENCH_TEXT] = "";
  if (s->reference_rgb)
    compare_with(s, rgb, s->reference_rgb, fast_math, "the host reference", problem, sizeof problem);
  if (!problem[0] && s->first_rgb)
    compare_with(s, rgb, s->first_rgb, fast_math, "the first device", problem, sizeof problem);
  record->scored = problem[0] == '\0';
  snprintf(record->check, sizeof record->check, "%s", record->scored ? "ok" : problem);
}
