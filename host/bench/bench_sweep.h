/* clrt bench --tile-sweep (sweep.c): the seeds' chunk-size experiment,
 * and the policy that picks each device's best tiling for clrt render. */
#ifndef CLRT_BENCH_SWEEP_H
#define CLRT_BENCH_SWEEP_H

#include "bench_context.h"
#include "clrt_session.h"

/* Measures one device on strips from 1 to one per row, and squares. */
clrt_status bench_sweep_device(bench_context *b, clrt_session *session, bench_scene *s, clrt_error *err);

/* The largest tile any measurement of this scene needs, in pixels. */
size_t bench_tile_capacity(const bench_context *b, const bench_scene *s);

/* Stores each device's best tiling of the sweep for clrt render. */
clrt_status bench_pick_tilings(bench_context *b, size_t scene_count, clrt_error *err);

#endif /* CLRT_BENCH_SWEEP_H */
