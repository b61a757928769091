/* clrt bench: the host reference renderer as a baseline. */
#include "bench_internal.h"

#include <omp.h>
#include <stdlib.h>

#include "clrt_array.h"
#include "clrt_clock.h"
#include "clrt_film.h"
#include "clrt_reference.h"

static clrt_status add_baseline(clrt_bench_results *r, const clrt_host_baseline *baseline, clrt_error *err) {
  clrt_host_baseline *grown =
      clrt_array_reserve(r->baselines, &r->baseline_capacity, r->baseline_count + 1, sizeof *r->baselines);
  if (!grown)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the host baselines");
  r->baselines = grown;
  r->baselines[r->baseline_count++] = *baseline;
  return CLRT_OK;
}

static clrt_status host_run(bench_context *b, bench_scene *s, clrt_film *film, int threads, clrt_error *err) {
  bench_progress(b, "%s on the host, %d thread(s)", s->name, threads);
  double start = clrt_now_ms();
  uint64_t rays = clrt_reference_render(&s->flat, film, threads);
  if (rays == 0)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory rendering %s on the host", s->name);
  clrt_host_baseline baseline = {.threads = threads, .ms = clrt_now_ms() - start, .rays = rays};
  snprintf(baseline.scene, sizeof baseline.scene, "%s", s->name);
  baseline.mrays = baseline.ms > 0 ? (double)rays / baseline.ms / 1e3 : 0.0;
  if (threads == 1)
    s->host_mrays = baseline.mrays;
  return add_baseline(b->results, &baseline, err);
}

/* The film keeps linear colour, as a device's frame does (frames.c): the
 * baseline times tracing, and the picture is tone-mapped afterwards. */
clrt_status bench_host_baselines(bench_context *b, bench_scene *s, clrt_error *err) {
  clrt_film film;
  clrt_status status =
      clrt_film_init(&film, s->flat.params.width, s->flat.params.height, CLRT_FILM_LINEAR, s->flat.tone_levels, err);
  if (status == CLRT_OK)
    status = host_run(b, s, &film, 1, err);
  if (status == CLRT_OK) {
    s->reference_rgb = malloc(bench_pixel_count(s) * 3);
    if (!s->reference_rgb)
      status = clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %s's reference picture", s->name);
    else
      clrt_tone_map_channels(film.linear, bench_pixel_count(s) * 3, &film.levels, s->reference_rgb);
  }
  int cores = omp_get_num_procs();
  if (status == CLRT_OK && cores > 1)
    status = host_run(b, s, &film, cores, err);
  clrt_film_free(&film);
  return status;
}
