/* Double-precision 3-vectors. */
#include "clrt_vec.h"

#include <math.h>

clrt_dvec3 clrt_dvec3_load(const double v[3]) { return (clrt_dvec3){v[0], v[1], v[2]}; }
clrt_dvec3 clrt_dvec3_sub(clrt_dvec3 a, clrt_dvec3 b) { return (clrt_dvec3){a.x - b.x, a.y - b.y, a.z - b.z}; }
clrt_dvec3 clrt_dvec3_add(clrt_dvec3 a, clrt_dvec3 b) { return (clrt_dvec3){a.x + b.x, a.y + b.y, a.z + b.z}; }
double clrt_dvec3_dot(clrt_dvec3 a, clrt_dvec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
void clrt_dvec3_store(clrt_dvec3 a, double out[3]) {
  out[0] = a.x;
  out[1] = a.y;
  out[2] = a.z;
}
clrt_dvec3 clrt_dvec3_scale(clrt_dvec3 a, double s) { return (clrt_dvec3){a.x * s, a.y * s, a.z * s}; }
clrt_dvec3 clrt_dvec3_cross(clrt_dvec3 a, clrt_dvec3 b) {
  return (clrt_dvec3){a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
double clrt_dvec3_length(clrt_dvec3 a) { return sqrt(a.x * a.x + a.y * a.y + a.z * a.z); }
clrt_dvec3 clrt_dvec3_normalize(clrt_dvec3 a) { return clrt_dvec3_scale(a, 1.0 / clrt_dvec3_length(a)); }
