/* clrt bench: the host reference renderer as a baseline (baseline.c). */
#ifndef CLRT_BENCH_BASELINE_H
#define CLRT_BENCH_BASELINE_H

#include "bench_context.h"

/* The host reference on one thread (its picture, s->reference_rgb, is
 * what every device is checked against) and on all cores, each for up to
 * --runs frames within CLRT_BENCH_HOST_SECONDS; their medians go to
 * s->host_mrays and s->cores_mrays. */
clrt_status bench_host_baselines(bench_context *b, bench_scene *s, clrt_error *err);

#endif /* CLRT_BENCH_BASELINE_H */
