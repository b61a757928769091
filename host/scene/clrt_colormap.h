/* Colour maps: a scalar in a range to a colour, through a table of sRGB
 * rows interpolated linearly, as matplotlib's tables are read (from one
 * row at the range's lower end to the last at its upper end). The
 * built-in maps are matplotlib's 256-entry tables; a map file holds rows
 * of its own. */
#ifndef CLRT_COLORMAP_H
#define CLRT_COLORMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "clrt_error.h"

/* A map file's rows: at least two (a table with one colour maps nothing),
 * at most this many. */
enum { CLRT_COLORMAP_FILE_MAX_ROWS = 65536 };

typedef struct clrt_colormap {
  const double (*rgb)[3]; /* sRGB-encoded rows, in [0, 1] */
  size_t rows;
  double (*owned)[3];  /* a map file's rows (rgb points to them); NULL for a built-in map */
  double (*linear)[3]; /* the rows made linear (clrt_colormap_linear), made on first use */
} clrt_colormap;

/* The built-in map `name`; false when there is none of that name. */
bool clrt_colormap_builtin(const char *name, clrt_colormap *map);

/* The built-in maps' names, ", "-separated (cut to fit), for messages. */
void clrt_colormap_builtin_names(char *out, size_t size);

/* A map file: one "r g b" row a line, each in [0, 1]; blank lines and
 * lines starting with '#' are skipped. Errors name the file and line. */
clrt_status clrt_colormap_read(const char *path, clrt_colormap *map, clrt_error *err);

void clrt_colormap_free(clrt_colormap *map);

/* The sRGB colour of `value` in [lower, upper] (lower < upper; values
 * outside take the end rows). A value that falls on a row (at lower +
 * k·(upper − lower)/(rows − 1), computed as the map does) gets that row
 * exactly. */
void clrt_colormap_srgb(const clrt_colormap *map, double value, double lower, double upper, double srgb[3]);

/* The colour of `value`, linear: what a sphere's colour is (the sRGB curve
 * undone, so that a surface lit at full strength shows the map's colour
 * once the picture is encoded again): the rows made linear, then
 * interpolated as clrt_colormap_srgb interpolates (a value on a row gets
 * that row's linear colour exactly). False when out of memory for the
 * linear rows. */
bool clrt_colormap_linear(clrt_colormap *map, double value, double lower, double upper, double linear[3]);

#endif /* CLRT_COLORMAP_H */
