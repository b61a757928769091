/* clrt bench's frames (frames.c): a measurement's frames and their
 * statistics. */
#ifndef CLRT_BENCH_FRAMES_H
#define CLRT_BENCH_FRAMES_H

#include "bench_context.h"
#include "clrt_session.h"
#include "clrt_tiling.h"

/* Warm-up frames, then timed frames until both the run count and the
 * minimum time are reached, on the sessions with the tiling; the record
 * gets the statistics and the last frame's picture goes to rgb (pixel
 * count x 3). False (record->check says why) when a frame failed.
 * `across_cluster`: every process calls it, and each frame is rendered by
 * the devices of all of them (guided tiles, as `mpirun clrt render`
 * does); the root decides how many frames and gets the figures. */
bool bench_run_frames(bench_context *b, clrt_session *const *sessions, size_t count, const bench_scene *s,
                      const clrt_tiling *tiling, frame_quota quota, bool across_cluster, clrt_bench_record *record,
                      uint8_t *rgb);

#endif /* CLRT_BENCH_FRAMES_H */
