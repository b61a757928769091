/* Tilings, the default one, and the per-device choice of the tile sweep. */
#include "clrt_tiling.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "clrt_cache.h"
#include "clrt_file.h"
#include "clrt_number.h"

#define CLRT_TILE_CHOICE_FILE "tile-choices.json"
#define CLRT_TILE_CHOICE_LOCK "tile-choices.lock"

bool clrt_tiling_parse(const char *text, clrt_tiling *tiling) {
  memset(tiling, 0, sizeof *tiling);
  if (strncmp(text, "strips:", 7) == 0)
    return clrt_number_unsigned(text + 7, CLRT_MAX_TILING_SIDE, &tiling->strips) && tiling->strips > 0;
  return clrt_number_size(text, CLRT_MAX_TILING_SIDE, &tiling->tile_width, &tiling->tile_height);
}

void clrt_tiling_name(const clrt_tiling *tiling, char *out, size_t size) {
  if (tiling->guided)
    snprintf(out, size, "guided");
  else if (tiling->strips)
    snprintf(out, size, "strips:%u", tiling->strips);
  else
    snprintf(out, size, "%ux%u", tiling->tile_width, tiling->tile_height);
}

/* Device name and driver version: a driver update may change the best. */
static void device_key(const clrt_device *device, char *out, size_t size) {
  snprintf(out, size, "%s | %s | driver %s", device->platform_name, device->name, device->driver_version);
}

/* The stored tilings by device key: an object, empty when there is no
 * file. NULL when the file is there but is not such an object (why).
 * The file is read as a regular file only (a FIFO there must not hang
 * clrt). */
static json_t *read_choices(const char *path, char *why, size_t why_size) {
  char *text;
  size_t size;
  clrt_error err;
  if (access(path, F_OK) != 0)
    return json_object();
  if (clrt_file_read(path, "the stored tile choices", &text, &size, &err) != CLRT_OK) {
    snprintf(why, why_size, "%s", err.message);
    return NULL;
  }
  json_error_t error;
  json_t *root = json_loadb(text, size, JSON_REJECT_DUPLICATES, &error);
  free(text);
  if (!root)
    snprintf(why, why_size, "%s:%d: not JSON (%s)", path, error.line, error.text);
  else if (!json_is_object(root))
    snprintf(why, why_size, "%s: not an object of tile choices", path);
  if (!json_is_object(root)) {
    json_decref(root);
    return NULL;
  }
  return root;
}

/* Whether a stored tiling is one the sweep makes: a bad or foreign one
 * (a 1x1 grid) must not cost a render millions of tiles. */
static bool sweep_could_choose(const clrt_tiling *tiling) {
  static const unsigned squares[] = CLRT_SWEEP_SQUARES;
  if (tiling->strips > 0)
    return true;
  for (size_t i = 0; i < sizeof squares / sizeof squares[0]; ++i)
    if (tiling->tile_width == squares[i] && tiling->tile_height == squares[i])
      return true;
  return false;
}

/* The stored choice for `device`; false when there is none. A file or
 * entry that is not what the sweep writes is ignored, with a warning. */
static bool load_stored(const clrt_device *device, clrt_tiling *tiling, FILE *log) {
  char directory[900], path[1024], key[700], why[CLRT_ERROR_MESSAGE_SIZE] = "";
  if (!clrt_cache_dir(directory, sizeof directory, log))
    return false;
  snprintf(path, sizeof path, "%s/%s", directory, CLRT_TILE_CHOICE_FILE);
  json_t *root = read_choices(path, why, sizeof why);
  device_key(device, key, sizeof key);
  json_t *entry = json_object_get(root, key);
  const char *text = json_string_value(json_object_get(entry, "tiling"));
  bool found = text && clrt_tiling_parse(text, tiling) && sweep_could_choose(tiling);
  if (entry && !found)
    snprintf(why, sizeof why, "%s: the stored tiling '%s' of %s is not one the tile sweep makes", path,
             text ? text : "(not a string)", device->name);
  json_decref(root);
  if (why[0])
    clrt_warn_once(log, "%s; ignoring it (clrt bench --tile-sweep stores a new choice)", why);
  return found;
}

unsigned clrt_default_tile_side(const clrt_device *device) {
  if (!(device->type & CL_DEVICE_TYPE_GPU))
    return CLRT_DEFAULT_TILE_SIDE;
  double work_items = (double)CLRT_GPU_TILE_WAVES * CLRT_GPU_RESIDENT_PER_UNIT * device->compute_units;
  unsigned side = 2 * CLRT_DEFAULT_TILE_SIDE;
  while (side < 4 * CLRT_DEFAULT_TILE_SIDE && (double)side * side < work_items)
    side += CLRT_DEFAULT_TILE_SIDE;
  return side;
}

clrt_tiling clrt_tiling_default(const clrt_device *devices, size_t count, FILE *log) {
  clrt_tiling tiling = {.guided = true};
  if (count > 1)
    return tiling;
  if (load_stored(&devices[0], &tiling, log)) {
    tiling.from_sweep = true;
    return tiling;
  }
  unsigned side = clrt_default_tile_side(&devices[0]);
  return (clrt_tiling){.tile_width = side, .tile_height = side};
}

clrt_status clrt_tiling_plan(const clrt_tiling *tiling, unsigned width, unsigned height, clrt_tile_plan *plan,
                             clrt_error *err) {
  memset(plan, 0, sizeof *plan);
  if (tiling->guided)
    return CLRT_OK;
  /* A stored choice made on a taller image may have more strips than
   * this one has rows: one strip per row is what it meant. */
  unsigned strips = tiling->from_sweep && tiling->strips > height ? height : tiling->strips;
  clrt_status status = strips ? clrt_tiles_strips(width, height, strips, plan, err)
                              : clrt_tiles_grid(width, height, tiling->tile_width, tiling->tile_height, plan, err);
  return status == CLRT_OK ? clrt_tiles_cap(plan, CLRT_MAX_TILE_PIXELS, err) : status;
}

/* Adds `device`'s choice to the stored ones and replaces the file. */
static clrt_status store_locked(const char *path, const clrt_device *device, const char *tiling, clrt_error *err) {
  char key[700], why[CLRT_ERROR_MESSAGE_SIZE];
  json_t *root = read_choices(path, why, sizeof why);
  if (!root)
    root = json_object(); /* a damaged file is replaced */
  device_key(device, key, sizeof key);
  json_object_set_new(root, key, json_pack("{s:s}", "tiling", tiling));
  char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
  json_decref(root);
  clrt_file_part parts[] = {{text, text ? strlen(text) : 0}, {"\n", 1}};
  bool stored = text && clrt_file_replace(path, parts, 2);
  free(text);
  return stored ? CLRT_OK
                : clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot store the tile choice: %s", path, strerror(errno));
}

clrt_status clrt_tiling_store(const clrt_device *device, const char *tiling, FILE *log, char *path_out,
                              size_t path_size, clrt_error *err) {
  char directory[900], path[1024], lock_path[1024];
  if (!clrt_cache_dir(directory, sizeof directory, log))
    return clrt_fail(err, CLRT_ERR_RUNTIME, "no usable cache folder to store tile choices in (set %s)",
                     CLRT_CACHE_DIR_ENVIRONMENT);
  snprintf(path, sizeof path, "%s/%s", directory, CLRT_TILE_CHOICE_FILE);
  snprintf(lock_path, sizeof lock_path, "%s/%s", directory, CLRT_TILE_CHOICE_LOCK);
  /* Two sweeps at once must not lose each other's choices: the lock
   * covers the read, the change and the write. */
  int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock < 0 || flock(lock, LOCK_EX) != 0) {
    if (lock >= 0)
      close(lock);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot lock the tile choices: %s", lock_path, strerror(errno));
  }
  clrt_status status = store_locked(path, device, tiling, err);
  close(lock);
  if (status == CLRT_OK)
    snprintf(path_out, path_size, "%s", path);
  return status;
}
