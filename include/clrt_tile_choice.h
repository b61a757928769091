/* The tiling `clrt bench --tile-sweep` found best for a device, stored so
 * that `clrt render` uses it by default on that device. Kept in
 * <cache dir>/tile-choices.json (see clrt_program_cache_dir), keyed by
 * device name and driver version; a new sweep overwrites it. */
#ifndef CLRT_TILE_CHOICE_H
#define CLRT_TILE_CHOICE_H

#include <stdbool.h>
#include <stddef.h>

#include "clrt_devices.h"
#include "clrt_error.h"
#include "clrt_tiles.h"

/* "strips:N" or "WxH". */
typedef struct clrt_tile_choice {
  unsigned strips;
  unsigned tile_width, tile_height;
} clrt_tile_choice;

/* Parses "strips:N" or "WxH"; false when it is neither. */
bool clrt_tile_choice_parse(const char *text, clrt_tile_choice *choice);

/* The stored choice for `device`; false when there is none. */
bool clrt_tile_choice_load(const clrt_device *device, clrt_tile_choice *choice);

/* The plan a choice gives on a width x height image. Strips are made more
 * numerous where needed to keep every tile under 1 Mpixel (a single strip
 * of a 16K image would need gigabytes of buffers). */
clrt_status clrt_tile_choice_plan(const clrt_tile_choice *choice, unsigned width, unsigned height, clrt_tile_plan *plan,
                                  clrt_error *err);

/* Stores `tiling` for `device`; the file's path goes to path_out. */
clrt_status clrt_tile_choice_store(const clrt_device *device, const char *tiling, char *path_out, size_t path_size,
                                   clrt_error *err);

#endif /* CLRT_TILE_CHOICE_H */
