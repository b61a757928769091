/* Tone mapping by thresholds, shared by the kernel and the host. */
#include "clrt_tone_levels.h"

clrt_uint clrt_tone_level(float linear, CLRT_SCENE_SPACE const clrt_tone_levels *levels) {
  /* 128 + 64 + ... + 1 = 255: the search never leaves the table. */
  clrt_uint level = 0u;
  for (clrt_uint step = CLRT_TONE_LEVELS / 2u; step > 0u; step /= 2u)
    if (linear >= levels->thresholds[level + step])
      level += step;
  return level;
}
