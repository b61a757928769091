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
 * The image is a band of rows (host/denoise/denoise.c cuts them, with
 * margins); neighbours outside the band do not count. */
#include "clrt_tracer.h"

/* How sharply each difference cuts a neighbour's weight (SVGF's
 * sigma_z, sigma_n, sigma_l; the albedo's is ours). */
#define CLRT_DENOISE_DEPTH_SIGMA 4.0f
#define CLRT_DENOISE_NORMAL_POWER_STEPS 6 /* (n.n')^64: the squared cosine squared five times */
#define CLRT_DENOISE_LUMINANCE_SIGMA 4.0f
#define CLRT_DENOISE_ALBEDO_SIGMA2 0.01f /* 0.1 squared */
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

/* How far a neighbour q is from p in what the guides say, as the
 * exponent of its weight (exp(-distance)): albedo and depth; and its
 * normal's factor in *cosine_power. Across an edge between a surface and
 * the sky it is infinite (the weight 0). */
CLRT_INTERNAL float clrt_guide_distance(clrt_pixel_aux p, clrt_pixel_aux q, float slope, float distance,
                                        float *cosine_power) {
  int p_hit = p.normal_depth.w < CLRT_NO_HIT, q_hit = q.normal_depth.w < CLRT_NO_HIT;
  *cosine_power = 1.0f;
  if (p_hit != q_hit)
    return CLRT_NO_HIT;
  clrt_vec3 da = clrt_vec3_sub(clrt_vec3_from4(p.albedo), clrt_vec3_from4(q.albedo));
  float exponent = clrt_vec3_dot(da, da) / CLRT_DENOISE_ALBEDO_SIGMA2;
  if (!p_hit)
    return exponent;
  clrt_vec3 np = clrt_vec3_from4(p.normal_depth), nq = clrt_vec3_from4(q.normal_depth);
  float lengths2 = clrt_vec3_dot(np, np) * clrt_vec3_dot(nq, nq), dot = clrt_vec3_dot(np, nq);
  float cosine2 = dot > 0.0f && lengths2 > 0.0f ? dot * dot / lengths2 : 0.0f; /* no sqrt: squared */
  for (int k = 1; k < CLRT_DENOISE_NORMAL_POWER_STEPS; ++k)
    cosine2 *= cosine2;
  *cosine_power = cosine2;
  float depth_scale = CLRT_DENOISE_DEPTH_SIGMA * slope * distance + CLRT_DENOISE_EPSILON * p.normal_depth.w;
  return exponent + clrt_abs_difference(p.normal_depth.w, q.normal_depth.w) / depth_scale;
}

CLRT_TESTABLE clrt_float4 clrt_denoise_pixel(const clrt_denoise_band *band, clrt_uint x, clrt_uint y, clrt_uint step) {
  clrt_uint index = y * band->width + x;
  clrt_float4 center = band->color[index];
  clrt_pixel_aux guide = band->guide[index];
  float luminance = clrt_luminance(clrt_vec3_from4(center));
  float own_variance = clrt_denoise_variance(band, (int)x, (int)y);
  float slope = clrt_depth_slope(band, (int)x, (int)y);
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
      clrt_float4 color = band->color[q];
      float distance = (float)step * (float)clrt_max(dx < 0 ? -dx : dx, dy < 0 ? -dy : dy), cosine_power;
      float exponent = clrt_guide_distance(guide, band->guide[q], slope, distance, &cosine_power);
      /* luminance: beyond what the two pixels' noise explains */
      float spread = CLRT_DENOISE_LUMINANCE_SIGMA * clrt_sqrt(own_variance + color.w) + CLRT_DENOISE_EPSILON;
      exponent += clrt_abs_difference(luminance, clrt_luminance(clrt_vec3_from4(color))) / spread;
      float w = exponent < 126.0f
                    ? clrt_b3_weight(dx) * clrt_b3_weight(dy) * cosine_power * clrt_exp2(-exponent * 1.44269504f)
                    : 0.0f;
      sum = clrt_vec3_add(sum, clrt_vec3_scale(clrt_vec3_from4(color), w));
      weights += w;
      variance += w * w * color.w;
    }
  }
  return clrt_vec4_make(sum.x / weights, sum.y / weights, sum.z / weights, variance / (weights * weights));
}
