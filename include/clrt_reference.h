/* The host reference renderer: the shared tracer run in plain C, to check
 * the device's pictures and as the benchmark's host baseline. */
#ifndef CLRT_REFERENCE_H
#define CLRT_REFERENCE_H

#include <stdint.h>

#include "clrt_film.h"
#include "clrt_flat_scene.h"

/* Renders every pixel into the film (the scene's size) on `threads`
 * threads (OpenMP, rows handed out dynamically, as the seeds' prange
 * experiment found best for uneven rows). Returns the rays traced, or 0
 * when out of memory (a scene always traces at least one ray a pixel). */
uint64_t clrt_reference_render(const clrt_flat_scene *scene, clrt_film *film, int threads);

#endif /* CLRT_REFERENCE_H */
