/* Tile partitions of the image. */
#include "clrt_tiles.h"

#include <stdlib.h>

#include "clrt_array.h"

static clrt_status allocate_plan(size_t count, clrt_tile_plan *plan, clrt_error *err) {
  plan->tiles = calloc(count, sizeof *plan->tiles);
  plan->count = count;
  plan->max_width = plan->max_height = 0;
  plan->max_pixels = 0;
  if (!plan->tiles)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu tiles", count);
  return CLRT_OK;
}

static void add_tile(clrt_tile_plan *plan, size_t index, clrt_tile tile) {
  plan->tiles[index] = tile;
  if (tile.width > plan->max_width)
    plan->max_width = tile.width;
  if (tile.height > plan->max_height)
    plan->max_height = tile.height;
  if ((size_t)tile.width * tile.height > plan->max_pixels)
    plan->max_pixels = (size_t)tile.width * tile.height;
}

clrt_status clrt_tiles_strips(unsigned width, unsigned height, unsigned strip_count, clrt_tile_plan *plan,
                              clrt_error *err) {
  if (strip_count == 0 || strip_count > height)
    return clrt_fail(err, CLRT_ERR_INPUT, "--tiles %u: must be between 1 and the image height (%u rows)", strip_count,
                     height);
  clrt_status status = allocate_plan(strip_count, plan, err);
  if (status != CLRT_OK)
    return status;
  for (unsigned i = 0; i < strip_count; ++i) {
    unsigned top = (unsigned)((unsigned long long)height * i / strip_count);
    unsigned bottom = (unsigned)((unsigned long long)height * (i + 1) / strip_count);
    add_tile(plan, i, (clrt_tile){0, top, width, bottom - top});
  }
  return CLRT_OK;
}

static unsigned tiles_along(unsigned length, unsigned tile_length) { return (length + tile_length - 1) / tile_length; }

static unsigned min_unsigned(unsigned a, unsigned b) { return a < b ? a : b; }

clrt_status clrt_tiles_grid(unsigned width, unsigned height, unsigned tile_width, unsigned tile_height,
                            clrt_tile_plan *plan, clrt_error *err) {
  if (tile_width == 0 || tile_height == 0)
    return clrt_fail(err, CLRT_ERR_INPUT, "--tile-size %ux%u: both sides must be at least 1", tile_width, tile_height);
  tile_width = min_unsigned(tile_width, width);
  tile_height = min_unsigned(tile_height, height);
  unsigned columns = tiles_along(width, tile_width), rows = tiles_along(height, tile_height);
  clrt_status status = allocate_plan((size_t)columns * rows, plan, err);
  if (status != CLRT_OK)
    return status;
  size_t index = 0;
  for (unsigned row = 0; row < rows; ++row) {
    for (unsigned column = 0; column < columns; ++column) {
      unsigned x = column * tile_width, y = row * tile_height;
      add_tile(plan, index++,
               (clrt_tile){x, y, min_unsigned(tile_width, width - x), min_unsigned(tile_height, height - y)});
    }
  }
  return CLRT_OK;
}

/* How many bands a tile is cut into to stay within max_pixels. */
static unsigned pieces_of(const clrt_tile *tile, size_t max_pixels) {
  size_t rows = max_pixels / tile->width;
  rows = rows ? rows : 1;
  return (unsigned)((tile->height + rows - 1) / rows);
}

clrt_status clrt_tiles_cap(clrt_tile_plan *plan, size_t max_pixels, clrt_error *err) {
  size_t count = 0;
  for (size_t i = 0; i < plan->count; ++i)
    count += pieces_of(&plan->tiles[i], max_pixels);
  if (count == plan->count)
    return CLRT_OK;
  clrt_tile_plan capped;
  clrt_status status = allocate_plan(count, &capped, err);
  if (status != CLRT_OK)
    return status;
  size_t index = 0;
  for (size_t i = 0; i < plan->count; ++i) {
    const clrt_tile *tile = &plan->tiles[i];
    unsigned pieces = pieces_of(tile, max_pixels);
    for (unsigned k = 0; k < pieces; ++k) { /* even bands: heights differ by a row at most */
      unsigned top = (unsigned)((unsigned long long)tile->height * k / pieces);
      unsigned bottom = (unsigned)((unsigned long long)tile->height * (k + 1) / pieces);
      add_tile(&capped, index++, (clrt_tile){tile->x, tile->y + top, tile->width, bottom - top});
    }
  }
  clrt_tiles_free(plan);
  *plan = capped;
  return CLRT_OK;
}

void clrt_tiles_free(clrt_tile_plan *plan) {
  free(plan->tiles);
  plan->tiles = NULL;
  plan->count = 0;
}

bool clrt_tiles_append(clrt_tile_plan *plan, size_t *capacity, clrt_tile tile) {
  clrt_tile *grown = clrt_array_reserve(plan->tiles, capacity, plan->count + 1, sizeof *plan->tiles);
  if (!grown)
    return false;
  plan->tiles = grown;
  plan->tiles[plan->count++] = tile;
  return true;
}

void clrt_tiles_measure(clrt_tile_plan *plan) {
  plan->max_width = plan->max_height = 0;
  plan->max_pixels = 0;
  for (size_t i = 0; i < plan->count; ++i)
    add_tile(plan, i, plan->tiles[i]);
}
