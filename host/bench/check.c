/* clrt bench: is the picture right? A device that renders a wrong picture
 * gets no score. */
#include "bench_check.h"

#include <string.h>

#include "clrt_image_compare.h"

/* Empty when a and b are within the tolerance, else what differs. */
static void compare_with(const uint8_t *a, const uint8_t *b, size_t channels, const char *against, char *out,
                         size_t size) {
  clrt_image_difference difference = clrt_image_compare(a, b, channels);
  out[0] = '\0';
  if (clrt_image_within_tolerance(&difference))
    return;
  char detail[160];
  clrt_image_difference_describe(&difference, detail, sizeof detail);
  snprintf(out, size, "differs from %s: %s", against, detail);
}

void bench_check_picture(const bench_scene *s, const uint8_t *rgb, clrt_bench_record *record) {
  char problem[CLRT_BENCH_TEXT] = "";
  size_t channels = bench_pixel_count(s) * 3;
  if (s->reference_rgb)
    compare_with(rgb, s->reference_rgb, channels, "the host reference", problem, sizeof problem);
  if (!problem[0] && s->first_rgb)
    compare_with(rgb, s->first_rgb, channels, "the first device", problem, sizeof problem);
  record->scored = problem[0] == '\0';
  snprintf(record->check, sizeof record->check, "%s", record->scored ? "ok" : problem);
}
