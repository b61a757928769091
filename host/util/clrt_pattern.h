/* Frame patterns: a file name with one printf-style integer conversion
 * ("frame_%04d.ply", "out_%d.png") that a frame's number fills in. Only
 * %d with an optional 0 flag and width is a conversion; "%%" is a percent
 * sign. */
#ifndef CLRT_PATTERN_H
#define CLRT_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

/* What a name holds. */
typedef enum clrt_pattern_kind {
  CLRT_PATTERN_NONE,    /* no conversion: a plain name (with "%%" as '%') */
  CLRT_PATTERN_ONE,     /* exactly one conversion */
  CLRT_PATTERN_INVALID, /* a '%' that is neither, or more than one conversion */
} clrt_pattern_kind;

clrt_pattern_kind clrt_pattern_kind_of(const char *name);

/* The name of frame `number` (a plain name stays itself, "%%" made '%'):
 * false when it does not fit `size`. */
bool clrt_pattern_format(const char *pattern, long number, char *out, size_t size);

/* The most digits a width may ask for. */
enum { CLRT_PATTERN_MAX_WIDTH = 32 };

#endif /* CLRT_PATTERN_H */
