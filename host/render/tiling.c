/* Tilings, the default one, and the per-device choice of the tile sweep. */
#include "clrt_tiling.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clrt_program.h"

#define CLRT_TILE_CHOICE_FILE "tile-choices.json"

bool clrt_tiling_parse(const char *text, clrt_tiling *tiling) {
  memset(tiling, 0, sizeof *tiling);
  char tail;
  if (sscanf(text, "strips:%u%c", &tiling->strips, &tail) == 1)
    return tiling->strips > 0;
  return sscanf(text, "%ux%u%c", &tiling->tile_width, &tiling->tile_height, &tail) == 2 && tiling->tile_width > 0 &&
         tiling->tile_height > 0;
}

void clrt_tiling_name(const clrt_tiling *tiling, char *out, size_t size) {
  if (tiling->guided)
    snprintf(out, size, "guided");
  else if (tiling->strips)
    snprintf(out, size, "strips:%u", tiling->strips);
  else
    snprintf(out, size, "%ux%u", tiling->tile_width, tiling->tile_height);
}

static bool choice_path(char *out, size_t size) {
  char directory[900];
  return clrt_program_cache_dir(directory, sizeof directory) &&
         snprintf(out, size, "%s/%s", directory, CLRT_TILE_CHOICE_FILE) < (int)size;
}

/* Device name and driver version: a driver update may change the best. */
static void device_key(const clrt_device *device, char *out, size_t size) {
  snprintf(out, size, "%s | %s | driver %s", device->platform_name, device->name, device->driver_version);
}

/* The stored choice for `device`; false when there is none. */
static bool load_stored(const clrt_device *device, clrt_tiling *tiling) {
  char path[1024], key[700];
  if (!choice_path(path, sizeof path))
    return false;
  json_t *root = json_load_file(path, 0, NULL);
  if (!root)
    return false;
  device_key(device, key, sizeof key);
  const char *text = json_string_value(json_object_get(json_object_get(root, key), "tiling"));
  bool found = text && clrt_tiling_parse(text, tiling);
  json_decref(root);
  return found;
}

clrt_tiling clrt_tiling_default(const clrt_device *devices, size_t count) {
  clrt_tiling tiling = {.guided = true};
  if (count > 1)
    return tiling;
  if (load_stored(&devices[0], &tiling)) {
    tiling.from_sweep = true;
    return tiling;
  }
  return (clrt_tiling){.tile_width = CLRT_DEFAULT_TILE_SIDE, .tile_height = CLRT_DEFAULT_TILE_SIDE};
}

clrt_status clrt_tiling_plan(const clrt_tiling *tiling, unsigned width, unsigned height, clrt_tile_plan *plan,
                             clrt_error *err) {
  memset(plan, 0, sizeof *plan);
  if (tiling->guided)
    return CLRT_OK;
  clrt_status status = tiling->strips
                           ? clrt_tiles_strips(width, height, tiling->strips, plan, err)
                           : clrt_tiles_grid(width, height, tiling->tile_width, tiling->tile_height, plan, err);
  return status == CLRT_OK ? clrt_tiles_cap(plan, CLRT_MAX_TILE_PIXELS, err) : status;
}

clrt_status clrt_tiling_store(const clrt_device *device, const char *tiling, char *path_out, size_t path_size,
                              clrt_error *err) {
  char path[1024], temporary[1100], key[700];
  if (!choice_path(path, sizeof path))
    return clrt_fail(err, CLRT_ERR_RUNTIME, "no cache folder to store tile choices in (set %s)",
                     CLRT_CACHE_DIR_ENVIRONMENT);
  json_t *root = json_load_file(path, 0, NULL);
  if (!json_is_object(root)) {
    json_decref(root);
    root = json_object();
  }
  device_key(device, key, sizeof key);
  json_object_set_new(root, key, json_pack("{s:s}", "tiling", tiling));
  snprintf(temporary, sizeof temporary, "%s.tmp-%ld", path, (long)getpid());
  int written = json_dump_file(root, temporary, JSON_INDENT(2) | JSON_SORT_KEYS);
  json_decref(root);
  if (written != 0 || rename(temporary, path) != 0) {
    unlink(temporary);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot store the tile choice", path);
  }
  snprintf(path_out, path_size, "%s", path);
  return CLRT_OK;
}
