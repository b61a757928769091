/* clrt bench: is the picture right (check.c)? */
#ifndef CLRT_BENCH_CHECK_H
#define CLRT_BENCH_CHECK_H

#include "bench_context.h"

/* The picture against the host reference's and the first device's; the
 * record is scored only when both are within tolerance. */
void bench_check_picture(const bench_scene *s, const uint8_t *rgb, bool fast_math, clrt_bench_record *record);

#endif /* CLRT_BENCH_CHECK_H */
