/* Fault injection, to test how a render survives failing devices.
 *
 * CLRT_INJECT_FAULT holds rules separated by ';', each DEVICE/WHEN[/KIND]:
 * DEVICE is a P:D index from 'clrt devices'; WHEN is "all" or a comma list
 * of the device's tile ordinals (1 = the first tile it takes); KIND is
 * "fail" (the enqueue fails with CL_OUT_OF_RESOURCES, the default),
 * "hang" (the tile never completes, so the time limit must catch it) or
 * "wrong" (the tile comes back black: a device computing a wrong picture).
 * Example: CLRT_INJECT_FAULT="0:1/all" or "0:0/2,5/hang;0:1/1".
 * The rules are parsed once per render and read by every session. */
#ifndef CLRT_FAULTS_H
#define CLRT_FAULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "clrt_devices.h"
#include "clrt_error.h"

#define CLRT_FAULT_ENVIRONMENT "CLRT_INJECT_FAULT"

typedef enum clrt_fault {
  CLRT_FAULT_NONE,
  CLRT_FAULT_FAIL,
  CLRT_FAULT_HANG,
  CLRT_FAULT_WRONG,
} clrt_fault;

typedef struct clrt_fault_rule {
  unsigned platform_index, device_index;
  bool every_tile;
  unsigned *ordinals; /* when not every_tile */
  size_t ordinal_count;
  clrt_fault kind;
} clrt_fault_rule;

typedef struct clrt_fault_rules {
  clrt_fault_rule *rules;
  size_t count;
} clrt_fault_rules;

/* Parses rules (NULL or "" gives none); a malformed rule is a usage error
 * that quotes the text. */
clrt_status clrt_faults_parse(const char *text, clrt_fault_rules *rules, clrt_error *err);

/* The rules of the environment variable. */
clrt_status clrt_faults_from_environment(clrt_fault_rules *rules, clrt_error *err);

/* The fault of the first rule that matches `device`'s tile number
 * `ordinal` (from 1). NULL rules inject nothing. */
clrt_fault clrt_faults_for(const clrt_fault_rules *rules, const clrt_device *device, unsigned ordinal);

void clrt_faults_free(clrt_fault_rules *rules);

#endif /* CLRT_FAULTS_H */
