/* Colour maps: the built-in tables, map files, and the lookup. */
#include "clrt_colormap.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_array.h"
#include "clrt_file.h"
#include "colormap_tables.h"

bool clrt_colormap_builtin(const char *name, clrt_colormap *map) {
  for (size_t i = 0; i < clrt_colormap_table_count; ++i)
    if (!strcmp(clrt_colormap_tables[i].name, name)) {
      *map = (clrt_colormap){clrt_colormap_tables[i].rgb, CLRT_COLORMAP_ENTRIES, NULL, NULL};
      return true;
    }
  return false;
}

void clrt_colormap_builtin_names(char *out, size_t size) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < clrt_colormap_table_count && used < size; ++i)
    used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "", clrt_colormap_tables[i].name);
}

/* ---- map files ---- */

typedef struct map_file {
  const char *path;
  size_t line;
  double (*rows)[3];
  size_t count, capacity;
} map_file;

static int skipped_line(const char *text) {
  text += strspn(text, " \t\r");
  return !*text || *text == '#';
}

/* One "r g b" line into the next row. */
static clrt_status read_row(map_file *file, char *text, clrt_error *err) {
  if (file->count == CLRT_COLORMAP_FILE_MAX_ROWS)
    return clrt_fail(err, CLRT_ERR_INPUT, "%s:%zu: more than %d rows; a colour map needs no more", file->path,
                     file->line, CLRT_COLORMAP_FILE_MAX_ROWS);
  double(*grown)[3] = clrt_array_reserve(file->rows, &file->capacity, file->count + 1, sizeof *grown);
  if (!grown)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: out of memory", file->path);
  file->rows = grown;
  char *at = text;
  for (int c = 0; c < 3; ++c) {
    char *end;
    errno = 0;
    double v = strtod(at, &end);
    if (end == at || errno || !(v >= 0.0 && v <= 1.0))
      return clrt_fail(err, CLRT_ERR_INPUT,
                       "%s:%zu: a row must be three numbers r g b, each in [0, 1] (sRGB-encoded), as in \"0.2 0.4 "
                       "0.9\"",
                       file->path, file->line);
    file->rows[file->count][c] = v;
    at = end;
  }
  if (!skipped_line(at))
    return clrt_fail(err, CLRT_ERR_INPUT, "%s:%zu: a row holds three numbers r g b and nothing after them", file->path,
                     file->line);
  ++file->count;
  return CLRT_OK;
}

static clrt_status read_rows(map_file *file, char *text, clrt_error *err) {
  clrt_status status = CLRT_OK;
  for (char *line = text; status == CLRT_OK && line; ++file->line) {
    char *next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    if (!skipped_line(line))
      status = read_row(file, line, err);
    line = next;
  }
  if (status == CLRT_OK && file->count < 2)
    status = clrt_fail(err, CLRT_ERR_INPUT, "%s: a colour map needs at least two rows of r g b (it has %zu)",
                       file->path, file->count);
  return status;
}

clrt_status clrt_colormap_read(const char *path, clrt_colormap *map, clrt_error *err) {
  char *text = NULL;
  size_t size = 0;
  clrt_status status = clrt_file_read(path, "the colour map", &text, &size, err);
  map_file file = {path, 1, NULL, 0, 0};
  if (status == CLRT_OK && memchr(text, '\0', size))
    status = clrt_fail(err, CLRT_ERR_INPUT, "%s: a colour map is text: rows of r g b", path);
  if (status == CLRT_OK)
    status = read_rows(&file, text, err);
  free(text);
  if (status != CLRT_OK) {
    free(file.rows);
    return status;
  }
  *map = (clrt_colormap){(const double(*)[3])file.rows, file.count, file.rows, NULL};
  return CLRT_OK;
}

void clrt_colormap_free(clrt_colormap *map) {
  free(map->owned);
  free(map->linear);
  memset(map, 0, sizeof *map);
}

/* ---- the lookup ---- */

/* Where `value` falls among `rows` rows: a row and the share of the next. */
static size_t row_of(size_t rows, double value, double lower, double upper, double *share) {
  size_t last = rows - 1;
  /* The multiplication first: with a range of [0, rows − 1] a value that
   * is a whole number lands on its row exactly. */
  double position = (value - lower) * (double)last / (upper - lower);
  if (!(position > 0.0)) /* NaN too */
    position = 0.0;
  if (position > (double)last)
    position = (double)last;
  size_t row = (size_t)position;
  *share = position - (double)row;
  return row;
}

static void interpolate(const double (*rgb)[3], size_t row, double share, double out[3]) {
  for (int c = 0; c < 3; ++c)
    out[c] = share == 0.0 ? rgb[row][c] : rgb[row][c] * (1.0 - share) + rgb[row + 1][c] * share;
}

void clrt_colormap_srgb(const clrt_colormap *map, double value, double lower, double upper, double srgb[3]) {
  double share;
  size_t row = row_of(map->rows, value, lower, upper, &share);
  interpolate(map->rgb, row, share, srgb);
}

static double srgb_to_linear(double v) { return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4); }

bool clrt_colormap_linear(clrt_colormap *map, double value, double lower, double upper, double linear[3]) {
  if (!map->linear) {
    map->linear = malloc(map->rows * sizeof *map->linear);
    if (!map->linear)
      return false;
    for (size_t r = 0; r < map->rows; ++r)
      for (int c = 0; c < 3; ++c)
        map->linear[r][c] = srgb_to_linear(map->rgb[r][c]);
  }
  double share;
  size_t row = row_of(map->rows, value, lower, upper, &share);
  interpolate((const double(*)[3])map->linear, row, share, linear);
  return true;
}
