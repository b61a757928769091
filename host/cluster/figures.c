/* A process's share of a frame (clrt_cluster.h), with MPI or without. */
#include "clrt_cluster.h"

clrt_process_figures clrt_process_figures_of(const clrt_farm_result *result) {
  clrt_process_figures figures = {.devices = (unsigned)result->device_count, .rays = result->rays};
  clrt_cluster_host(figures.host, sizeof figures.host);
  for (size_t i = 0; i < result->device_count; ++i) {
    const clrt_device_figures *d = &result->devices[i];
    figures.tiles += (unsigned)d->tiles;
    figures.retired += d->retired;
    figures.pixels += d->pixels;
    figures.busy_ms += d->busy_ms;
    figures.cut_short_samples += d->cut_short_samples;
    figures.finished_ms = d->finished_ms > figures.finished_ms ? d->finished_ms : figures.finished_ms;
  }
  return figures;
}
