/* Tone mapping settings, and the thresholds the shared tone mapping
 * (clrt_tone_levels.h) reads: exposure, clamp to [0, 1], gamma or the sRGB
 * curve, then ⌊v·255.999⌋ as the PymoniK example quantises. */
#ifndef CLRT_TONE_MAP_H
#define CLRT_TONE_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "clrt_types.h"

/* How linear colour becomes an 8-bit level. */
typedef enum clrt_transfer {
  CLRT_TRANSFER_GAMMA, /* v^(1/gamma) */
  CLRT_TRANSFER_SRGB,  /* the exact sRGB curve */
} clrt_transfer;

typedef struct clrt_tone {
  clrt_transfer transfer;
  double gamma;    /* for CLRT_TRANSFER_GAMMA */
  double exposure; /* linear colour is multiplied by this first */
} clrt_tone;

/* The level of one linear value by the formula itself, in double
 * precision: what the thresholds are made from, and what tests hold them
 * to. */
uint8_t clrt_tone_map_exact(float linear, const clrt_tone *tone);

/* For every level k, the smallest float whose exact level is at least k. */
void clrt_tone_levels_make(const clrt_tone *tone, clrt_tone_levels *levels);

/* `count` pixels of linear RGBA (clrt_float4) to packed 8-bit RGB. */
void clrt_tone_map_pixels(const clrt_float4 *linear, size_t count, const clrt_tone_levels *levels, uint8_t *rgb);

/* `count` linear channel values to 8-bit levels. */
void clrt_tone_map_channels(const float *linear, size_t count, const clrt_tone_levels *levels, uint8_t *out);

#endif /* CLRT_TONE_MAP_H */
