/* Fault injection rules, parsed strictly from CLRT_INJECT_FAULT. */
#include "clrt_faults.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_array.h"

/* A decimal number of at most 9 digits, no sign or space: *text moves past
 * it. False when there is none. */
static bool read_number(const char **text, const char *end, unsigned *out) {
  const char *p = *text;
  unsigned value = 0;
  while (p < end && *p >= '0' && *p <= '9' && p - *text < 9)
    value = value * 10u + (unsigned)(*p++ - '0');
  if (p == *text || (p < end && *p >= '0' && *p <= '9'))
    return false;
  *text = p;
  *out = value;
  return true;
}

static bool add_ordinal(clrt_fault_rule *rule, unsigned ordinal, size_t *capacity) {
  unsigned *grown = clrt_array_reserve(rule->ordinals, capacity, rule->ordinal_count + 1, sizeof *grown);
  if (!grown)
    return false;
  rule->ordinals = grown;
  rule->ordinals[rule->ordinal_count++] = ordinal;
  return true;
}

/* WHEN: "all" or ordinals (from 1) separated by commas. */
static bool parse_when(const char *text, const char *end, clrt_fault_rule *rule) {
  if (end - text == 3 && strncmp(text, "all", 3) == 0) {
    rule->every_tile = true;
    return true;
  }
  size_t capacity = 0;
  for (;;) {
    unsigned ordinal;
    if (!read_number(&text, end, &ordinal) || ordinal == 0 || !add_ordinal(rule, ordinal, &capacity))
      return false;
    if (text == end)
      return true;
    if (*text++ != ',')
      return false;
  }
}

static bool parse_kind(const char *text, const char *end, clrt_fault *kind) {
  static const struct {
    const char *name;
    clrt_fault kind;
  } KINDS[] = {{"fail", CLRT_FAULT_FAIL}, {"hang", CLRT_FAULT_HANG}, {"wrong", CLRT_FAULT_WRONG}};
  for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; ++i)
    if ((size_t)(end - text) == strlen(KINDS[i].name) && strncmp(text, KINDS[i].name, strlen(KINDS[i].name)) == 0) {
      *kind = KINDS[i].kind;
      return true;
    }
  return false;
}

/* One rule, DEVICE/WHEN[/KIND], from text up to end. */
static bool parse_rule(const char *text, const char *end, clrt_fault_rule *rule) {
  memset(rule, 0, sizeof *rule);
  rule->kind = CLRT_FAULT_FAIL;
  if (!read_number(&text, end, &rule->platform_index) || text == end || *text++ != ':' ||
      !read_number(&text, end, &rule->device_index) || text == end || *text++ != '/')
    return false;
  const char *kind = memchr(text, '/', (size_t)(end - text));
  if (!parse_when(text, kind ? kind : end, rule))
    return false;
  return !kind || parse_kind(kind + 1, end, &rule->kind);
}

static clrt_status malformed(const char *text, clrt_fault_rules *rules, clrt_error *err) {
  clrt_faults_free(rules);
  return clrt_fail(err, CLRT_ERR_INPUT,
                   "%s=%s: expected rules like \"0:1/all\" or \"0:0/2,5/hang\" (kinds: fail, hang, wrong) "
                   "separated by ';'",
                   CLRT_FAULT_ENVIRONMENT, text);
}

clrt_status clrt_faults_parse(const char *text, clrt_fault_rules *rules, clrt_error *err) {
  memset(rules, 0, sizeof *rules);
  size_t capacity = 0;
  for (const char *start = text; start && *start;) {
    const char *end = strchr(start, ';');
    end = end ? end : start + strlen(start);
    clrt_fault_rule *grown = clrt_array_reserve(rules->rules, &capacity, rules->count + 1, sizeof *grown);
    if (!grown)
      return malformed(text, rules, err);
    rules->rules = grown;
    if (!parse_rule(start, end, &rules->rules[rules->count++]))
      return malformed(text, rules, err);
    start = *end ? end + 1 : end;
  }
  return CLRT_OK;
}

clrt_status clrt_faults_from_environment(clrt_fault_rules *rules, clrt_error *err) {
  return clrt_faults_parse(getenv(CLRT_FAULT_ENVIRONMENT), rules, err);
}

static bool rule_matches(const clrt_fault_rule *rule, const clrt_device *device, unsigned ordinal) {
  if (rule->platform_index != device->platform_index || rule->device_index != device->device_index)
    return false;
  if (rule->every_tile)
    return true;
  for (size_t i = 0; i < rule->ordinal_count; ++i)
    if (rule->ordinals[i] == ordinal)
      return true;
  return false;
}

clrt_fault clrt_faults_for(const clrt_fault_rules *rules, const clrt_device *device, unsigned ordinal) {
  for (size_t i = 0; rules && i < rules->count; ++i)
    if (rule_matches(&rules->rules[i], device, ordinal))
      return rules->rules[i].kind;
  return CLRT_FAULT_NONE;
}

void clrt_faults_free(clrt_fault_rules *rules) {
  for (size_t i = 0; i < rules->count; ++i)
    free(rules->rules[i].ordinals);
  free(rules->rules);
  memset(rules, 0, sizeof *rules);
}
