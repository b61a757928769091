/* Clipping, flattened: each sphere against its group's planes (clrt_scene.h)
 * in double precision. A plane that leaves the whole sphere on its kept
 * side is no matter to it; one that leaves it all on the other side
 * removes it (it is not flattened at all); one through it cuts it, and
 * goes to the device for that sphere alone. */
#include "clrt_clip.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_array.h"

/* Where a sphere lies to a plane. */
typedef enum plane_side { SIDE_KEPT, SIDE_CUT, SIDE_REMOVED } plane_side;

static plane_side side_of(const clrt_scene_sphere *s, const clrt_clip_plane *plane) {
  double distance = plane->offset;
  for (int a = 0; a < 3; ++a)
    distance += plane->normal[a] * (double)s->center[a];
  return distance >= (double)s->radius ? SIDE_KEPT : distance <= -(double)s->radius ? SIDE_REMOVED : SIDE_CUT;
}

static bool add_plane(clrt_clip_result *r, size_t *capacity, const clrt_clip_plane *plane) {
  clrt_float4 *grown = clrt_array_reserve(r->planes, capacity, r->plane_count + 1, sizeof *grown);
  if (!grown)
    return false;
  r->planes = grown;
  r->planes[r->plane_count++] =
      (clrt_float4){(float)plane->normal[0], (float)plane->normal[1], (float)plane->normal[2], (float)plane->offset};
  return true;
}

/* Sphere i against its planes: kept (with the planes that cut it added)
 * or not. */
static bool clip_sphere(const clrt_scene *scene, size_t i, clrt_clip_result *r, size_t *capacity, bool *kept) {
  const clrt_scene_sphere *s = &scene->spheres[i];
  size_t first = r->plane_count;
  *kept = true;
  if (s->clip_group) {
    const clrt_clip_group *group = &scene->clip_groups[s->clip_group - 1];
    for (size_t k = 0; k < group->count && *kept; ++k) {
      const clrt_clip_plane *plane = &scene->clip_planes[group->first + k];
      plane_side side = side_of(s, plane);
      *kept = side != SIDE_REMOVED;
      if (side == SIDE_CUT && !add_plane(r, capacity, plane))
        return false;
    }
  }
  if (!*kept) {
    r->plane_count = first; /* its planes go with it */
    return true;
  }
  r->kept[r->kept_count] = i;
  r->first[r->kept_count] = (clrt_uint)first;
  r->count[r->kept_count++] = (clrt_uint)(r->plane_count - first);
  return true;
}

clrt_status clrt_clip_spheres(const clrt_scene *scene, clrt_clip_result *r, clrt_error *err) {
  memset(r, 0, sizeof *r);
  size_t n = scene->sphere_count ? scene->sphere_count : 1, capacity = 0;
  r->kept = malloc(n * sizeof *r->kept);
  r->first = malloc(n * sizeof *r->first);
  r->count = malloc(n * sizeof *r->count);
  bool ok = r->kept && r->first && r->count;
  for (size_t i = 0; ok && i < scene->sphere_count; ++i) {
    bool kept;
    ok = clip_sphere(scene, i, r, &capacity, &kept);
  }
  if (ok && !r->planes) /* every array has an element to upload */
    ok = (r->planes = calloc(1, sizeof *r->planes)) != NULL;
  if (ok)
    return CLRT_OK;
  clrt_clip_result_free(r);
  return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory clipping %zu spheres", scene->sphere_count);
}

void clrt_clip_result_free(clrt_clip_result *r) {
  free(r->kept);
  free(r->first);
  free(r->count);
  free(r->planes);
  memset(r, 0, sizeof *r);
}
