/* Strict reading of the numbers people type (command-line options, device
 * specs, stored tile choices): decimal digits only, no sign, space, base
 * prefix, exponent, "inf" or "nan", and no wrap-around. */
#ifndef CLRT_NUMBER_H
#define CLRT_NUMBER_H

#include <stdbool.h>

/* The whole number spelled by the `length` characters at `text` (all of
 * them digits), if it is at most `max`. */
bool clrt_number_whole(const char *text, unsigned long length, unsigned long long max, unsigned long long *out);

/* A NUL-terminated whole number at most `max`. */
bool clrt_number_unsigned(const char *text, unsigned max, unsigned *out);

/* A NUL-terminated decimal number: digits, or digits (maybe none) then a
 * point and at least one digit: "2", "0.5", ".5". */
bool clrt_number_decimal(const char *text, double *out);

/* "WxH", both sides whole numbers in 1..max. */
bool clrt_number_size(const char *text, unsigned max, unsigned *width, unsigned *height);

#endif /* CLRT_NUMBER_H */
