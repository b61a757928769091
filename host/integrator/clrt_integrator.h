/* The host side of the integrators of the list (clrt_integrators.h): for
 * each one, its parameters made from the scene, the bound on its work that
 * a tile's time limit is built from, and what it warns of after a render.
 * Each is host/integrator/NAME.c; this table is integrator.c. */
#ifndef CLRT_INTEGRATOR_H
#define CLRT_INTEGRATOR_H

#include <stdint.h>
#include <stdio.h>

#include "clrt_integrators.h"
#include "clrt_scene.h"
#include "clrt_types.h"

typedef struct clrt_integrator {
  const char *name; /* as the scene file's image.integrator says it */
  /* Its part of the params (params->integrator_params), from the scene
   * and the tone levels made from it; the rest of the params is made.
   * NULL for an integrator without parameters of its own. */
  void (*flatten)(const clrt_scene *scene, const clrt_tone_levels *levels, clrt_trace_params *params);
  /* The most rays one sample can cost on this scene, shadow rays included:
   * what a tile's time limit allows for (host/device/session.c). */
  uint64_t (*most_rays_per_sample)(const clrt_scene *scene, const clrt_trace_params *params);
  /* After a render of `samples` samples of which `cut_short` were cut
   * short (clrt_tally): a warning on `log` saying what was left out and
   * what to change. Never called with cut_short 0; NULL for an integrator
   * that never cuts a sample short. */
  void (*warn_cut_short)(FILE *log, const clrt_trace_params *params, double samples, uint64_t cut_short);
} clrt_integrator;

/* Each integrator's host side, clrt_integrator_NAME (host/integrator/NAME.c). */
#define CLRT_DECLARE_INTEGRATOR(name) extern const clrt_integrator clrt_integrator_##name;
CLRT_INTEGRATORS(CLRT_DECLARE_INTEGRATOR)
#undef CLRT_DECLARE_INTEGRATOR

/* The integrator with this id (CLRT_INTEGRATOR_whitted, ...); NULL for
 * an id outside the list. */
const clrt_integrator *clrt_integrator_of(unsigned id);

#endif /* CLRT_INTEGRATOR_H */
