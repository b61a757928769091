/* The one list of the flat scene's arrays.
 *
 * Everything that names the arrays follows from this list: the kernel's
 * parameters (kernels/trace.cl), the tracer's view of the scene
 * (clrt_tracer.h), the flat scene's fields (clrt_flat_scene.h), and the
 * session's argument indices, uploads, releases and byte counts
 * (host/device/session.c). Adding an array is one line here plus its use.
 *
 * X(type, name): `name` is an array of `type` (a struct of clrt_types.h,
 * or clrt_uint for the emitters: the positions of the spheres whose
 * material emits light, in the sphere arrays).
 * Compiles as C11 and as OpenCL C.
 */
#ifndef CLRT_FLAT_ARRAYS_H
#define CLRT_FLAT_ARRAYS_H

#define CLRT_FLAT_ARRAYS(X)                                                                                            \
  X(clrt_sphere, spheres)                                                                                              \
  X(clrt_sphere_shading, sphere_shading)                                                                               \
  X(clrt_material, materials)                                                                                          \
  X(clrt_light, lights)                                                                                                \
  X(clrt_bvh_node, bvh_nodes)                                                                                          \
  X(clrt_uint, emitters)                                                                                               \
  X(clrt_tone_levels, tone_levels)

/* How many arrays the list holds. */
#define CLRT_COUNT_ONE(type, name) +1
#define CLRT_FLAT_ARRAY_COUNT (0 CLRT_FLAT_ARRAYS(CLRT_COUNT_ONE))

#endif /* CLRT_FLAT_ARRAYS_H */
