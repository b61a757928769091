/* The one list of integrators: what computes a sample's colour from its
 * camera ray. An integrator `name` is kernels/integrators/NAME.c on the
 * device (clrt_NAME_radiance, clrt_tracer.h) and host/integrator/NAME.c
 * on the host (its parameters, the bound on its work, its warnings);
 * CMakeLists.txt reads this list for both. Adding one is a line here plus
 * those two files (and its parameters' struct in clrt_types.h, if any).
 *
 * X(name), in the order of their ids. Compiles as C11 and as OpenCL C. */
#ifndef CLRT_INTEGRATORS_H
#define CLRT_INTEGRATORS_H

#define CLRT_INTEGRATORS(X) X(whitted) X(path)

/* Ids: CLRT_INTEGRATOR_whitted, ..., in the list's order. */
#define CLRT_INTEGRATOR_ID(name) CLRT_INTEGRATOR_##name,
enum { CLRT_INTEGRATORS(CLRT_INTEGRATOR_ID) CLRT_INTEGRATOR_COUNT };
#undef CLRT_INTEGRATOR_ID

/* The integrator of a scene that names none. */
#define CLRT_DEFAULT_INTEGRATOR CLRT_INTEGRATOR_whitted

/* Whether an integrator's samples are summed exactly (in fixed point,
 * clrt_pixel_sum), so that passes of samples add up to the very picture
 * one pass of them all gives: what progressive rendering needs. The path
 * integrator's are; Whitted's are summed in floating point, as they
 * always were (its pictures stay what they were, byte for byte), and its
 * stratified samples depend on their number anyway. */
#define CLRT_INTEGRATOR_SUMS_EXACTLY(id) ((id) == CLRT_INTEGRATOR_path)

#endif /* CLRT_INTEGRATORS_H */
