/* clrt bench: the host reference renderer as a baseline. */
#include "bench_baseline.h"

#include <omp.h>
#include <stdlib.h>

#include "clrt_array.h"
#include "clrt_clock.h"
#include "clrt_film.h"
#include "clrt_reference.h"
#include "clrt_stop.h"

/* The host baseline repeats its frame (up to --runs times) while it has
 * taken less than this: enough for a spread on small scenes, without
 * minutes of one CPU thread on large ones. */
#define CLRT_BENCH_HOST_SECONDS 3.0

void clrt_bench_host_name(const clrt_host_baseline *baseline, char *out, size_t size) {
  if (baseline->threads == 1)
    snprintf(out, size, "host C, 1 thread");
  else
    snprintf(out, size, "host C, %d threads%s", baseline->threads, baseline->all_cores ? " (all cores)" : "");
}

static clrt_status add_baseline(clrt_bench_results *r, const clrt_host_baseline *baseline, clrt_error *err) {
  clrt_host_baseline *grown =
      clrt_array_reserve(r->baselines, &r->baseline_capacity, r->baseline_count + 1, sizeof *r->baselines);
  if (!grown)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the host baselines");
  r->baselines = grown;
  r->baselines[r->baseline_count++] = *baseline;
  return CLRT_OK;
}

/* One frame of the host reference; its time in *ms. */
static clrt_status host_frame(bench_scene *s, clrt_film *film, int threads, double *ms, clrt_ray_counts *rays,
                              clrt_error *err) {
  double start = clrt_now_ms();
  clrt_tally tally;
  bool rendered = clrt_reference_render(&s->flat, film, threads, clrt_stop_flag(), &tally);
  *ms = clrt_now_ms() - start;
  *rays = (clrt_ray_counts){tally.camera_rays, tally.bounce_rays, tally.shadow_rays};
  if (clrt_stop_signal())
    return clrt_stop_check("benchmarking", err);
  return rendered ? CLRT_OK : clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory rendering %s on the host", s->name);
}

/* Per-frame figures of a baseline. */
typedef struct host_frames {
  double *mrays, *msamples, *frame_ms;
} host_frames;

/* The statistics of the frames, into the baseline. */
static void summarise(clrt_host_baseline *baseline, host_frames *frames) {
  baseline->mrays = bench_stats_of(frames->mrays, baseline->frames);
  baseline->msamples = bench_stats_of(frames->msamples, baseline->frames);
  baseline->frame_ms = bench_stats_of(frames->frame_ms, baseline->frames);
  double median = baseline->mrays.median;
  baseline->spread_percent = median > 0 ? 100.0 * (baseline->mrays.max - baseline->mrays.min) / median : 0.0;
}

/* Frames until --runs of them, or the time budget, is spent. */
static clrt_status run_host_frames(bench_context *b, bench_scene *s, clrt_film *film, clrt_host_baseline *baseline,
                                   host_frames *frames, clrt_error *err) {
  unsigned most = b->options->runs > 0 ? b->options->runs : 1;
  double spent_ms = 0.0;
  clrt_status status = CLRT_OK;
  while (status == CLRT_OK && baseline->frames < most &&
         (baseline->frames == 0 || spent_ms < CLRT_BENCH_HOST_SECONDS * 1e3)) {
    bench_progress(b, "%s on the host, %d thread(s): frame %u", s->name, baseline->threads, baseline->frames + 1);
    double ms;
    status = host_frame(s, film, baseline->threads, &ms, &baseline->rays, err);
    unsigned k = baseline->frames++;
    spent_ms += ms;
    frames->frame_ms[k] = ms;
    frames->mrays[k] = ms > 0 ? (double)clrt_rays_total(&baseline->rays) / ms / 1e3 : 0.0;
    frames->msamples[k] = ms > 0 ? baseline->samples_per_frame / ms / 1e3 : 0.0;
  }
  return status;
}

/* Frames on `threads` threads, as one baseline. */
static clrt_status host_run(bench_context *b, bench_scene *s, clrt_film *film, int threads, clrt_error *err) {
  unsigned most = b->options->runs > 0 ? b->options->runs : 1;
  host_frames frames = {calloc(most, sizeof(double)), calloc(most, sizeof(double)), calloc(most, sizeof(double))};
  clrt_host_baseline baseline = {.threads = threads, .all_cores = threads == omp_get_num_procs()};
  snprintf(baseline.scene, sizeof baseline.scene, "%s", s->name);
  baseline.samples_per_frame = (double)bench_pixel_count(s) * s->flat.params.samples;
  clrt_status status = frames.mrays && frames.msamples && frames.frame_ms
                           ? run_host_frames(b, s, film, &baseline, &frames, err)
                           : clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory");
  if (status == CLRT_OK) {
    summarise(&baseline, &frames);
    *(threads == 1 ? &s->host_mrays : &s->cores_mrays) = baseline.mrays.median;
    status = add_baseline(b->results, &baseline, err);
  }
  free(frames.mrays);
  free(frames.msamples);
  free(frames.frame_ms);
  return status;
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
