/* The one list of the flat scene's arrays.
 *
 * Everything that names the arrays follows from this list: the kernel's
 * parameters (kernels/trace.cl), the tracer's view of the scene
 * (clrt_tracer.h), the flat scene's fields (clrt_flat_scene.h), and the
 * session's argument indices, uploads, releases and byte counts
 * (host/device/session.c). Adding an array is one line here plus its use.
 *
 * X(type, name, space): `name` is an array of `type` (a struct of clrt_types.h,
 * or clrt_uint for the emitters: the positions of the spheres whose
 * material emits light, in the sphere arrays; or clrt_float4 for the
 * clipping planes of the spheres they cut: a unit normal in xyz and the
 * offset in w, keeping the side where dot(normal, p) + w >= 0), in the
 * address space CLRT_SPACE_<space> (clrt_math.h): `scene` for the arrays
 * that go to __constant memory together when they fit, `global` for one
 * that always stays in __global memory.
 * Compiles as C11 and as OpenCL C.
 */
#ifndef CLRT_FLAT_ARRAYS_H
#define CLRT_FLAT_ARRAYS_H

#define CLRT_FLAT_ARRAYS(X)                                                                                            \
  X(clrt_sphere, spheres, scene)                                                                                       \
  X(clrt_sphere_shading, sphere_shading, scene)                                                                        \
  X(clrt_material, materials, scene)                                                                                   \
  X(clrt_light, lights, scene)                                                                                         \
  X(clrt_bvh_node, bvh_nodes, scene)                                                                                   \
  X(clrt_uint, emitters, scene)                                                                                        \
  X(clrt_tone_levels, tone_levels, scene)                                                                              \
  X(clrt_float4, clip_planes, global)

/* How many arrays the list holds, and how many of them in the `scene`
 * space (those that take a constant argument each when in __constant). */
#define CLRT_COUNT_ONE(type, name, space) +1
#define CLRT_FLAT_ARRAY_COUNT (0 CLRT_FLAT_ARRAYS(CLRT_COUNT_ONE))
#define CLRT_COUNT_IN_scene +1
#define CLRT_COUNT_IN_global
#define CLRT_COUNT_SCENE_SPACE(type, name, space) CLRT_COUNT_IN_##space
#define CLRT_SCENE_SPACE_ARRAY_COUNT (0 CLRT_FLAT_ARRAYS(CLRT_COUNT_SCENE_SPACE))

#endif /* CLRT_FLAT_ARRAYS_H */
