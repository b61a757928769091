/* Double-precision 3-vectors for the host's geometry (the camera basis):
 * the device's single-precision math is in clrt_math.h. */
#ifndef CLRT_VEC_H
#define CLRT_VEC_H

typedef struct clrt_dvec3 {
  double x, y, z;
} clrt_dvec3;

clrt_dvec3 clrt_dvec3_load(const double v[3]);
clrt_dvec3 clrt_dvec3_sub(clrt_dvec3 a, clrt_dvec3 b);
clrt_dvec3 clrt_dvec3_add(clrt_dvec3 a, clrt_dvec3 b);
double clrt_dvec3_dot(clrt_dvec3 a, clrt_dvec3 b);
void clrt_dvec3_store(clrt_dvec3 a, double out[3]);
clrt_dvec3 clrt_dvec3_scale(clrt_dvec3 a, double s);
clrt_dvec3 clrt_dvec3_cross(clrt_dvec3 a, clrt_dvec3 b);
double clrt_dvec3_length(clrt_dvec3 a);
clrt_dvec3 clrt_dvec3_normalize(clrt_dvec3 a);

#endif /* CLRT_VEC_H */
