/* clrt bench --chart: SVG charts a person would rather look at than read.
 * A bar chart of median Mrays/s (whiskers: min to max) per scene and
 * device, the host baseline beside them; after --tile-sweep, a line chart
 * of Mrays/s against tiles per frame (log scale), one line per device and
 * scene. */
#include "clrt_bench.h"

#include <math.h>
#include <string.h>

#define CHART_WIDTH 960
#define BAR_CHART_HEIGHT 420
#define LINE_CHART_HEIGHT 440
#define MARGIN_LEFT 70
#define MARGIN_RIGHT 230 /* room for the legend */
#define MARGIN_TOP 50
#define MARGIN_BOTTOM 60

static const char *const PALETTE[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
#define PALETTE_SIZE (sizeof PALETTE / sizeof PALETTE[0])
#define HOST_COLOR "#b8b8b8"
#define HOST_ALL_CORES_COLOR "#7a7a7a"
/* Legend labels are cut to this many characters, with an ellipsis. */
#define LEGEND_LABEL_LENGTH 30

/* A round number >= value for the axis top (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8
 * times a power of ten, so that the bars use most of the height). */
static double nice_ceiling(double value) {
  if (value <= 0)
    return 1.0;
  double power = pow(10.0, floor(log10(value)));
  double steps[] = {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10};
  for (int i = 0; i < 10; ++i)
    if (steps[i] * power >= value)
      return steps[i] * power;
  return 10 * power;
}

static void escape(FILE *out, const char *text) {
  for (const char *c = text; *c; ++c) {
    if (*c == '<')
      fputs("&lt;", out);
    else if (*c == '>')
      fputs("&gt;", out);
    else if (*c == '&')
      fputs("&amp;", out);
    else
      fputc(*c, out);
  }
}

/* Distinct labels in order of first appearance. */
typedef struct label_set {
  char names[32][CLRT_BENCH_TEXT];
  size_t count;
} label_set;

static size_t label_index(label_set *set, const char *name) {
  for (size_t i = 0; i < set->count; ++i)
    if (!strcmp(set->names[i], name))
      return i;
  if (set->count < 32)
    snprintf(set->names[set->count++], CLRT_BENCH_TEXT, "%s", name);
  return set->count - 1;
}

/* "P:D name", cut after a whole word when it is too long for the legend. */
static void device_name(const clrt_bench_record *r, char *out, size_t size) {
  snprintf(out, size, "%.15s %.200s", r->device_label, r->device);
  if (strlen(out) <= LEGEND_LABEL_LENGTH || size <= LEGEND_LABEL_LENGTH + 4)
    return;
  size_t cut = LEGEND_LABEL_LENGTH - 3;
  while (cut > strlen(r->device_label) + 1 && out[cut] != ' ' && out[cut] != '-')
    --cut;
  strcpy(out + cut, "...");
}

static void y_axis(FILE *out, int top, int height, double max, const char *title) {
  int left = MARGIN_LEFT, right = CHART_WIDTH - MARGIN_RIGHT;
  for (int tick = 0; tick <= 5; ++tick) {
    double value = max * tick / 5.0;
    int y = top + height - (int)(height * tick / 5.0);
    fprintf(out, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#e0e0e0'/>\n", left, y, right, y);
    fprintf(out, "<text x='%d' y='%d' text-anchor='end' font-size='11'>%g</text>\n", left - 6, y + 4, value);
  }
  fprintf(out, "<text x='18' y='%d' font-size='12' transform='rotate(-90 18 %d)' text-anchor='middle'>%s</text>\n",
          top + height / 2, top + height / 2, title);
}

/* The series' colours and names, then the host baselines' (`hosts`, one
 * per thread count). */
static void legend(FILE *out, int top, const label_set *series, const clrt_host_baseline *hosts, size_t host_count) {
  int x = CHART_WIDTH - MARGIN_RIGHT + 16;
  for (size_t i = 0; i < series->count; ++i) {
    fprintf(out, "<rect x='%d' y='%zu' width='12' height='12' fill='%s'/>\n", x, top + 18 * i,
            PALETTE[i % PALETTE_SIZE]);
    fprintf(out, "<text x='%d' y='%zu' font-size='11'>", x + 18, top + 18 * i + 10);
    escape(out, series->names[i]);
    fputs("</text>\n", out);
  }
  for (size_t i = 0; i < host_count; ++i) {
    size_t y = top + 18 * (series->count + i);
    char name[64];
    clrt_bench_host_name(&hosts[i], name, sizeof name);
    fprintf(out,
            "<rect x='%d' y='%zu' width='12' height='12' fill='%s'/><text x='%d' y='%zu' font-size='11'>%s</text>\n", x,
            y, hosts[i].threads > 1 ? HOST_ALL_CORES_COLOR : HOST_COLOR, x + 18, y + 10, name);
  }
}

/* The host baseline on one thread (all_cores false) or on every core. */
static const clrt_host_baseline *host_baseline(const clrt_bench_results *results, const char *scene, bool all_cores) {
  for (size_t i = 0; i < results->baseline_count; ++i)
    if (!strcmp(results->baselines[i].scene, scene) && (results->baselines[i].threads > 1) == all_cores)
      return &results->baselines[i];
  return NULL;
}

/* A bar of the median with its whisker from min to max, and the median's
 * value above both, where the whisker cannot strike through it. */
static void bar(FILE *out, int x, int width, int bottom, int height, clrt_stats value, double max, const char *color) {
  int h = (int)(height * value.median / max);
  fprintf(out, "<rect x='%d' y='%d' width='%d' height='%d' fill='%s'/>\n", x, bottom - h, width, h, color);
  int y_min = bottom - (int)(height * value.min / max), y_max = bottom - (int)(height * value.max / max);
  if (value.max > value.min)
    fprintf(out, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>\n", x + width / 2, y_min, x + width / 2, y_max);
  int top = y_max < bottom - h ? y_max : bottom - h;
  fprintf(out, "<text x='%d' y='%d' text-anchor='middle' font-size='10'>%.1f</text>\n", x + width / 2, top - 4,
          value.median);
}

static void host_bar(FILE *out, const clrt_bench_results *results, const char *scene, bool all_cores, int x, int width,
                     int bottom, int height, double max) {
  const clrt_host_baseline *h = host_baseline(results, scene, all_cores);
  if (h)
    bar(out, x, width, bottom, height, h->mrays, max, all_cores ? HOST_ALL_CORES_COLOR : HOST_COLOR);
}

static void bar_chart(const clrt_bench_results *results, FILE *out, int top) {
  label_set scenes = {0}, devices = {0};
  double max = 0.0;
  for (size_t i = 0; i < results->record_count; ++i) {
    const clrt_bench_record *r = &results->records[i];
    if (r->sweep || !r->scored)
      continue;
    char name[CLRT_BENCH_TEXT];
    device_name(r, name, sizeof name);
    label_index(&scenes, r->scene);
    label_index(&devices, name);
    const clrt_host_baseline *host = host_baseline(results, r->scene, true);
    max = fmax(max, fmax(r->mrays.max, host ? host->mrays.max : 0.0));
  }
  max = nice_ceiling(max);
  int height = BAR_CHART_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM, bottom = top + MARGIN_TOP + height;
  fprintf(out,
          "<text x='%d' y='%d' font-size='16' font-weight='bold'>Mrays/s per device and scene (median, "
          "whiskers min-max)</text>\n",
          MARGIN_LEFT, top + 24);
  y_axis(out, top + MARGIN_TOP, height, max, "Mrays/s");
  double group = (double)(CHART_WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / (double)(scenes.count ? scenes.count : 1);
  int bar_width = (int)(group * 0.8 / (double)(devices.count + 2));
  for (size_t s = 0; s < scenes.count; ++s) {
    int x0 = MARGIN_LEFT + (int)(group * s + group * 0.1);
    host_bar(out, results, scenes.names[s], false, x0, bar_width - 2, bottom, height, max);
    host_bar(out, results, scenes.names[s], true, x0 + bar_width, bar_width - 2, bottom, height, max);
    for (size_t i = 0; i < results->record_count; ++i) {
      const clrt_bench_record *r = &results->records[i];
      if (r->sweep || !r->scored || strcmp(r->scene, scenes.names[s]))
        continue;
      char name[CLRT_BENCH_TEXT];
      device_name(r, name, sizeof name);
      size_t d = label_index(&devices, name);
      int x = x0 + bar_width * (int)(d + 2);
      bar(out, x, bar_width - 2, bottom, height, r->mrays, max, PALETTE[d % PALETTE_SIZE]);
    }
    fprintf(out, "<text x='%d' y='%d' text-anchor='middle' font-size='12'>", MARGIN_LEFT + (int)(group * (s + 0.5)),
            bottom + 20);
    escape(out, scenes.names[s]);
    fputs("</text>\n", out);
  }
  clrt_host_baseline hosts[2];
  size_t host_count = 0;
  for (int all_cores = 0; all_cores < 2 && scenes.count > 0; ++all_cores) {
    const clrt_host_baseline *h = host_baseline(results, scenes.names[0], all_cores);
    if (h)
      hosts[host_count++] = *h;
  }
  legend(out, top + MARGIN_TOP, &devices, hosts, host_count);
}

static double log_x(size_t tiles, size_t max_tiles, int width) {
  return MARGIN_LEFT + width * log2((double)tiles) / log2((double)(max_tiles > 1 ? max_tiles : 2));
}

static void line_chart(const clrt_bench_results *results, FILE *out, int top) {
  label_set series = {0};
  double max = 0.0;
  size_t max_tiles = 1;
  for (size_t i = 0; i < results->record_count; ++i) {
    const clrt_bench_record *r = &results->records[i];
    if (!r->sweep || !r->scored)
      continue;
    char name[CLRT_BENCH_TEXT];
    snprintf(name, sizeof name, "%s on %s", r->scene, r->device_label);
    label_index(&series, name);
    max = fmax(max, r->mrays.median);
    max_tiles = r->tile_count > max_tiles ? r->tile_count : max_tiles;
  }
  max = nice_ceiling(max);
  int height = LINE_CHART_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM, bottom = top + MARGIN_TOP + height;
  int width = CHART_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
  fprintf(out,
          "<text x='%d' y='%d' font-size='16' font-weight='bold'>Tile sweep: Mrays/s against tiles per frame "
          "(lines: strips, dots: squares)</text>\n",
          MARGIN_LEFT, top + 24);
  y_axis(out, top + MARGIN_TOP, height, max, "Mrays/s");
  for (size_t tiles = 1; tiles <= max_tiles; tiles *= 4)
    fprintf(out, "<text x='%.0f' y='%d' text-anchor='middle' font-size='11'>%zu</text>\n",
            log_x(tiles, max_tiles, width), bottom + 16, tiles);
  fprintf(out, "<text x='%d' y='%d' text-anchor='middle' font-size='12'>tiles per frame (log scale)</text>\n",
          MARGIN_LEFT + width / 2, bottom + 38);
  for (size_t s = 0; s < series.count; ++s) {
    fprintf(out, "<polyline fill='none' stroke-width='2' stroke='%s' points='", PALETTE[s % PALETTE_SIZE]);
    for (size_t i = 0; i < results->record_count; ++i) {
      const clrt_bench_record *r = &results->records[i];
      char name[CLRT_BENCH_TEXT];
      snprintf(name, sizeof name, "%s on %s", r->scene, r->device_label);
      if (r->sweep && r->scored && !strcmp(name, series.names[s]) && !strncmp(r->tiling, "strips:", 7))
        fprintf(out, "%.1f,%.1f ", log_x(r->tile_count, max_tiles, width), bottom - height * r->mrays.median / max);
    }
    fputs("'/>\n", out);
    for (size_t i = 0; i < results->record_count; ++i) {
      const clrt_bench_record *r = &results->records[i];
      char name[CLRT_BENCH_TEXT];
      snprintf(name, sizeof name, "%s on %s", r->scene, r->device_label);
      if (r->sweep && r->scored && !strcmp(name, series.names[s]) && strncmp(r->tiling, "strips:", 7))
        fprintf(out, "<circle cx='%.1f' cy='%.1f' r='4' fill='%s'><title>%s</title></circle>\n",
                log_x(r->tile_count, max_tiles, width), bottom - height * r->mrays.median / max,
                PALETTE[s % PALETTE_SIZE], r->tiling);
    }
  }
  legend(out, top + MARGIN_TOP, &series, NULL, 0);
}

clrt_status clrt_bench_write_chart(const clrt_bench_results *results, const char *path, clrt_error *err) {
  const char *dot = strrchr(path, '.');
  if (!dot || strcmp(dot, ".svg") != 0)
    return clrt_fail(err, CLRT_ERR_INPUT, "--chart %s: charts are SVG; name the file .svg", path);
  FILE *out = fopen(path, "w");
  if (!out)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "--chart %s: cannot write the file", path);
  bool sweep = results->options.tile_sweep;
  int total = BAR_CHART_HEIGHT + (sweep ? LINE_CHART_HEIGHT : 0);
  fprintf(out,
          "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif'>\n"
          "<rect width='100%%' height='100%%' fill='white'/>\n",
          CHART_WIDTH, total);
  bar_chart(results, out, 0);
  if (sweep)
    line_chart(results, out, BAR_CHART_HEIGHT);
  fprintf(out, "<text x='%d' y='%d' font-size='10' fill='#666'>", MARGIN_LEFT, total - 8);
  escape(out, results->machine.cpu);
  fprintf(out, ", clrt %s</text>\n</svg>\n", CLRT_VERSION);
  return fclose(out) == 0 ? CLRT_OK : clrt_fail(err, CLRT_ERR_RUNTIME, "--chart %s: writing failed", path);
}
