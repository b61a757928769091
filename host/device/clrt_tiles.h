/* Cutting an image into tiles: horizontal strips or a grid of rectangles.
 * Every pixel belongs to exactly one tile. */
#ifndef CLRT_TILES_H
#define CLRT_TILES_H

#include <stdbool.h>
#include <stddef.h>

#include "clrt_error.h"

/* Default tile size: large enough that per-enqueue overhead is small,
 * small enough that a 4K image still gives dozens of tiles. */
#define CLRT_DEFAULT_TILE_SIDE 256u
/* No tile handed to a device is larger: a bigger one is cut into bands of
 * its rows. So a device's buffers stay bounded (3 MiB a tile of 8-bit
 * pixels) whatever the tiling, and one enqueue stays short. */
#define CLRT_MAX_TILE_PIXELS 1048576u

typedef struct clrt_tile {
  unsigned x, y;          /* origin, in pixels; y = 0 is the top row */
  unsigned width, height; /* never zero */
} clrt_tile;

typedef struct clrt_tile_plan {
  clrt_tile *tiles;
  size_t count;
  unsigned max_width, max_height; /* the widest and the tallest tile's sides */
  size_t max_pixels;              /* the largest tile's pixels */
} clrt_tile_plan;

/* `strip_count` strips of full width, heights differing by at most one row. */
clrt_status clrt_tiles_strips(unsigned width, unsigned height, unsigned strip_count, clrt_tile_plan *plan,
                              clrt_error *err);

/* Row-major grid of tile_width x tile_height tiles, clipped at the edges. */
clrt_status clrt_tiles_grid(unsigned width, unsigned height, unsigned tile_width, unsigned tile_height,
                            clrt_tile_plan *plan, clrt_error *err);

/* Cuts every tile of more than max_pixels into bands of its rows, as few
 * and as even as fit; the plan then covers the same pixels. */
clrt_status clrt_tiles_cap(clrt_tile_plan *plan, size_t max_pixels, clrt_error *err);

/* Appends a tile to a plan being built (its room in *capacity grows);
 * false when out of memory. The plan's largest sides wait for
 * clrt_tiles_measure. */
bool clrt_tiles_append(clrt_tile_plan *plan, size_t *capacity, clrt_tile tile);

/* The plan's widest, tallest and largest tile, from its tiles (after
 * tiles were appended or grown). */
void clrt_tiles_measure(clrt_tile_plan *plan);

void clrt_tiles_free(clrt_tile_plan *plan);

#endif /* CLRT_TILES_H */
