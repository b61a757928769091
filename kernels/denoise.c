/* The denoiser's filter (--denoise): an edge-aware à-trous wavelet
 * filter (Dammertz et al. 2010), with the spatial part of SVGF's weights
 * (Schied et al. 2017). One step blurs each pixel with its 5x5
 * neighbours `step` pixels apart (the B3 spline's weights); steps 1, 2,
 * 4, 8 and 16 in turn reach 62 pixels away. A neighbour counts less the
 * more it differs from the pixel in what the auxiliary passes say
 * (normal, depth, albedo: another surface) and in luminance beyond what
 * the pixel's noise explains (its variance, filtered along, decides how
 * much): noise is averaged away within a surface, edges stay.
 *
 * Each step is two passes over the band: first every pixel's keys
 * (clrt_denoise_key: its luminance, its noise's squared spread, the
 * reciprocals of its depth scale), so that the 24 neighbours of the
 * second pass (clrt_denoise_pixel) need not work them out again each.
 *
 * The image is a band of rows (host/denoise/denoise.c cuts them, with
 * margins); neighbours outside the band do not count. */
#include "clrt_tracer.h"

/* How sharply each difference cuts a neighbour's weight (SVGF's
 * sigma_z, sigma_n, sigma_l; the albedo's is ours). */
#define CLRT_DENOISE_DEPTH_SIGMA 4.0f
#define CLRT_DENOISE_NORMAL_SQUARINGS 6 /* (n.n')^64 */
#define CLRT_DENOISE_LUMINANCE_SIGMA 4.0f
#define CLRT_DENOISE_ALBEDO_FALLOFF 100.0f /* 1 / 0.1^2 */
/* Keeps weights finite where the variance or the depth gradient is 0. */
#define CLRT_DENOISE_EPSILON 1e-4f

/* The B3 spline's weights at distance 0, 1 and 2. */
CLRT_INTERNAL float clrt_b3_weight(int d) { return d == 0 ? 0.375f : (d == 1 || d == -1) ? 0.25f : 0.0625f; }

CLRT_INTERNAL float clrt_abs_difference(float a, float b) { return a > b ? a - b : b - a; }

/* A pixel's variance blurred over its 3x3 neighbours (weights 1-2-1):
 * one pixel's own estimate is too noisy to steer by. */
CLRT_INTERNAL float clrt_denoise_variance(const clrt_denoise_band *band, int x, int y) {
  float sum = 0.0f, weights = 0.0f;
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx) {
      int qx = x + dx, qy = y + dy;
      if (qx < 0 || qy < 0 || qx >= (int)band->width || qy >= (int)band->height)
        continue;
      float w = (dx == 0 ? 2.0f : 1.0f) * (dy == 0 ? 2.0f : 1.0f);
      sum += w * band->color[(clrt_uint)qy * band->width + (clrt_uint)qx].w;
      weights += w;
    }
  return sum / weights;
}

/* How much depth changes from one pixel to the next around (x, y): the
 * scale of depth differences along one surface. */
CLRT_INTERNAL float clrt_depth_slope(const clrt_denoise_band *band, int x, int y) {
  float z = band->guide[(clrt_uint)y * band->width + (clrt_uint)x].normal_depth.w, slope = 0.0f;
  for (int k = 0; k < 4; ++k) {
    int qx = x + (k == 0 ? 1 : k == 1 ? -1 : 0), qy = y + (k == 2 ? 1 : k == 3 ? -1 : 0);
    if (qx < 0 || qy < 0 || qx >= (int)band->width || qy >= (int)band->height)
      continue;
    float zq = band->guide[(clrt_uint)qy * band->width + (clrt_uint)qx].normal_depth.w;
    if (zq < CLRT_NO_HIT && z < CLRT_NO_HIT)
      slope = clrt_max(slope, clrt_abs_difference(z, zq));
  }
  return slope;
}

CLRT_TESTABLE clrt_float4 clrt_denoise_key(const clrt_denoise_band *band, clrt_uint x, clrt_uint y, clrt_uint step) {
  clrt_uint index = y * band->width + x;
  float luminance = clrt_luminance(clrt_vec3_from4(band->color[index]));
  float spread2 =
      CLRT_DENOISE_LUMINANCE_SIGMA * CLRT_DENOISE_LUMINANCE_SIGMA * clrt_denoise_variance(band, (int)x, (int)y);
  float depth = band->guide[index].normal_depth.w, slope = clrt_depth_slope(band, (int)x, (int)y);
  float near_scale = CLRT_DENOISE_DEPTH_SIGMA * slope * (float)step + CLRT_DENOISE_EPSILON * depth;
  float far_scale = CLRT_DENOISE_DEPTH_SIGMA * slope * (float)(2u * step) + CLRT_DENOISE_EPSILON * depth;
  return clrt_vec4_make(luminance, spread2, 1.0f / near_scale, 1.0f / far_scale);
}

/* How far a neighbour q is from p in what the guides say, as the
 * exponent of its weight (exp(-distance)): albedo and depth
 * (`inverse_depth_scale`: p's key for q's distance); the normals' factor goes to
 * *cosine_power. Across an edge between a surface and the sky it is
 * CLRT_NO_HIT (the weight 0). */
CLRT_INTERNAL float clrt_guide_distance(clrt_pixel_aux p, clrt_pixel_aux q, float inverse_depth_scale,
                                        float *cosine_power) {
  int p_hit = p.normal_depth.w < CLRT_NO_HIT, q_hit = q.normal_depth.w < CLRT_NO_HIT;
  *cosine_power = 1.0f;
  if (p_hit != q_hit)
    return CLRT_NO_HIT;
  clrt_vec3 da = clrt_vec3_sub(clrt_vec3_from4(p.albedo), clrt_vec3_from4(q.albedo));
  float exponent = clrt_vec3_dot(da, da) * CLRT_DENOISE_ALBEDO_FALLOFF;
  if (!p_hit)
    return exponent;
  /* unit normals (the host made them so), or 0 */
  float cosine = clrt_max(0.0f, clrt_vec3_dot(clrt_vec3_from4(p.normal_depth), clrt_vec3_from4(q.normal_depth)));
  for (int k = 0; k < CLRT_DENOISE_NORMAL_SQUARINGS; ++k)
    cosine *= cosine;
  *cosine_power = cosine;
  return exponent + clrt_abs_difference(p.normal_depth.w, q.normal_depth.w) * inverse_depth_scale;
}

CLRT_TESTABLE clrt_float4 clrt_denoise_pixel(const clrt_denoise_band *band, clrt_uint x, clrt_uint y, clrt_uint step) {
  clrt_uint index = y * band->width + x;
  clrt_float4 center = band->color[index], key = band->keys[index];
  clrt_pixel_aux guide = band->guide[index];
  /* the pixel itself: weight 0.375^2, whatever the guides */
  float w0 = 0.140625f;
  clrt_vec3 sum = clrt_vec3_scale(clrt_vec3_from4(center), w0);
  float weights = w0, variance = w0 * w0 * center.w;
  for (int dy = -2; dy <= 2; ++dy) {
    int qy = (int)y + dy * (int)step;
    if (qy < 0 || qy >= (int)band->height)
      continue;
    for (int dx = -2; dx <= 2; ++dx) {
      int qx = (int)x + dx * (int)step;
      if (qx < 0 || qx >= (int)band->width || (dx == 0 && dy == 0))
        continue;
      clrt_uint q = (clrt_uint)qy * band->width + (clrt_uint)qx;
      clrt_float4 color = band->color[q], q_key = band->keys[q];
      int far = dx < -1 || dx > 1 || dy < -1 || dy > 1;
      float cosine_power;
      float exponent = clrt_guide_distance(guide, band->guide[q], far ? key.w : key.z, &cosine_power);
      /* luminance, beyond what the two pixels' noise explains (q's own,
       * unblurred: a firefly's spread lets its neighbours take it in) */
      float spread2 = key.y + CLRT_DENOISE_LUMINANCE_SIGMA * CLRT_DENOISE_LUMINANCE_SIGMA * color.w;
      exponent += clrt_abs_difference(key.x, q_key.x) / (clrt_sqrt(spread2) + CLRT_DENOISE_EPSILON);
      float w = exponent < 80.0f
                    ? clrt_b3_weight(dx) * clrt_b3_weight(dy) * cosine_power * clrt_exp2(-exponent * 1.44269504f)
                    : 0.0f;
      sum = clrt_vec3_add(sum, clrt_vec3_scale(clrt_vec3_from4(color), w));
      weights += w;
      variance += w * w * color.w;
    }
  }
  return clrt_vec4_make(sum.x / weights, sum.y / weights, sum.z / weights, variance / (weights * weights));
}
