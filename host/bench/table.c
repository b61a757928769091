/* clrt bench's table, for a terminal 100 columns wide: a legend of the
 * devices and of what each comparison means, then a block per scene with
 * the host baselines and the devices, numbers right-aligned under their
 * headers. Long text (device names, image checks, the sweep) wraps at
 * word boundaries. */
#include "clrt_bench.h"

#include <string.h>

#include "clrt_revision.h" /* generated at build time */

#define TABLE_WIDTH 100

/* The row layout: each column's width, numbers right-aligned. */
#define ROW_FORMAT "%-5s %-9s %8s %7s %-13s %8s %9s %8s %8s %s"
/* Where the image column starts, and how far a wrapped line is indented. */
#define IMAGE_COLUMN 83
#define CONTINUATION_INDENT 6

/* Prints `text` from column `column` on, breaking at spaces so that no
 * line passes TABLE_WIDTH; continuation lines start at `indent`. */
static void print_wrapped(FILE *out, const char *text, int column, int indent) {
  while (*text) {
    size_t room = (size_t)(TABLE_WIDTH - column), length = strlen(text);
    size_t cut = length;
    if (length > room) {
      cut = room;
      while (cut > 0 && text[cut] != ' ')
        --cut;
      if (cut == 0) /* one word longer than the line: it goes whole */
        cut = strcspn(text, " ");
    }
    fprintf(out, "%.*s\n", (int)cut, text);
    text += cut;
    while (*text == ' ')
      ++text;
    if (*text)
      fprintf(out, "%*s", indent, "");
    column = indent;
  }
}

static void ratio_text(double ratio, char *out, size_t size) {
  if (ratio > 0)
    snprintf(out, size, "%.1fx", ratio);
  else
    snprintf(out, size, "-");
}

/* "(min-max)", with no decimal from 100 up, so that a GPU's range fits
 * its column too. */
static void range_text(clrt_stats s, unsigned frames, char *out, size_t size) {
  if (frames < 2)
    snprintf(out, size, "(1 frame)");
  else if (s.max >= 100.0)
    snprintf(out, size, "(%.0f-%.0f)", s.min, s.max);
  else
    snprintf(out, size, "(%.1f-%.1f)", s.min, s.max);
}

static void print_image_column(FILE *out, const char *check) {
  if ((int)strlen(check) <= TABLE_WIDTH - IMAGE_COLUMN) {
    fprintf(out, "%s\n", check);
    return;
  }
  fputc('\n', out);
  fprintf(out, "%*simage: ", CONTINUATION_INDENT, "");
  print_wrapped(out, check, CONTINUATION_INDENT + 7, CONTINUATION_INDENT + 7);
}

static void print_record(const clrt_bench_record *r, FILE *out) {
  char build[24], median[16] = "-", range[40] = "", samples[16] = "-", frame[16] = "-", host[16] = "-", cores[16] = "-";
  snprintf(build, sizeof build, r->build_cached ? "%.0f cached" : "%.0f", r->build_ms);
  if (r->scored) {
    snprintf(median, sizeof median, "%.1f", r->mrays.median);
    range_text(r->mrays, r->frames, range, sizeof range);
    snprintf(samples, sizeof samples, "%.2f", r->msamples.median);
    snprintf(frame, sizeof frame, "%.1f", r->frame_ms.median);
    ratio_text(r->speedup_vs_host, host, sizeof host);
    ratio_text(r->speedup_vs_cores, cores, sizeof cores);
  }
  fprintf(out, ROW_FORMAT, r->device_label, r->tiling, build, median, range, samples, frame, host, cores, "");
  print_image_column(out, r->scored ? r->check : r->check[0] ? r->check : "no score");
  if (r->scaling_efficiency > 0)
    fprintf(out, "%*sall devices together: %.2fx the sum of their rates alone (1.00x: they add up exactly)\n",
            CONTINUATION_INDENT, "", r->scaling_efficiency);
}

/* The host baselines of a scene, compared like the devices. */
static void print_baselines(const clrt_bench_results *results, const char *scene, FILE *out) {
  double one = 0.0, all = 0.0;
  for (size_t i = 0; i < results->baseline_count; ++i)
    if (!strcmp(results->baselines[i].scene, scene))
      *(results->baselines[i].threads == 1 ? &one : &all) = results->baselines[i].mrays.median;
  for (size_t i = 0; i < results->baseline_count; ++i) {
    const clrt_host_baseline *h = &results->baselines[i];
    if (strcmp(h->scene, scene))
      continue;
    char threads[24], median[16], range[40], samples[16], frame[16], host[16], cores[16];
    snprintf(threads, sizeof threads, "%d thread%s", h->threads, h->threads > 1 ? "s" : "");
    snprintf(median, sizeof median, "%.1f", h->mrays.median);
    range_text(h->mrays, h->frames, range, sizeof range);
    snprintf(samples, sizeof samples, "%.2f", h->msamples.median);
    snprintf(frame, sizeof frame, "%.1f", h->frame_ms.median);
    ratio_text(one > 0 ? h->mrays.median / one : 0.0, host, sizeof host);
    ratio_text(all > 0 ? h->mrays.median / all : 0.0, cores, sizeof cores);
    fprintf(out, ROW_FORMAT "\n", "host", threads, "-", median, range, samples, frame, host, cores, "reference");
  }
}

static bool listed_before(const clrt_bench_results *results, size_t index) {
  for (size_t i = 0; i < index; ++i)
    if (!strcmp(results->records[i].device_label, results->records[index].device_label))
      return true;
  return false;
}

/* Each device once, in full: the rows name it by P:D only. */
static void print_legend(const clrt_bench_results *results, FILE *out) {
  char line[4 * CLRT_BENCH_TEXT];
  fprintf(out, "devices:\n");
  for (size_t i = 0; i < results->record_count; ++i) {
    const clrt_bench_record *r = &results->records[i];
    if (!strcmp(r->device_label, "all") || listed_before(results, i))
      continue;
    int used = snprintf(line, sizeof line, "  %-5s %s: %s, %u compute units; %s, driver %s", r->device_label, r->device,
                        r->device_type, r->compute_units, r->platform, r->driver);
    if (results->processes > 1 && used > 0 && (size_t)used < sizeof line)
      snprintf(line + used, sizeof line - (size_t)used, "; on %s", r->host);
    print_wrapped(out, line, 0, 8);
  }
  if (results->machine.cores > 1)
    snprintf(line, sizeof line,
             "  host  clrt's reference renderer, in C on this CPU: 1 thread, and %d threads (all cores, OpenMP)",
             results->machine.cores);
  else
    snprintf(line, sizeof line, "  host  clrt's reference renderer, in C on this CPU: 1 thread (its only core)");
  print_wrapped(out, line, 0, 8);
  if (results->processes > 1) {
    snprintf(line, sizeof line,
             "Under mpirun, %d processes: R/P:D is process R's device P:D. Each process measured its devices alone, "
             "in turn, while the others waited; \"all\" is every device of every process on one picture, as "
             "mpirun clrt render draws it. The host rows are process 0's machine (%s).",
             results->processes, results->machine.host);
    print_wrapped(out, line, 0, 0);
  }
  print_wrapped(out,
                "Mrays/s and Msamp/s: median over the frames (min-max beside it); frame ms: median. vs 1 thr, vs "
                "cores: a row's median Mrays/s over the host's on 1 thread and on all cores (above 1.0x: faster). "
                "image: the picture against the host's.",
                0, 0);
}

static void print_sweep(const clrt_bench_results *results, FILE *out) {
  fprintf(out, "\ntile sweep (median Mrays/s per tiling):\n");
  char line[8192];
  size_t used = 0;
  for (size_t i = 0; i < results->record_count; ++i) {
    const clrt_bench_record *r = &results->records[i];
    if (!r->sweep)
      continue;
    bool first = i == 0 || !results->records[i - 1].sweep || strcmp(results->records[i - 1].scene, r->scene) ||
                 strcmp(results->records[i - 1].device_label, r->device_label);
    if (first)
      used = (size_t)snprintf(line, sizeof line, "  %s on %s:", r->scene, r->device_label);
    if (used < sizeof line)
      used +=
          (size_t)snprintf(line + used, sizeof line - used, " %s=%.1f", r->tiling, r->scored ? r->mrays.median : 0.0);
    bool last = i + 1 == results->record_count || !results->records[i + 1].sweep ||
                strcmp(results->records[i + 1].scene, r->scene) ||
                strcmp(results->records[i + 1].device_label, r->device_label);
    if (last)
      print_wrapped(out, line, 0, 4);
  }
  for (size_t i = 0; i < results->pick_count; ++i) {
    const clrt_tile_pick *p = &results->picks[i];
    char where[sizeof p->host + 8] = "";
    if (results->processes > 1)
      snprintf(where, sizeof where, " on %s", p->host);
    snprintf(line, sizeof line,
             "best tiling for %s (%s): %s%s; stored in %s%s, clrt render uses it by default on this device",
             p->device_label, p->device, p->tiling,
             p->capped ? " (smaller than the fastest, to keep one enqueue under --max-enqueue-ms)" : "", p->stored_in,
             where);
    print_wrapped(out, line, 0, 2);
  }
}

void clrt_bench_print_table(const clrt_bench_results *results, FILE *out) {
  char line[4 * CLRT_BENCH_TEXT];
  snprintf(line, sizeof line, "clrt %s (%s) on %s, %d cores, %s", CLRT_VERSION, CLRT_GIT_REVISION, results->machine.cpu,
           results->machine.cores, results->machine.os);
  print_wrapped(out, line, 0, 2);
  print_legend(results, out);
  const char *scene = NULL;
  for (size_t i = 0; i < results->record_count; ++i) {
    const clrt_bench_record *r = &results->records[i];
    if (r->sweep)
      continue;
    if (!scene || strcmp(scene, r->scene)) {
      scene = r->scene;
      /* A frame's rays are the same on every device: the picture is. */
      fprintf(out, "\n%s: %ux%u, %u sample(s)/px, %zu sphere(s), BVH built in %.0f ms on the host\n", scene, r->width,
              r->height, r->samples, r->spheres, r->bvh_build_ms);
      fprintf(out, "  a frame's rays: %.2f M (camera %.2f M, bounce %.2f M, shadow %.2f M)\n",
              (double)clrt_rays_total(&r->rays) / 1e6, (double)r->rays.camera / 1e6, (double)r->rays.bounce / 1e6,
              (double)r->rays.shadow / 1e6);
      fprintf(out, ROW_FORMAT "\n", "dev", "tiling", "build ms", "Mrays/s", "(min-max)", "Msamp/s", "frame ms",
              "vs 1 thr", "vs cores", "image");
      print_baselines(results, scene, out);
    }
    print_record(r, out);
  }
  if (results->options.tile_sweep)
    print_sweep(results, out);
  if (results->options.fast_math)
    fprintf(out, "--fast-math: kernels built with -cl-fast-relaxed-math; pictures are not exact\n");
  fflush(out);
}
