/* clrt bench's measurements (measure.c): frames on sessions with a
 * tiling, checked, as a record. */
#ifndef CLRT_BENCH_MEASURE_H
#define CLRT_BENCH_MEASURE_H

#include "bench_context.h"
#include "clrt_session.h"
#include "clrt_tiling.h"

/* One device alone on one tiling, as a record (`sweep`: one of the tile
 * sweep's). */
clrt_status bench_measure(bench_context *b, clrt_session *session, bench_scene *s, const clrt_tiling *tiling,
                          frame_quota quota, bool sweep, clrt_error *err);

/* Every device on one picture: this process's sessions, or in a cluster
 * those of every process (each process calls this). The root keeps the
 * record ("all"), scored against the devices' records alone. */
clrt_status bench_measure_together(bench_context *b, clrt_session **sessions, size_t count, bench_scene *s,
                                   clrt_error *err);

/* A device whose session would not open, as a record saying why. */
clrt_status bench_record_failure(bench_context *b, const clrt_device *device, const bench_scene *s,
                                 const clrt_error *failure, clrt_error *err);

#endif /* CLRT_BENCH_MEASURE_H */
