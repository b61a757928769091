/* The stored per-device tiling from clrt bench --tile-sweep. */
#include "clrt_tile_choice.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clrt_program.h"
#include "clrt_scheduler.h"

#define CLRT_TILE_CHOICE_FILE "tile-choices.json"

bool clrt_tile_choice_parse(const char *text, clrt_tile_choice *choice) {
  memset(choice, 0, sizeof *choice);
  char tail;
  if (sscanf(text, "strips:%u%c", &choice->strips, &tail) == 1)
    return choice->strips > 0;
  return sscanf(text, "%ux%u%c", &choice->tile_width, &choice->tile_height, &tail) == 2 && choice->tile_width > 0 &&
         choice->tile_height > 0;
}

clrt_status clrt_tile_choice_plan(const clrt_tile_choice *choice, unsigned width, unsigned height, clrt_tile_plan *plan,
                                  clrt_error *err) {
  if (!choice->strips)
    return clrt_tiles_grid(width, height, choice->tile_width, choice->tile_height, plan, err);
  size_t pixels = (size_t)width * height;
  size_t needed = (pixels + CLRT_GUIDED_MAX_TILE_PIXELS - 1) / CLRT_GUIDED_MAX_TILE_PIXELS;
  size_t strips = choice->strips > needed ? choice->strips : needed;
  return clrt_tiles_strips(width, height, (unsigned)(strips < height ? strips : height), plan, err);
}

static bool choice_path(char *out, size_t size) {
  char directory[900];
  return clrt_program_cache_dir(directory, sizeof directory) &&
         snprintf(out, size, "%s/%s", directory, CLRT_TILE_CHOICE_FILE) < (int)size;
}

/* Device name and driver version: a driver update may change the best. */
static void device_key(const clrt_device *device, char *out, size_t size) {
  char driver[128] = "";
  clGetDeviceInfo(device->id, CL_DRIVER_VERSION, sizeof driver - 1, driver, NULL);
  snprintf(out, size, "%s | %s | driver %s", device->platform_name, device->name, driver);
}

bool clrt_tile_choice_load(const clrt_device *device, clrt_tile_choice *choice) {
  char path[1024], key[600];
  if (!choice_path(path, sizeof path))
    return false;
  json_t *root = json_load_file(path, 0, NULL);
  if (!root)
    return false;
  device_key(device, key, sizeof key);
  const char *tiling = json_string_value(json_object_get(json_object_get(root, key), "tiling"));
  bool found = tiling && clrt_tile_choice_parse(tiling, choice);
  json_decref(root);
  return found;
}

clrt_status clrt_tile_choice_store(const clrt_device *device, const char *tiling, char *path_out, size_t path_size,
                                   clrt_error *err) {
  char path[1024], temporary[1100], key[600];
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
