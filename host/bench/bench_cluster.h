/* clrt bench under mpirun (cluster.c); in a cluster of one each of these
 * does nothing. */
#ifndef CLRT_BENCH_CLUSTER_H
#define CLRT_BENCH_CLUSTER_H

#include "bench_context.h"

/* The root's scenes (read from files or built in) to the others. */
clrt_status bench_share_scenes(bench_scene **scenes, size_t *count, clrt_error *err);

/* The root's host reference picture and baseline rates to the others. */
clrt_status bench_share_reference(bench_scene *s, clrt_error *err);

/* Every process's records from index `first` on, to the root. */
clrt_status bench_gather_records(clrt_bench_results *results, size_t first, clrt_error *err);

/* Every process's tile picks, to the root. */
clrt_status bench_gather_picks(clrt_bench_results *results, clrt_error *err);

#endif /* CLRT_BENCH_CLUSTER_H */
