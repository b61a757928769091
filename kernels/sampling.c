/* Random numbers and sampling patterns: counter-based hashing, stratified
 * points, the concentric disk mapping. */
#include "sampling.h"

/* 2^-24: turns the top 24 bits of a hash into a float in [0, 1). */
#define CLRT_UNIT_FLOAT_SCALE (1.0f / 16777216.0f)

clrt_uint clrt_hash_u32(clrt_uint value) {
  /* An integer finaliser with full avalanche (Wellons' "lowbias32"). */
  value ^= value >> 16;
  value *= 0x7feb352du;
  value ^= value >> 15;
  value *= 0x846ca68bu;
  value ^= value >> 16;
  return value;
}

clrt_uint clrt_sample_seed(clrt_uint x, clrt_uint y, clrt_uint sample) {
  return clrt_hash_u32(clrt_hash_u32(clrt_hash_u32(x) ^ y) ^ sample);
}

CLRT_INTERNAL float clrt_random_unit(clrt_uint seed, clrt_uint vertex, clrt_uint purpose, clrt_uint index) {
  clrt_uint h = clrt_hash_u32(clrt_hash_u32(clrt_hash_u32(seed ^ vertex) ^ purpose) ^ index);
  return (float)(h >> 8) * CLRT_UNIT_FLOAT_SCALE;
}

CLRT_INTERNAL void clrt_stratified_point(clrt_uint seed, clrt_uint vertex, clrt_uint purpose, clrt_uint index,
                                         clrt_uint count, float *u, float *v) {
  float jitter_u = clrt_random_unit(seed, vertex, purpose, 2u * index);
  float jitter_v = clrt_random_unit(seed, vertex, purpose, 2u * index + 1u);
  clrt_uint grid = (clrt_uint)clrt_floor(clrt_sqrt((float)count));
  if (index < grid * grid) {
    *u = ((float)(index % grid) + jitter_u) / (float)grid;
    *v = ((float)(index / grid) + jitter_v) / (float)grid;
  } else {
    *u = jitter_u;
    *v = jitter_v;
  }
}

/* Shirley and Chiu's concentric mapping. In each half the angle is pi/4
 * times a ratio in [-1, 1], so clrt_sin_cos_quarter covers it. */
CLRT_INTERNAL void clrt_square_to_disk(float u, float v, float *x, float *y) {
  float a = 2.0f * u - 1.0f, b = 2.0f * v - 1.0f;
  if (a == 0.0f && b == 0.0f) {
    *x = 0.0f;
    *y = 0.0f;
    return;
  }
  float sine, cosine;
  if (clrt_fabs(a) > clrt_fabs(b)) {
    clrt_sin_cos_quarter((CLRT_PI / 4.0f) * (b / a), &sine, &cosine);
    *x = a * cosine;
    *y = a * sine;
  } else {
    /* angle pi/2 - phi: cos and sin swap */
    clrt_sin_cos_quarter((CLRT_PI / 4.0f) * (a / b), &sine, &cosine);
    *x = b * sine;
    *y = b * cosine;
  }
}

CLRT_INTERNAL void clrt_basis_around(clrt_vec3 n, clrt_vec3 *a, clrt_vec3 *b) {
  clrt_vec3 helper = clrt_fabs(n.x) > 0.5f ? clrt_vec3_make(0.0f, 1.0f, 0.0f) : clrt_vec3_make(1.0f, 0.0f, 0.0f);
  *a = clrt_vec3_normalize(clrt_vec3_cross(helper, n));
  *b = clrt_vec3_cross(n, *a);
}
