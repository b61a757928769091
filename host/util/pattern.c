/* Frame patterns (clrt_pattern.h), parsed by hand so that a user's name
 * never reaches printf as a format. */
#include "clrt_pattern.h"

#include <ctype.h>
#include <stdio.h>

/* At `at` (just after a '%'): the conversion's zero flag and width, and
 * the length up to and with its 'd'; 0 when it is not one. */
static size_t conversion_length(const char *at, bool *zero, int *width) {
  size_t n = 0;
  *zero = at[n] == '0';
  n += *zero;
  *width = 0;
  while (isdigit((unsigned char)at[n]) && *width <= CLRT_PATTERN_MAX_WIDTH)
    *width = *width * 10 + (at[n++] - '0');
  return at[n] == 'd' && *width <= CLRT_PATTERN_MAX_WIDTH ? n + 1 : 0;
}

clrt_pattern_kind clrt_pattern_kind_of(const char *name) {
  int conversions = 0;
  for (const char *c = name; *c; ++c) {
    if (*c != '%')
      continue;
    if (c[1] == '%') {
      ++c;
      continue;
    }
    bool zero;
    int width;
    size_t length = conversion_length(c + 1, &zero, &width);
    if (!length)
      return CLRT_PATTERN_INVALID;
    ++conversions;
    c += length;
  }
  return conversions == 0 ? CLRT_PATTERN_NONE : conversions == 1 ? CLRT_PATTERN_ONE : CLRT_PATTERN_INVALID;
}

bool clrt_pattern_format(const char *pattern, long number, char *out, size_t size) {
  size_t used = 0;
  for (const char *c = pattern; *c; ++c) {
    int added;
    bool zero;
    int width;
    size_t length;
    if (*c == '%' && c[1] == '%') {
      added = snprintf(out + used, size - used, "%%");
      ++c;
    } else if (*c == '%' && (length = conversion_length(c + 1, &zero, &width))) {
      added = snprintf(out + used, size - used, zero ? "%0*ld" : "%*ld", width, number);
      c += length;
    } else
      added = snprintf(out + used, size - used, "%c", *c);
    if (added < 0 || (size_t)added >= size - used)
      return false;
    used += (size_t)added;
  }
  if (!size)
    return false;
  out[used] = '\0';
  return true;
}
