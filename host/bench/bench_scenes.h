/* clrt bench's scenes: files given on the command line, or the built-in
 * suite; each parsed, flattened and fingerprinted. */
#ifndef CLRT_BENCH_SCENES_H
#define CLRT_BENCH_SCENES_H

#include "bench_context.h"

/* The scenes of options->scene_paths, or the built-in suite when there
 * are none (*scenes, *count; free them with bench_free_scenes). */
clrt_status bench_load_scenes(const clrt_bench_options *options, bench_scene **scenes, size_t *count, clrt_error *err);

void bench_free_scenes(bench_scene *scenes, size_t count);

#endif /* CLRT_BENCH_SCENES_H */
