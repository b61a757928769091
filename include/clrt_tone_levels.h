/* The 8-bit level of a linear value, for the kernel and the host alike.
 *
 * Implemented in kernels/tone_levels.c, which compiles as C11 and as
 * OpenCL C. The thresholds (clrt_tone_levels, made on the host) carry the
 * exposure, the clamp, the gamma or sRGB curve and the quantisation, so
 * both sides give the same byte for every float. */
#ifndef CLRT_TONE_LEVELS_H
#define CLRT_TONE_LEVELS_H

#include "clrt_math.h"
#include "clrt_types.h"

/* The level of `linear`: a first guess from a table, moved to the level
 * whose thresholds hold it (kernels/tone_levels.c). */
CLRT_TESTABLE clrt_uint clrt_tone_level(float linear, CLRT_ARRAY_SPACE const clrt_tone_levels *levels);

#endif /* CLRT_TONE_LEVELS_H */
