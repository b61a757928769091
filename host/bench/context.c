/* What the parts of clrt bench share (bench_context.h). */
#include "bench_context.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_array.h"
#include "clrt_clock.h"
#include "clrt_cluster.h"

/* The progress line is redrawn at most this often. */
#define CLRT_BENCH_PROGRESS_MS 250.0

void bench_progress(bench_context *b, const char *format, ...) {
  double now = clrt_now_ms();
  if (!b->progress || now - b->progress_drawn_ms < CLRT_BENCH_PROGRESS_MS)
    return;
  b->progress_drawn_ms = now;
  va_list args;
  va_start(args, format);
  fputs("\r\033[Kbench: ", b->log);
  vfprintf(b->log, format, args);
  va_end(args);
  fflush(b->log);
}

void bench_progress_clear(bench_context *b) {
  if (b->progress)
    fputs("\r\033[K", b->log);
}

clrt_bench_record *bench_new_record(clrt_bench_results *r) {
  clrt_bench_record *grown =
      clrt_array_reserve(r->records, &r->record_capacity, r->record_count + 1, sizeof *r->records);
  if (!grown)
    return NULL;
  r->records = grown;
  clrt_bench_record *record = &r->records[r->record_count++];
  memset(record, 0, sizeof *record);
  return record;
}

clrt_status bench_no_room_for_records(const clrt_bench_results *r, clrt_error *err) {
  return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu bench records", r->record_count + 1);
}

size_t bench_pixel_count(const bench_scene *s) { return (size_t)s->flat.params.width * s->flat.params.height; }

void bench_device_label(const clrt_device *device, char *out, size_t size) {
  char label[16];
  clrt_device_label(device, label, sizeof label);
  if (clrt_cluster_size() > 1)
    snprintf(out, size, "%d/%s", clrt_cluster_rank(), label);
  else
    snprintf(out, size, "%s", label);
}

void bench_describe_device(const bench_context *b, const clrt_device *device, clrt_bench_record *record) {
  snprintf(record->device, sizeof record->device, "%s", device->name);
  snprintf(record->host, sizeof record->host, "%s", b->results->machine.host);
  bench_device_label(device, record->device_label, sizeof record->device_label);
  snprintf(record->device_type, sizeof record->device_type, "%s", clrt_device_type_name(device->type));
  record->compute_units = device->compute_units;
  snprintf(record->platform, sizeof record->platform, "%s", device->platform_name);
  snprintf(record->driver, sizeof record->driver, "%s", device->driver_version);
}

void bench_describe_scene(const bench_scene *s, clrt_bench_record *record) {
  snprintf(record->scene, sizeof record->scene, "%s", s->name);
  snprintf(record->scene_sha256, sizeof record->scene_sha256, "%s", s->hash);
  record->width = s->flat.params.width;
  record->height = s->flat.params.height;
  record->samples = s->flat.params.samples;
  record->spheres = s->flat.spheres_count;
  record->bvh_build_ms = s->flat.stats.bvh_build_ms;
  record->samples_per_frame = (double)bench_pixel_count(s) * s->flat.params.samples;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

clrt_stats bench_stats_of(double *values, size_t count) {
  clrt_stats s = {0, 0, 0};
  if (count == 0)
    return s;
  qsort(values, count, sizeof *values, compare_doubles);
  s.min = values[0];
  s.max = values[count - 1];
  s.median = count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2.0;
  return s;
}
