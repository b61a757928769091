/* Fault injection, to test how a render survives failing devices.
 *
 * CLRT_INJECT_FAULT holds rules separated by ';', each DEVICE/WHEN[/KIND]:
 * DEVICE is a P:D index from 'clrt devices'; WHEN is "all" or a comma list
 * of the device's tile ordinals (1 = the first tile it takes); KIND is
 * "fail" (the enqueue fails with CL_OUT_OF_RESOURCES, the default),
 * "hang" (the tile never completes, so the time limit must catch it) or
 * "wrong" (the tile comes back black: a device computing a wrong picture).
 * Example: CLRT_INJECT_FAULT="0:1/all" or "0:0/2,5/hang;0:1/1". */
#ifndef CLRT_FAULTS_H
#define CLRT_FAULTS_H

#include "clrt_devices.h"
#include "clrt_error.h"

#define CLRT_FAULT_ENVIRONMENT "CLRT_INJECT_FAULT"

typedef enum clrt_fault {
  CLRT_FAULT_NONE,
  CLRT_FAULT_FAIL,
  CLRT_FAULT_HANG,
  CLRT_FAULT_WRONG,
} clrt_fault;

/* Checks the environment's rules (a usage error when malformed). */
clrt_status clrt_faults_check(clrt_error *err);

/* The fault injected into `device`'s tile number `ordinal` (from 1). */
clrt_fault clrt_faults_for(const clrt_device *device, unsigned ordinal);

#endif /* CLRT_FAULTS_H */
