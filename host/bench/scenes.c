/* clrt bench's scenes (bench_scenes.h). */
#include "bench_scenes.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_file.h"
#include "clrt_hash.h"

static void name_from_path(const char *path, char *out, size_t size) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  snprintf(out, size, "%s", base);
  char *dot = strrchr(out, '.');
  if (dot && dot != out)
    *dot = '\0';
}

/* A scene from its text: parsed, flattened, fingerprinted. */
static clrt_status prepare_scene(const char *name, const char *source, const char *text, bench_scene *out,
                                 clrt_error *err) {
  memset(out, 0, sizeof *out);
  snprintf(out->name, sizeof out->name, "%s", name);
  clrt_sha256_hex(text, strlen(text), out->hash);
  clrt_scene scene;
  clrt_status status = clrt_scene_parse(text, source, &scene, err);
  if (status != CLRT_OK)
    return status;
  status = clrt_flatten(&scene, &out->flat, err);
  clrt_scene_free(&scene);
  return status;
}

static clrt_status load_scene_file(const char *path, bench_scene *out, clrt_error *err) {
  char *text, name[64];
  size_t size;
  clrt_status status = clrt_file_read(path, "the scene file", &text, &size, err);
  if (status != CLRT_OK)
    return status;
  name_from_path(path, name, sizeof name);
  status = prepare_scene(name, path, text, out, err);
  free(text);
  return status;
}

clrt_status bench_load_scenes(const clrt_bench_options *options, bench_scene **scenes, size_t *count, clrt_error *err) {
  *count = options->scene_count ? options->scene_count : clrt_builtin_suite_size;
  *scenes = calloc(*count, sizeof **scenes);
  if (!*scenes)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu scenes", *count);
  for (size_t i = 0; i < *count; ++i) {
    clrt_status status = options->scene_count ? load_scene_file(options->scene_paths[i], &(*scenes)[i], err)
                                              : prepare_scene(clrt_builtin_suite[i].name, clrt_builtin_suite[i].name,
                                                              clrt_builtin_suite[i].text, &(*scenes)[i], err);
    if (status != CLRT_OK)
      return status;
  }
  return CLRT_OK;
}

void bench_free_scenes(bench_scene *scenes, size_t count) {
  for (size_t i = 0; scenes && i < count; ++i) {
    clrt_flat_scene_free(&scenes[i].flat);
    free(scenes[i].reference_rgb);
    free(scenes[i].first_rgb);
  }
  free(scenes);
}
