/* libFuzzer target: the scene parser on any bytes, as clrt_scene_load
 * parses a file's content (JSON, validation, PLY sets, random fields).
 * Built by -DCLRT_FUZZ=ON with clang; run by scripts/fuzz.sh scene. The
 * source is named as if it lay in tests/fuzz/corpus/scene, so that
 * {"file": ...} entries reach the PLY corpus beside it. */
#include <stddef.h>
#include <stdint.h>

#include "clrt_scene.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  clrt_scene scene;
  clrt_error err;
  if (clrt_scene_parse_bytes((const char *)data, size, CLRT_FUZZ_SCENE_NAME, &scene, &err) == CLRT_OK)
    clrt_scene_free(&scene);
  return 0;
}
