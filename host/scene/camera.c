/* The camera basis, for validation (host/scene) and flattening. */
#include "clrt_scene.h"

/* Below this, look_from and look_at count as the same point, and vup as
 * parallel to the view direction (the basis would degenerate). */
#define CLRT_CAMERA_DEGENERACY_EPSILON 1e-9

clrt_camera_problem clrt_camera_basis(const clrt_camera_settings *camera, clrt_dvec3 *u, clrt_dvec3 *v, clrt_dvec3 *w) {
  clrt_dvec3 view = clrt_dvec3_sub(clrt_dvec3_load(camera->look_from), clrt_dvec3_load(camera->look_at));
  clrt_dvec3 up = clrt_dvec3_load(camera->vup);
  double view_length = clrt_dvec3_length(view), up_length = clrt_dvec3_length(up);
  if (!(view_length * view_length >= CLRT_CAMERA_DEGENERACY_EPSILON))
    return CLRT_CAMERA_NO_DIRECTION;
  *w = clrt_dvec3_normalize(view);
  clrt_dvec3 side = clrt_dvec3_cross(up, *w);
  if (!(up_length >= CLRT_CAMERA_DEGENERACY_EPSILON) ||
      !(clrt_dvec3_length(side) >= CLRT_CAMERA_DEGENERACY_EPSILON * up_length))
    return CLRT_CAMERA_BAD_UP;
  *u = clrt_dvec3_normalize(side);
  *v = clrt_dvec3_cross(*w, *u);
  return CLRT_CAMERA_OK;
}
