/* Tone mapping: the thresholds the shared tone mapping (clrt_tone_levels.h)
 * reads, made from the scene's tone settings (clrt_tone: exposure, clamp to
 * [0, 1], gamma or the sRGB curve, then ⌊v·255.999⌋ as the PymoniK example
 * quantises), and the exact formula they come from. */
#ifndef CLRT_TONE_MAP_H
#define CLRT_TONE_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "clrt_scene.h"
#include "clrt_types.h"

/* The level of one linear value by the formula itself, in double
 * precision: what the thresholds are made from, and what tests hold them
 * to. */
uint8_t clrt_tone_map_exact(float linear, const clrt_tone *tone);

/* For every level k, the smallest float whose exact level is at least k. */
void clrt_tone_levels_make(const clrt_tone *tone, clrt_tone_levels *levels);

/* `count` pixels of linear RGBA (clrt_float4) to packed 8-bit RGB. */
void clrt_tone_map_pixels(const clrt_float4 *linear, size_t count, const clrt_tone_levels *levels, uint8_t *rgb);

/* The 16-bit level of one linear value: the same formula, quantised to
 * 0..65535 (⌊v·65535.999⌋). */
uint16_t clrt_tone_map_exact_16(float linear, const clrt_tone *tone);

/* `count` linear channel values to 16-bit levels, big-endian (as PNG
 * stores them: 2 bytes each into `out`). */
void clrt_tone_map_channels_16(const float *linear, size_t count, const clrt_tone *tone, uint8_t *out);

/* `count` linear channel values to 8-bit levels. */
void clrt_tone_map_channels(const float *linear, size_t count, const clrt_tone_levels *levels, uint8_t *out);

#endif /* CLRT_TONE_MAP_H */
