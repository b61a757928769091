/* Fault injection from the CLRT_INJECT_FAULT environment variable. */
#include "clrt_faults.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses one rule; reports whether it applies to (device, ordinal). */
static bool parse_rule(const char *rule, const clrt_device *device, unsigned ordinal, clrt_fault *kind, bool *applies) {
  unsigned platform, index;
  int consumed = 0;
  if (sscanf(rule, "%u:%u/%n", &platform, &index, &consumed) != 2 || consumed == 0)
    return false;
  const char *when = rule + consumed;
  const char *kind_text = strchr(when, '/');
  size_t when_length = kind_text ? (size_t)(kind_text - when) : strlen(when);
  *kind = CLRT_FAULT_FAIL;
  if (kind_text && strcmp(kind_text + 1, "hang") == 0)
    *kind = CLRT_FAULT_HANG;
  else if (kind_text && strcmp(kind_text + 1, "wrong") == 0)
    *kind = CLRT_FAULT_WRONG;
  else if (kind_text && strcmp(kind_text + 1, "fail") != 0)
    return false;
  bool matches_device = device && device->platform_index == platform && device->device_index == index;
  if (when_length == 3 && strncmp(when, "all", 3) == 0) {
    *applies = matches_device;
    return true;
  }
  *applies = false;
  for (const char *p = when; p < when + when_length;) {
    char *end;
    unsigned long n = strtoul(p, &end, 10);
    if (end == p || n == 0)
      return false;
    *applies = *applies || (matches_device && n == ordinal);
    p = (*end == ',') ? end + 1 : end;
    if (end != when + when_length && *end != ',')
      return false;
  }
  return true;
}

/* The first fault of the variable's rules that applies to (device, ordinal)
 * goes to *found; false when a rule is malformed. */
static bool scan_rules(const clrt_device *device, unsigned ordinal, clrt_fault *found) {
  const char *rules = getenv(CLRT_FAULT_ENVIRONMENT);
  *found = CLRT_FAULT_NONE;
  if (!rules || !*rules)
    return true;
  char copy[1024];
  snprintf(copy, sizeof copy, "%s", rules);
  char *saved;
  for (char *rule = strtok_r(copy, ";", &saved); rule; rule = strtok_r(NULL, ";", &saved)) {
    clrt_fault kind;
    bool applies;
    if (!parse_rule(rule, device, ordinal, &kind, &applies))
      return false;
    if (applies && *found == CLRT_FAULT_NONE)
      *found = kind;
  }
  return true;
}

clrt_status clrt_faults_check(clrt_error *err) {
  clrt_fault ignored;
  if (scan_rules(NULL, 0, &ignored))
    return CLRT_OK;
  return clrt_fail(err, CLRT_ERR_INPUT,
                   "%s=%s: expected rules like \"0:1/all\" or \"0:0/2,5/hang\" (kinds: fail, hang, wrong) "
                   "separated by ';'",
                   CLRT_FAULT_ENVIRONMENT, getenv(CLRT_FAULT_ENVIRONMENT));
}

clrt_fault clrt_faults_for(const clrt_device *device, unsigned ordinal) {
  clrt_fault found;
  return scan_rules(device, ordinal, &found) ? found : CLRT_FAULT_NONE;
}
