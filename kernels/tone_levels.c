/* Tone mapping by thresholds, shared by the kernel and the host. */
#include "clrt_tone_levels.h"

#define CLRT_TOP_LEVEL (CLRT_TONE_LEVELS - 1u)

/* The level where the exposed value starts its 1/4096 of [0, 1]: never
 * above the exact level, and within a level or two of it (0 for NaN). */
CLRT_INTERNAL clrt_uint clrt_tone_guess(float linear, CLRT_ARRAY_SPACE const clrt_tone_levels *levels) {
  float v = linear * levels->exposure * (float)CLRT_TONE_GUESSES;
  int index = v > 0.0f ? (v < (float)(CLRT_TONE_GUESSES - 1) ? (int)v : CLRT_TONE_GUESSES - 1) : 0;
  return levels->guesses[index];
}

/* The guess, moved to the level whose thresholds hold the value: exact
 * whatever the guess, and a load or two since it is close (a binary search
 * over the thresholds took 24 dependent loads a pixel, a sixth of the
 * PymoniK frame on POCL; a guess by the formula in floats cost more in
 * pow). NaN reaches no threshold and ends at 0. */
CLRT_TESTABLE clrt_uint clrt_tone_level(float linear, CLRT_ARRAY_SPACE const clrt_tone_levels *levels) {
  clrt_uint level = clrt_tone_guess(linear, levels);
  while (level < CLRT_TOP_LEVEL && linear >= levels->thresholds[level + 1u])
    ++level;
  while (level > 0u && !(linear >= levels->thresholds[level]))
    --level;
  return level;
}
