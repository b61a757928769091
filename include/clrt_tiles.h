/* Cutting an image into tiles: horizontal strips or a grid of rectangles.
 * Every pixel belongs to exactly one tile. */
#ifndef CLRT_TILES_H
#define CLRT_TILES_H

#include <stddef.h>

#include "clrt_error.h"

/* Default tile size: large enough that per-enqueue overhead is small,
 * small enough that a 4K image still gives dozens of tiles. */
#define CLRT_DEFAULT_TILE_SIDE 256u

typedef struct clrt_tile {
  unsigned x, y;          /* origin, in pixels; y = 0 is the top row */
  unsigned width, height; /* never zero */
} clrt_tile;

typedef struct clrt_tile_plan {
  clrt_tile *tiles;
  size_t count;
  unsigned max_width, max_height; /* the largest tile's sides */
} clrt_tile_plan;

/* `strip_count` strips of full width, heights differing by at most one row. */
clrt_status clrt_tiles_strips(unsigned width, unsigned height, unsigned strip_count, clrt_tile_plan *plan,
                              clrt_error *err);

/* Row-major grid of tile_width x tile_height tiles, clipped at the edges. */
clrt_status clrt_tiles_grid(unsigned width, unsigned height, unsigned tile_width, unsigned tile_height,
                            clrt_tile_plan *plan, clrt_error *err);

void clrt_tiles_free(clrt_tile_plan *plan);

#endif /* CLRT_TILES_H */
