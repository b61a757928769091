/* The host reference renderer: the shared tracer run in plain C, to check
 * the device's pictures and as the benchmark's host baseline. */
#ifndef CLRT_REFERENCE_H
#define CLRT_REFERENCE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "clrt_film.h"
#include "clrt_flat_scene.h"

/* Renders every pixel into the film (the scene's size) on `threads`
 * threads (OpenMP, rows handed out dynamically, as the seeds' prange
 * experiment found best for uneven rows), and tallies what it cost (rays,
 * samples cut short: the same as on a device). False when out of memory.
 * Once *stop is not 0 (Ctrl-C; NULL: never) the rows left are skipped. */
bool clrt_reference_render(const clrt_flat_scene *scene, clrt_film *film, int threads,
                           const volatile sig_atomic_t *stop, clrt_tally *tally);

#endif /* CLRT_REFERENCE_H */
