/* The table of integrators, from the one list (clrt_integrators.h): each
 * one's host side is clrt_integrator_NAME, in host/integrator/NAME.c. */
#include "clrt_integrator.h"

#include <stddef.h>

#define CLRT_INTEGRATOR_ENTRY(name) &clrt_integrator_##name,
static const clrt_integrator *const INTEGRATORS[] = {CLRT_INTEGRATORS(CLRT_INTEGRATOR_ENTRY)};
#undef CLRT_INTEGRATOR_ENTRY

const clrt_integrator *clrt_integrator_of(unsigned id) { return id < CLRT_INTEGRATOR_COUNT ? INTEGRATORS[id] : NULL; }
