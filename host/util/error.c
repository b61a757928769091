/* Error recording and warnings shared by every host module. */
#include "clrt_error.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/resource.h>

#include "clrt_hash.h"

/* The length of the UTF-8 sequence at `s` if it is a well-formed one
 * (shortest form, no surrogates, at most U+10FFFF), with its code point;
 * 0 otherwise. */
static size_t utf8_sequence(const unsigned char *s, unsigned *code_point) {
  size_t length = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
  if (length == 0 || s[0] > 0xf4)
    return 0;
  unsigned value = s[0] & (0x7fu >> length);
  for (size_t i = 1; i < length; ++i) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    value = value << 6 | (s[i] & 0x3fu);
  }
  static const unsigned smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (value < smallest[length] || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
    return 0;
  *code_point = value;
  return length;
}

/* The escape for one control character, into out (room for 7). */
static void escape_control(unsigned code_point, char *out) {
  static const char NAMED[] = {'\n', 'n', '\r', 'r', '\t', 't'};
  for (size_t i = 0; i < sizeof NAMED; i += 2)
    if (code_point == (unsigned char)NAMED[i]) {
      snprintf(out, 7, "\\%c", NAMED[i + 1]);
      return;
    }
  snprintf(out, 7, code_point < 0x80 ? "\\x%02x" : "\\u%04x", code_point);
}

void clrt_printable(const char *text, char *out, size_t size) {
  const unsigned char *s = (const unsigned char *)text;
  size_t used = 0;
  while (*s) {
    char piece[8];
    unsigned code_point = *s;
    size_t length = *s < 0x80 ? 1 : utf8_sequence(s, &code_point);
    if (length == 0) { /* a byte that is not UTF-8 */
      snprintf(piece, sizeof piece, "\\x%02x", *s);
      length = 1;
    } else if (code_point < 0x20 || (code_point >= 0x7f && code_point <= 0x9f)) {
      escape_control(code_point, piece);
    } else {
      memcpy(piece, s, length);
      piece[length] = '\0';
    }
    size_t piece_length = strlen(piece);
    if (used + piece_length >= size)
      break;
    memcpy(out + used, piece, piece_length);
    used += piece_length;
    s += length;
  }
  if (size > 0)
    out[used] = '\0';
}

clrt_status clrt_fail(clrt_error *err, clrt_status status, const char *format, ...) {
  if (err) {
    char raw[CLRT_ERROR_MESSAGE_SIZE];
    va_list args;
    va_start(args, format);
    vsnprintf(raw, sizeof raw, format, args);
    va_end(args);
    clrt_printable(raw, err->message, sizeof err->message);
  }
  return status;
}

/* Whether this warning was printed before, remembering it if not. The
 * few distinct warnings a run can give fit; past that they all print. */
static bool seen_before(const char *message) {
  enum { REMEMBERED = 64 };
  static uint64_t seen[REMEMBERED];
  static size_t seen_count;
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  uint64_t hash = clrt_hash_string(CLRT_HASH_START, message);
  bool found = false;
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < seen_count && !found; ++i)
    found = seen[i] == hash;
  if (!found && seen_count < REMEMBERED)
    seen[seen_count++] = hash;
  pthread_mutex_unlock(&lock);
  return found;
}

void clrt_warn_once(FILE *log, const char *format, ...) {
  if (!log)
    return;
  char raw[CLRT_ERROR_MESSAGE_SIZE], message[CLRT_ERROR_MESSAGE_SIZE];
  va_list args;
  va_start(args, format);
  vsnprintf(raw, sizeof raw, format, args);
  va_end(args);
  clrt_printable(raw, message, sizeof message);
  if (!seen_before(message))
    fprintf(log, "clrt: warning: %s\n", message);
}

bool clrt_address_space_hint(char *out, size_t size) {
  struct rlimit limit;
  out[0] = '\0';
  if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return false;
  snprintf(out, size,
           "this process's address space is limited to %llu MB (ulimit -v); raise the limit (ulimit -v unlimited)",
           (unsigned long long)(limit.rlim_cur >> 20));
  return true;
}
