/* Tone mapping: the exact formula, and the thresholds the shared code
 * (kernels/tone_levels.c) reads, found from the formula. */
#include "clrt_tone_map.h"

#include <math.h>
#include <string.h>

#include "clrt_tone_levels.h"

/* Just under 256, so that 1.0 maps to 255 and the levels are equally wide. */
#define CLRT_QUANTIZE_SCALE 255.999

/* The sRGB curve (IEC 61966-2-1): linear below the knee, a 2.4 power above. */
#define CLRT_SRGB_KNEE 0.0031308
#define CLRT_SRGB_LINEAR_SLOPE 12.92
#define CLRT_SRGB_SCALE 1.055
#define CLRT_SRGB_OFFSET 0.055
#define CLRT_SRGB_EXPONENT 2.4

/* The bit pattern of +infinity: every positive float's pattern is below it,
 * and patterns of non-negative floats order like the floats themselves. */
#define CLRT_POSITIVE_INFINITY_BITS 0x7f800000u

enum { CLRT_RGB_CHANNELS = 3 };

static double transfer(double v, const clrt_tone *tone) {
  if (tone->transfer == CLRT_TRANSFER_SRGB)
    return v <= CLRT_SRGB_KNEE ? CLRT_SRGB_LINEAR_SLOPE * v
                               : CLRT_SRGB_SCALE * pow(v, 1.0 / CLRT_SRGB_EXPONENT) - CLRT_SRGB_OFFSET;
  return tone->gamma == 1.0 ? v : pow(v, 1.0 / tone->gamma);
}

/* The level of an exposed value (after exposure, before the clamp). */
static uint8_t level_of_exposed(double v, const clrt_tone *tone) {
  v = v > 0.0 ? (v < 1.0 ? v : 1.0) : 0.0;
  return (uint8_t)(transfer(v, tone) * CLRT_QUANTIZE_SCALE);
}

uint8_t clrt_tone_map_exact(float linear, const clrt_tone *tone) {
  return level_of_exposed((double)linear * tone->exposure, tone);
}

/* As CLRT_QUANTIZE_SCALE, for 16 bits. */
#define CLRT_QUANTIZE_SCALE_16 65535.999

uint16_t clrt_tone_map_exact_16(float linear, const clrt_tone *tone) {
  double v = (double)linear * tone->exposure;
  v = v > 0.0 ? (v < 1.0 ? v : 1.0) : 0.0;
  return (uint16_t)(transfer(v, tone) * CLRT_QUANTIZE_SCALE_16);
}

void clrt_tone_map_channels_16(const float *linear, size_t count, const clrt_tone *tone, uint8_t *out) {
  for (size_t i = 0; i < count; ++i) {
    uint16_t level = clrt_tone_map_exact_16(linear[i], tone);
    out[2 * i] = (uint8_t)(level >> 8);
    out[2 * i + 1] = (uint8_t)level;
  }
}

static float float_of_bits(uint32_t bits) {
  float value;
  memcpy(&value, &bits, sizeof value);
  return value;
}

/* The smallest non-negative float whose exact level is at least `level`:
 * a bisection over bit patterns, since the level never falls as the value
 * rises. */
static float threshold_of(unsigned level, const clrt_tone *tone) {
  uint32_t below = 0, reached = CLRT_POSITIVE_INFINITY_BITS; /* level(0) = 0, level(inf) = 255 */
  while (reached - below > 1) {
    uint32_t middle = below + (reached - below) / 2;
    if (clrt_tone_map_exact(float_of_bits(middle), tone) >= level)
      reached = middle;
    else
      below = middle;
  }
  return float_of_bits(reached);
}

void clrt_tone_levels_make(const clrt_tone *tone, clrt_tone_levels *levels) {
  memset(levels, 0, sizeof *levels);
  levels->exposure = (float)tone->exposure;
  levels->thresholds[0] = -INFINITY; /* never read: level 0 needs no threshold */
  for (unsigned level = 1; level < CLRT_TONE_LEVELS; ++level)
    levels->thresholds[level] = threshold_of(level, tone);
  /* A guess may be any level: the thresholds correct it. These are close. */
  for (unsigned i = 0; i < CLRT_TONE_GUESSES; ++i)
    levels->guesses[i] = level_of_exposed((double)i / CLRT_TONE_GUESSES, tone);
}

void clrt_tone_map_pixels(const clrt_float4 *linear, size_t count, const clrt_tone_levels *levels, uint8_t *rgb) {
  for (size_t i = 0; i < count; ++i) {
    rgb[CLRT_RGB_CHANNELS * i + 0] = (uint8_t)clrt_tone_level(linear[i].x, levels);
    rgb[CLRT_RGB_CHANNELS * i + 1] = (uint8_t)clrt_tone_level(linear[i].y, levels);
    rgb[CLRT_RGB_CHANNELS * i + 2] = (uint8_t)clrt_tone_level(linear[i].z, levels);
  }
}

void clrt_tone_map_channels(const float *linear, size_t count, const clrt_tone_levels *levels, uint8_t *out) {
  for (size_t i = 0; i < count; ++i)
    out[i] = (uint8_t)clrt_tone_level(linear[i], levels);
}
