/* The console summary of `clrt render` (clrt_render_summary.h). */
#include "clrt_render_summary.h"

#include "clrt_cluster.h"
#include "clrt_integrator.h"

static double mrays_per_second(const clrt_ray_counts *rays, double ms) {
  return ms > 0.0 ? (double)clrt_rays_total(rays) / ms / 1e3 : 0.0;
}

/* "--time 20 s, --noise 1%": what ends a progressive render. */
static const char *progressive_goal(const clrt_render_job *job, char *out, size_t size) {
  const clrt_options *o = job->options;
  int used = 0;
  out[0] = '\0';
  if (o->time_s > 0.0)
    used = snprintf(out, size, "--time %g s", o->time_s);
  if (o->noise > 0.0 && used >= 0 && (size_t)used < size)
    snprintf(out + used, size - (size_t)used, "%s--noise %g%%", used ? ", " : "", 100.0 * o->noise);
  return out;
}

void clrt_render_summary_start(FILE *log, const clrt_render_job *job) {
  char goal[96];
  char scene[CLRT_ERROR_MESSAGE_SIZE], path[CLRT_ERROR_MESSAGE_SIZE], device[CLRT_DEVICE_TITLE_SIZE],
      shown[CLRT_ERROR_MESSAGE_SIZE];
  clrt_printable(job->options->scene_path, scene, sizeof scene);
  clrt_printable(job->options->output_path, path, sizeof path);
  double samples = (double)job->image.width * job->image.height * job->scene.params.samples;
  fprintf(log, "clrt: rendering %s to %s: %ux%u ", scene, path, job->image.width, job->image.height);
  if (job->progressive)
    fprintf(log, "progressively (%s, at most %u sample(s)/px)", progressive_goal(job, goal, sizeof goal),
            job->scene.params.samples);
  else
    fprintf(log, "at %u sample(s)/px (%.1f M samples)", job->scene.params.samples, samples / 1e6);
  fprintf(log, ", %zu sphere(s), on ", job->scene.spheres_count);
  if (job->device_count == 1) {
    clrt_device_title(&job->devices[0], device, sizeof device);
    clrt_printable(device, shown, sizeof shown);
    fprintf(log, "%s\n", shown);
  } else {
    fprintf(log, "%zu devices\n", job->device_count);
  }
  if (job->options->resume && !job->progressive) {
    clrt_printable(job->options->checkpoint_path, path, sizeof path);
    fprintf(log, "clrt:   resuming %s: %.1f%% of the picture was rendered already", path,
            100.0 * (double)job->resumed_pixels / ((double)job->image.width * job->image.height));
    if (job->dropped_bytes)
      fprintf(log, " (%zu bytes after its last whole record, torn or damaged, were dropped: their tiles render again)",
              job->dropped_bytes);
    fputc('\n', log);
  }
}

void clrt_render_summary_cut_short(FILE *log, const clrt_render_job *job, const clrt_frame_outcome *outcome) {
  unsigned long long cut_short_samples = 0;
  for (int i = 0; i < clrt_cluster_size(); ++i)
    cut_short_samples += outcome->processes[i].cut_short_samples;
  const clrt_integrator *integrator = clrt_integrator_of(job->scene.params.integrator);
  if (cut_short_samples == 0 || !integrator || !integrator->warn_cut_short)
    return;
  double samples = (double)job->image.width * job->image.height * job->scene.params.samples;
  integrator->warn_cut_short(log, &job->scene.params, samples, cut_short_samples);
}

void clrt_render_summary_passes(FILE *log, const clrt_render_job *job, const clrt_passes_outcome *passes) {
  char goal[96];
  char resumed[48] = "";
  if (passes->resumed_passes)
    snprintf(resumed, sizeof resumed, " (%u resumed from the checkpoint)", passes->resumed_passes);
  fprintf(log,
          "clrt:   progressive (%s): %u pass(es)%s, %.1f sample(s)/px on average (%u to %u), the noisiest 16x16 "
          "region at %.2f%%\n",
          progressive_goal(job, goal, sizeof goal), passes->passes, resumed, passes->mean_samples,
          passes->least_samples, passes->most_samples, 100.0 * passes->worst_noise);
}

static void print_device_line(FILE *log, const clrt_device_figures *figures, size_t total_pixels) {
  char label[32];
  clrt_device_label(&figures->device, label, sizeof label);
  fprintf(log, "clrt:   %s %s: %zu tiles, %.2f Mpx (%.1f%%), busy %.0f ms, %.1f Mrays/s", label, figures->device.name,
          figures->tiles, (double)figures->pixels / 1e6,
          total_pixels ? 100.0 * (double)figures->pixels / (double)total_pixels : 0.0, figures->busy_ms,
          mrays_per_second(&figures->rays, figures->busy_ms));
  if (figures->failures)
    fprintf(log, ", %u failure(s)%s", figures->failures, figures->retired ? ", retired" : "");
  fputc('\n', log);
}

/* Combined throughput against the sum of each device's rate while busy. */
static void print_scaling(FILE *log, const clrt_farm_result *result) {
  double summed = 0.0;
  for (size_t i = 0; i < result->device_count; ++i)
    summed += mrays_per_second(&result->devices[i].rays, result->devices[i].busy_ms);
  double combined = mrays_per_second(&result->rays, result->render_ms);
  fprintf(log,
          "clrt:   together %.1f Mrays/s over the render; the devices' rates while busy add up to %.1f Mrays/s "
          "(together is %.0f%% of that; the rest went to waiting and the tail, %.0f ms)\n",
          combined, summed, summed > 0.0 ? 100.0 * combined / summed : 0.0, result->tail_ms);
}

static void print_process_line(FILE *log, int rank, const clrt_process_figures *figures, size_t total_pixels) {
  char host[CLRT_ERROR_MESSAGE_SIZE];
  clrt_printable(figures->host, host, sizeof host);
  fprintf(log, "clrt:   process %d (%s): %u device(s)%s, %u tiles, %.2f Mpx (%.1f%%), busy %.0f ms, %.1f Mrays/s\n",
          rank, host, figures->devices, figures->retired ? ", some retired" : "", figures->tiles,
          (double)figures->pixels / 1e6, total_pixels ? 100.0 * (double)figures->pixels / (double)total_pixels : 0.0,
          figures->busy_ms, mrays_per_second(&figures->rays, figures->busy_ms));
}

/* A line per process, then all of them together: Mrays/s over the time
 * from the exchange's start to the last process done, against the sum of
 * each process's rate while its devices were busy; and the tail, from the
 * first process out of work to the last. */
static void print_processes(FILE *log, const clrt_render_job *job, const clrt_frame_outcome *outcome) {
  int size = clrt_cluster_size();
  clrt_ray_counts rays = {0, 0, 0};
  double summed = 0.0, first_out = -1.0, last_out = 0.0;
  for (int rank = 0; rank < size; ++rank) {
    const clrt_process_figures *figures = &outcome->processes[rank];
    print_process_line(log, rank, figures, (size_t)job->image.width * job->image.height);
    clrt_rays_add(&rays, &figures->rays);
    summed += mrays_per_second(&figures->rays, figures->busy_ms);
    first_out = first_out < 0.0 || figures->finished_ms < first_out ? figures->finished_ms : first_out;
    last_out = figures->finished_ms > last_out ? figures->finished_ms : last_out;
  }
  double combined = mrays_per_second(&rays, outcome->cluster_ms);
  fprintf(log, "clrt:   the flat scene (%.1f MB) went to the other %d process(es) in %.0f ms\n",
          (double)clrt_flat_scene_bytes(&job->scene) / 1e6, size - 1, job->share_ms);
  fprintf(log,
          "clrt:   %d processes together: %.1f Mrays in %.0f ms, %.1f Mrays/s; their rates while busy add up to "
          "%.1f Mrays/s (together is %.0f%% of that; the rest went to start-up, the exchange and the tail, %.0f ms)\n",
          size, (double)clrt_rays_total(&rays) / 1e6, outcome->cluster_ms, combined, summed,
          summed > 0.0 ? 100.0 * combined / summed : 0.0, last_out - first_out);
}

static void print_tiles(FILE *log, const clrt_render_job *job, const clrt_frame_outcome *outcome) {
  if (job->progressive)
    fprintf(log, ", %zu tile(s) of 16x16 regions over the passes", outcome->tiles_done);
  else if (job->tiling.guided)
    fprintf(log, ", %zu guided tile(s)", outcome->tiles_done);
  else
    fprintf(log, ", %zu tile(s) of up to %ux%u%s", outcome->tiles_done, job->frame.plan.max_width,
            job->frame.plan.max_height, job->tiling.from_sweep ? " (the tiling clrt bench --tile-sweep picked)" : "");
}

/* The picture and the device it rendered on, or how many. */
static void print_picture(FILE *log, const clrt_render_job *job, const clrt_farm_result *result) {
  const clrt_device_figures *first = &result->devices[0];
  char path[CLRT_ERROR_MESSAGE_SIZE], name[CLRT_ERROR_MESSAGE_SIZE], platform[CLRT_ERROR_MESSAGE_SIZE];
  clrt_printable(job->options->output_path, path, sizeof path);
  fprintf(log, "clrt: %s: %ux%u, ", path, job->image.width, job->image.height);
  if (job->progressive)
    fputs("progressive", log);
  else
    fprintf(log, "%u sample(s)/px", job->scene.params.samples);
  fprintf(log, ", %zu sphere(s) (BVH built in %.0f ms) on ", job->scene.spheres_count, job->scene.stats.bvh_build_ms);
  clrt_printable(first->device.name, name, sizeof name);
  clrt_printable(first->device.platform_name, platform, sizeof platform);
  if (clrt_cluster_size() > 1)
    fprintf(log, "%d processes", clrt_cluster_size());
  else if (result->device_count == 1)
    fprintf(log, "%s [%s]", name, platform);
  else
    fprintf(log, "%zu devices", result->device_count);
}

/* The rays, kernel time and render time of the whole render: every
 * process's under mpirun, so that the first line speaks for the cluster. */
static void whole_render(const clrt_frame_outcome *outcome, clrt_ray_counts *rays, double *kernel_ms,
                         double *render_ms) {
  const clrt_farm_result *result = &outcome->farm;
  *rays = result->rays;
  *kernel_ms = 0.0;
  for (size_t i = 0; i < result->device_count; ++i)
    *kernel_ms += result->devices[i].busy_ms;
  *render_ms = result->render_ms;
  if (clrt_cluster_size() < 2)
    return;
  *rays = (clrt_ray_counts){0, 0, 0};
  *kernel_ms = 0.0;
  for (int rank = 0; rank < clrt_cluster_size(); ++rank) {
    clrt_rays_add(rays, &outcome->processes[rank].rays);
    *kernel_ms += outcome->processes[rank].busy_ms;
  }
  *render_ms = outcome->cluster_ms;
}

/* The host's steps after the tiles, where they ran: the auxiliary
 * passes' frame and the denoiser. */
static void describe_finishing(const clrt_render_job *job, const clrt_render_destination *destination, char *out,
                               size_t size) {
  int used = 0;
  out[0] = '\0';
  if (job->wants_aux)
    used = snprintf(out, size, ", passes %.0f ms", destination->aux_ms);
  if (job->options->denoise && used >= 0 && (size_t)used < size)
    snprintf(out + used, size - (size_t)used, ", denoise %.0f ms", destination->denoise_ms);
}

void clrt_render_summary_print(FILE *log, const clrt_render_job *job, const clrt_frame_outcome *outcome,
                               const clrt_render_destination *destination, double wall_ms) {
  char finishing[64];
  describe_finishing(job, destination, finishing, sizeof finishing);
  const clrt_farm_result *result = &outcome->farm;
  const clrt_device_figures *first = &result->devices[0];
  clrt_ray_counts whole;
  double kernel_ms, render_ms;
  whole_render(outcome, &whole, &kernel_ms, &render_ms);
  print_picture(log, job, result);
  print_tiles(log, job, outcome);
  const clrt_ray_counts *rays = &whole;
  fprintf(log,
          ": build %.0f ms%s, kernel %.1f ms%s, output %.0f ms, wall %.0f ms, %.1f Mrays (camera %.1f, bounce %.1f, "
          "shadow %.1f; %.1f Mrays/s)%s\n",
          first->build_ms, first->build_cached ? " (cached)" : "", kernel_ms, finishing, destination->output_ms,
          wall_ms, (double)clrt_rays_total(rays) / 1e6, (double)rays->camera / 1e6, (double)rays->bounce / 1e6,
          (double)rays->shadow / 1e6, mrays_per_second(rays, render_ms),
          job->options->fast_math ? "; --fast-math: not the exact picture" : "");
  if (clrt_cluster_size() > 1)
    print_processes(log, job, outcome);
  if (result->device_count < 2)
    return;
  for (size_t i = 0; i < result->device_count; ++i)
    print_device_line(log, &result->devices[i], (size_t)job->image.width * job->image.height);
  print_scaling(log, result);
}
