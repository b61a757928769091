/* clrt bench reports: JSON, CSV, and comparing two JSON runs (the table is
 * in table.c). */
#include "clrt_bench.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "clrt_program.h"
#include "clrt_revision.h" /* generated at build time */

/* The layout of the --json file: 2 added the schema version, the
 * SHA-256 of the scenes and of the kernel source (scene_hash, FNV-1a,
 * became scene_sha256) and the rays by kind. */
#define CLRT_BENCH_SCHEMA_VERSION 2

/* ---- JSON ---- */

static json_t *stats_json(clrt_stats s) {
  return json_pack("{s:f,s:f,s:f}", "min", s.min, "median", s.median, "max", s.max);
}

/* Rays per frame: in all, and by kind. */
static void set_rays(json_t *o, const clrt_ray_counts *rays) {
  json_object_set_new(o, "rays_per_frame", json_integer((json_int_t)clrt_rays_total(rays)));
  json_object_set_new(o, "rays_per_frame_by_kind",
                      json_pack("{s:I,s:I,s:I}", "camera", (json_int_t)rays->camera, "bounce", (json_int_t)rays->bounce,
                                "shadow", (json_int_t)rays->shadow));
}

static json_t *record_json(const clrt_bench_record *r) {
  json_t *o = json_pack("{s:s,s:s,s:i,s:i,s:i,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:I,s:b}", "scene", r->scene, "scene_sha256",
                        r->scene_sha256, "width", (json_int_t)r->width, "height", (json_int_t)r->height, "samples",
                        (json_int_t)r->samples, "device", r->device, "device_index", r->device_label, "device_type",
                        r->device_type, "compute_units", (json_int_t)r->compute_units, "platform", r->platform,
                        "driver_version", r->driver, "tiling", r->tiling, "tiles", (json_int_t)r->tile_count,
                        "tile_sweep", r->sweep);
  json_object_set_new(o, "host", json_string(r->host));
  json_object_set_new(o, "build_ms", json_real(r->build_ms));
  json_object_set_new(o, "build_cached", json_boolean(r->build_cached));
  json_object_set_new(o, "upload_ms", json_real(r->upload_ms));
  json_object_set_new(o, "frames", json_integer(r->frames));
  set_rays(o, &r->rays);
  json_object_set_new(o, "samples_per_frame", json_real(r->samples_per_frame));
  json_object_set_new(o, "spheres", json_integer((json_int_t)r->spheres));
  json_object_set_new(o, "bvh_build_ms", json_real(r->bvh_build_ms));
  json_object_set_new(o, "mrays_per_s", stats_json(r->mrays));
  json_object_set_new(o, "msamples_per_s", stats_json(r->msamples));
  json_object_set_new(o, "frame_ms", stats_json(r->frame_ms));
  json_object_set_new(o, "kernel_ms", stats_json(r->kernel_ms));
  json_object_set_new(o, "spread_percent", json_real(r->spread_percent));
  json_object_set_new(o, "speedup_vs_host_1_thread", json_real(r->speedup_vs_host));
  if (r->speedup_vs_cores > 0)
    json_object_set_new(o, "speedup_vs_host_all_cores", json_real(r->speedup_vs_cores));
  if (r->scaling_efficiency > 0)
    json_object_set_new(o, "scaling_efficiency", json_real(r->scaling_efficiency));
  json_object_set_new(o, "scored", json_boolean(r->scored));
  json_object_set_new(o, "image_check", json_string(r->check));
  return o;
}

static json_t *baseline_json(const clrt_host_baseline *h) {
  json_t *o = json_pack("{s:s,s:i,s:b,s:i,s:f}", "scene", h->scene, "threads", (json_int_t)h->threads, "all_cores",
                        h->all_cores, "frames", (json_int_t)h->frames, "samples_per_frame", h->samples_per_frame);
  set_rays(o, &h->rays);
  json_object_set_new(o, "mrays_per_s", stats_json(h->mrays));
  json_object_set_new(o, "msamples_per_s", stats_json(h->msamples));
  json_object_set_new(o, "frame_ms", stats_json(h->frame_ms));
  json_object_set_new(o, "spread_percent", json_real(h->spread_percent));
  return o;
}

static json_t *machine_json(const clrt_machine_facts *m) {
  json_t *platforms = json_array();
  for (int i = 0; i < m->platform_count; ++i)
    json_array_append_new(platforms, json_string(m->platforms[i]));
  return json_pack("{s:s,s:s,s:s,s:i,s:o}", "host", m->host, "cpu", m->cpu, "os", m->os, "cores", (json_int_t)m->cores,
                   "platforms", platforms);
}

static json_t *options_json(const clrt_bench_options *o) {
  json_t *scenes = json_array();
  for (size_t i = 0; i < o->scene_count; ++i)
    json_array_append_new(scenes, json_string(o->scene_paths[i]));
  return json_pack("{s:o,s:s,s:i,s:i,s:f,s:b,s:b,s:s,s:f}", "scenes", scenes, "device",
                   o->device_spec ? o->device_spec : "default", "runs", (json_int_t)o->runs, "warmup",
                   (json_int_t)o->warmup, "min_time_s", o->min_time_s, "tile_sweep", o->tile_sweep, "fast_math",
                   o->fast_math, "arrays", clrt_array_memory_name(o->array_memory), "max_enqueue_ms",
                   o->max_enqueue_ms);
}

static json_t *results_json(const clrt_bench_results *results) {
  json_t *records = json_array(), *baselines = json_array(), *picks = json_array();
  for (size_t i = 0; i < results->record_count; ++i)
    json_array_append_new(records, record_json(&results->records[i]));
  for (size_t i = 0; i < results->baseline_count; ++i)
    json_array_append_new(baselines, baseline_json(&results->baselines[i]));
  for (size_t i = 0; i < results->pick_count; ++i)
    json_array_append_new(picks, json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "device_index", results->picks[i].device_label,
                                           "device", results->picks[i].device, "host", results->picks[i].host, "tiling",
                                           results->picks[i].tiling, "capped_for_watchdog", results->picks[i].capped,
                                           "stored_in", results->picks[i].stored_in));
  char kernel_sha256[CLRT_SHA256_TEXT];
  clrt_sha256_hex(clrt_kernel_source, strlen(clrt_kernel_source), kernel_sha256);
  return json_pack("{s:i,s:{s:s,s:s,s:s},s:o,s:i,s:o,s:o,s:o,s:o}", "schema_version",
                   (json_int_t)CLRT_BENCH_SCHEMA_VERSION, "clrt", "version", CLRT_VERSION, "revision",
                   CLRT_GIT_REVISION, "kernel_sha256", kernel_sha256, "machine", machine_json(&results->machine),
                   "processes", (json_int_t)results->processes, "options", options_json(&results->options),
                   "host_baseline", baselines, "records", records, "tile_picks", picks);
}

clrt_status clrt_bench_write_json(const clrt_bench_results *results, const char *path, clrt_error *err) {
  json_t *root = results_json(results);
  int failed = json_dump_file(root, path, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
  json_decref(root);
  return failed ? clrt_fail(err, CLRT_ERR_RUNTIME, "--json %s: cannot write the file", path) : CLRT_OK;
}

/* ---- CSV ---- */

/* Quotes a field that holds a comma, a quote or a newline. */
static void csv_field(FILE *out, const char *text, bool last) {
  if (strpbrk(text, ",\"\n")) {
    fputc('"', out);
    for (const char *c = text; *c; ++c) {
      if (*c == '"')
        fputc('"', out);
      fputc(*c, out);
    }
    fputc('"', out);
  } else {
    fputs(text, out);
  }
  fputc(last ? '\n' : ',', out);
}

/* A number, or an empty field when there is none (0). */
static void csv_number(FILE *out, const char *format, double value) {
  if (value > 0)
    fprintf(out, format, value);
  fputc(',', out);
}

/* Rays per frame, then by kind. */
static void csv_rays(FILE *out, const clrt_ray_counts *rays) {
  fprintf(out, "%llu,%llu,%llu,%llu,", (unsigned long long)clrt_rays_total(rays), (unsigned long long)rays->camera,
          (unsigned long long)rays->bounce, (unsigned long long)rays->shadow);
}

static void csv_record(FILE *out, const clrt_bench_record *r) {
  csv_field(out, r->scene, false);
  fprintf(out, "%s,%u,%u,%u,%zu,%.3f,", r->scene_sha256, r->width, r->height, r->samples, r->spheres, r->bvh_build_ms);
  csv_field(out, r->device_label, false);
  csv_field(out, r->device, false);
  csv_field(out, r->host, false);
  fprintf(out, "%s,%u,", r->device_type, r->compute_units);
  csv_field(out, r->platform, false);
  csv_field(out, r->driver, false);
  fprintf(out, "%s,%zu,%d,%.3f,%d,%.3f,%u,", r->tiling, r->tile_count, r->sweep, r->build_ms, r->build_cached,
          r->upload_ms, r->frames);
  csv_rays(out, &r->rays);
  fprintf(out, "%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.2f,", r->mrays.min, r->mrays.median, r->mrays.max, r->msamples.median,
          r->frame_ms.median, r->kernel_ms.median, r->spread_percent);
  csv_number(out, "%.3f", r->speedup_vs_host);
  csv_number(out, "%.3f", r->speedup_vs_cores);
  csv_number(out, "%.3f", r->scaling_efficiency);
  fprintf(out, "%d,", r->scored);
  csv_field(out, r->check, true);
}

/* A host baseline as a row of the same columns: device "host", tiling
 * "rows", no build, no kernel time. */
static void csv_baseline(FILE *out, const clrt_bench_results *results, const clrt_host_baseline *h) {
  const clrt_bench_record *scene = NULL;
  for (size_t i = 0; i < results->record_count && !scene; ++i)
    if (!strcmp(results->records[i].scene, h->scene))
      scene = &results->records[i];
  char name[64];
  clrt_bench_host_name(h, name, sizeof name);
  csv_field(out, h->scene, false);
  if (scene)
    fprintf(out, "%s,%u,%u,%u,%zu,%.3f,", scene->scene_sha256, scene->width, scene->height, scene->samples,
            scene->spheres, scene->bvh_build_ms);
  else
    fputs(",,,,,,", out);
  fputs("host,", out);
  csv_field(out, name, false);
  csv_field(out, results->machine.host, false);
  fprintf(out, "cpu,%d,,,rows,,0,,,,%u,", h->threads, h->frames);
  csv_rays(out, &h->rays);
  fprintf(out, "%.4f,%.4f,%.4f,%.4f,%.4f,,%.2f,", h->mrays.min, h->mrays.median, h->mrays.max, h->msamples.median,
          h->frame_ms.median, h->spread_percent);
  double one = 0.0, all = 0.0;
  for (size_t i = 0; i < results->baseline_count; ++i)
    if (!strcmp(results->baselines[i].scene, h->scene))
      *(results->baselines[i].threads == 1 ? &one : &all) = results->baselines[i].mrays.median;
  csv_number(out, "%.3f", one > 0 ? h->mrays.median / one : 0.0);
  csv_number(out, "%.3f", all > 0 ? h->mrays.median / all : 0.0);
  fputs(",1,", out);
  csv_field(out, "reference", true);
}

clrt_status clrt_bench_write_csv(const clrt_bench_results *results, const char *path, clrt_error *err) {
  FILE *out = fopen(path, "w");
  if (!out)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "--csv %s: cannot write the file", path);
  fputs(
      "scene,scene_sha256,width,height,samples,spheres,bvh_build_ms,device_index,device,host,device_type,compute_units,"
      "platform,driver_version,tiling,tiles,tile_sweep,build_ms,build_cached,upload_ms,frames,rays_per_frame,camera_"
      "rays_per_frame,"
      "bounce_rays_per_frame,shadow_rays_per_frame,"
      "mrays_min,mrays_median,mrays_max,msamples_median,frame_ms_median,kernel_ms_median,spread_percent,"
      "speedup_vs_host_1_thread,speedup_vs_host_all_cores,scaling_efficiency,scored,image_check\n",
      out);
  for (size_t i = 0; i < results->baseline_count; ++i)
    csv_baseline(out, results, &results->baselines[i]);
  for (size_t i = 0; i < results->record_count; ++i)
    csv_record(out, &results->records[i]);
  return fclose(out) == 0 ? CLRT_OK : clrt_fail(err, CLRT_ERR_RUNTIME, "--csv %s: writing failed", path);
}

/* ---- compare ---- */

static json_t *load_results(const char *path, clrt_error *err) {
  json_error_t error;
  json_t *root = json_load_file(path, 0, &error);
  if (!root)
    clrt_fail(err, CLRT_ERR_INPUT, "--compare %s:%d:%d: %s", path, error.line, error.column, error.text);
  else if (!json_is_array(json_object_get(root, "records"))) {
    clrt_fail(err, CLRT_ERR_INPUT, "--compare %s: not a clrt bench --json file (no \"records\")", path);
    json_decref(root);
    root = NULL;
  }
  return root;
}

static const char *text_of(json_t *record, const char *key) {
  const char *text = json_string_value(json_object_get(record, key));
  return text ? text : "";
}

static double median_of(json_t *record) {
  return json_number_value(json_object_get(json_object_get(record, "mrays_per_s"), "median"));
}

static bool same_measurement(json_t *a, json_t *b) {
  return !strcmp(text_of(a, "scene"), text_of(b, "scene")) && !strcmp(text_of(a, "device"), text_of(b, "device")) &&
         !strcmp(text_of(a, "device_index"), text_of(b, "device_index")) &&
         !strcmp(text_of(a, "tiling"), text_of(b, "tiling")) &&
         json_is_true(json_object_get(a, "tile_sweep")) == json_is_true(json_object_get(b, "tile_sweep"));
}

/* `text` in at most `width` characters: whole, or cut after a whole word
 * (at a space or a hyphen) with "..." added. */
static void shorten(const char *text, size_t width, char *out, size_t size) {
  snprintf(out, size, "%s", text);
  if (strlen(out) <= width || width < 8 || size <= width)
    return;
  size_t cut = width - 3;
  while (cut > width / 2 && out[cut] != ' ' && out[cut - 1] != '-')
    --cut;
  snprintf(out + cut, size - cut, "...");
}

/* Whether A and B ran the same kernel source (files of schema 2 on say;
 * older ones do not). */
static void say_kernels(FILE *out, json_t *a, json_t *b) {
  const char *kernel_a = text_of(json_object_get(a, "clrt"), "kernel_sha256");
  const char *kernel_b = text_of(json_object_get(b, "clrt"), "kernel_sha256");
  if (!*kernel_a || !*kernel_b)
    fprintf(out, "kernels: not recorded in %s (before schema 2)\n", *kernel_a ? "B" : "A");
  else if (strcmp(kernel_a, kernel_b) != 0)
    fprintf(out, "kernels: different sources (A %.12s, B %.12s): the rates compare the code too\n", kernel_a, kernel_b);
  else
    fprintf(out, "kernels: the same source (%.12s)\n", kernel_a);
}

clrt_status clrt_bench_compare(const char *path_a, const char *path_b, FILE *out, clrt_error *err) {
  json_t *a = load_results(path_a, err);
  json_t *b = a ? load_results(path_b, err) : NULL;
  if (!a || !b) {
    json_decref(a);
    return CLRT_ERR_INPUT;
  }
  fprintf(out, "A: %s (%s, %s)\nB: %s (%s, %s)\n", path_a, text_of(json_object_get(a, "machine"), "cpu"),
          text_of(json_object_get(a, "clrt"), "revision"), path_b, text_of(json_object_get(b, "machine"), "cpu"),
          text_of(json_object_get(b, "clrt"), "revision"));
  say_kernels(out, a, b);
  fprintf(out, "%-13s %-5s %-28s %-10s %10s %10s %8s\n", "scene", "dev", "device", "tiling", "A Mrays/s", "B Mrays/s",
          "B/A");
  size_t index, matched = 0;
  json_t *ra;
  json_array_foreach(json_object_get(a, "records"), index, ra) {
    size_t j;
    json_t *rb;
    json_array_foreach(json_object_get(b, "records"), j, rb) {
      if (!same_measurement(ra, rb))
        continue;
      double ma = median_of(ra), mb = median_of(rb);
      const char *changed = strcmp(text_of(ra, "scene_sha256"), text_of(rb, "scene_sha256")) ? "  (scene changed)" : "";
      bool scored = json_is_true(json_object_get(ra, "scored")) && json_is_true(json_object_get(rb, "scored"));
      char ratio[16] = "-";
      if (scored && ma > 0)
        snprintf(ratio, sizeof ratio, "%.2fx", mb / ma);
      char device[40];
      shorten(text_of(ra, "device"), 28, device, sizeof device);
      fprintf(out, "%-13s %-5s %-28s %-10s %10.2f %10.2f %8s%s\n", text_of(ra, "scene"), text_of(ra, "device_index"),
              device, text_of(ra, "tiling"), ma, mb, ratio, changed);
      ++matched;
      break;
    }
  }
  if (matched == 0)
    fprintf(out, "(no measurement of the same scene, device and tiling in both files)\n");
  json_decref(a);
  json_decref(b);
  return CLRT_OK;
}
