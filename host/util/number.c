/* Strict reading of typed numbers (clrt_number.h). */
#include "clrt_number.h"

#include <stdlib.h>
#include <string.h>

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool clrt_number_whole(const char *text, unsigned long length, unsigned long long max, unsigned long long *out) {
  if (length == 0)
    return false;
  unsigned long long value = 0;
  for (unsigned long i = 0; i < length; ++i) {
    if (!is_digit(text[i]))
      return false;
    unsigned digit = (unsigned)(text[i] - '0');
    if (digit > max || value > (max - digit) / 10)
      return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

bool clrt_number_unsigned(const char *text, unsigned max, unsigned *out) {
  unsigned long long value;
  if (!clrt_number_whole(text, strlen(text), max, &value))
    return false;
  *out = (unsigned)value;
  return true;
}

bool clrt_number_decimal(const char *text, double *out) {
  size_t whole = strspn(text, "0123456789");
  bool point = text[whole] == '.';
  size_t fraction = point ? strspn(text + whole + 1, "0123456789") : 0;
  size_t length = whole + (point ? 1 + fraction : 0);
  if (text[length] != '\0' || (point ? fraction == 0 : whole == 0))
    return false;
  *out = strtod(text, NULL); /* digits and a point only: strtod reads exactly them */
  return true;
}

bool clrt_number_size(const char *text, unsigned max, unsigned *width, unsigned *height) {
  const char *x = strchr(text, 'x');
  unsigned long long w, h;
  if (!x || !clrt_number_whole(text, (unsigned long)(x - text), max, &w) ||
      !clrt_number_whole(x + 1, (unsigned long)strlen(x + 1), max, &h) || w == 0 || h == 0)
    return false;
  *width = (unsigned)w;
  *height = (unsigned)h;
  return true;
}
