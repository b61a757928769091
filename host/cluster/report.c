/* A process's share of a frame (clrt_cluster.h), with MPI or without. */
#include "clrt_cluster.h"

clrt_cluster_report clrt_cluster_report_of(const clrt_farm_result *result) {
  clrt_cluster_report report = {.devices = (unsigned)result->device_count, .rays = result->rays};
  clrt_cluster_host(report.host, sizeof report.host);
  for (size_t i = 0; i < result->device_count; ++i) {
    const clrt_device_report *d = &result->devices[i];
    report.tiles += (unsigned)d->tiles;
    report.retired += d->retired;
    report.pixels += d->pixels;
    report.busy_ms += d->busy_ms;
    report.cut_short_samples += d->cut_short_samples;
    report.finished_ms = d->finished_ms > report.finished_ms ? d->finished_ms : report.finished_ms;
  }
  return report;
}
