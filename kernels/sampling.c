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

/* Differs from every sample's seed of the pixel: a sample seed hashes the
 * same value once more with its index. */
clrt_uint clrt_pixel_seed(clrt_uint x, clrt_uint y) {
  return clrt_hash_u32(clrt_hash_u32(x) ^ y ^ CLRT_SOBOL_SET_SALT);
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

/* The unit direction at cos_theta from `axis`, in the azimuth of the disk
 * point (dx, dy), whose squared radius drew cos_theta. */
CLRT_INTERNAL clrt_vec3 clrt_direction_around(clrt_vec3 axis, float cos_theta, float dx, float dy) {
  clrt_vec3 a, b;
  clrt_basis_around(axis, &a, &b);
  float rho = clrt_sqrt(dx * dx + dy * dy);
  float sin_theta = clrt_sqrt(clrt_max(0.0f, 1.0f - cos_theta * cos_theta));
  float scale = rho > 0.0f ? sin_theta / rho : 0.0f;
  clrt_vec3 across = clrt_vec3_add(clrt_vec3_scale(a, dx * scale), clrt_vec3_scale(b, dy * scale));
  return clrt_vec3_normalize(clrt_vec3_add(clrt_vec3_scale(axis, cos_theta), across));
}

/* Malley's method: the disk point lifted onto the hemisphere around n is
 * cosine-distributed. */
CLRT_INTERNAL clrt_vec3 clrt_cosine_direction(clrt_vec3 n, float dx, float dy) {
  return clrt_direction_around(n, clrt_sqrt(clrt_max(0.0f, 1.0f - (dx * dx + dy * dy))), dx, dy);
}

CLRT_INTERNAL void clrt_basis_around(clrt_vec3 n, clrt_vec3 *a, clrt_vec3 *b) {
  clrt_vec3 helper = clrt_fabs(n.x) > 0.5f ? clrt_vec3_make(0.0f, 1.0f, 0.0f) : clrt_vec3_make(1.0f, 0.0f, 0.0f);
  *a = clrt_vec3_normalize(clrt_vec3_cross(helper, n));
  *b = clrt_vec3_cross(n, *a);
}

/* Sobol's generator matrices for the first four dimensions, a column per
 * bit of the point's index (bit 31 of a column is the output's most
 * significant bit): the identity (van der Corput), then Joe and Kuo's
 * direction numbers for the primitive polynomials x + 1 (m = 1),
 * x^2 + x + 1 (m = 1, 3) and x^3 + x + 1 (m = 1, 3, 1), expanded by the
 * usual recurrence (tests/test_sampling.c recomputes them). */
CLRT_TABLE clrt_uint CLRT_SOBOL_MATRICES[CLRT_SOBOL_DIMENSIONS][CLRT_SOBOL_BITS] = {
    {0x80000000u, 0x40000000u, 0x20000000u, 0x10000000u, 0x08000000u, 0x04000000u, 0x02000000u, 0x01000000u,
     0x00800000u, 0x00400000u, 0x00200000u, 0x00100000u, 0x00080000u, 0x00040000u, 0x00020000u, 0x00010000u,
     0x00008000u, 0x00004000u, 0x00002000u, 0x00001000u, 0x00000800u, 0x00000400u, 0x00000200u, 0x00000100u,
     0x00000080u, 0x00000040u, 0x00000020u, 0x00000010u, 0x00000008u, 0x00000004u, 0x00000002u, 0x00000001u},
    {0x80000000u, 0xc0000000u, 0xa0000000u, 0xf0000000u, 0x88000000u, 0xcc000000u, 0xaa000000u, 0xff000000u,
     0x80800000u, 0xc0c00000u, 0xa0a00000u, 0xf0f00000u, 0x88880000u, 0xcccc0000u, 0xaaaa0000u, 0xffff0000u,
     0x80008000u, 0xc000c000u, 0xa000a000u, 0xf000f000u, 0x88008800u, 0xcc00cc00u, 0xaa00aa00u, 0xff00ff00u,
     0x80808080u, 0xc0c0c0c0u, 0xa0a0a0a0u, 0xf0f0f0f0u, 0x88888888u, 0xccccccccu, 0xaaaaaaaau, 0xffffffffu},
    {0x80000000u, 0xc0000000u, 0x60000000u, 0x90000000u, 0xe8000000u, 0x5c000000u, 0x8e000000u, 0xc5000000u,
     0x68800000u, 0x9cc00000u, 0xee600000u, 0x55900000u, 0x80680000u, 0xc09c0000u, 0x60ee0000u, 0x90550000u,
     0xe8808000u, 0x5cc0c000u, 0x8e606000u, 0xc5909000u, 0x6868e800u, 0x9c9c5c00u, 0xeeee8e00u, 0x5555c500u,
     0x8000e880u, 0xc0005cc0u, 0x60008e60u, 0x9000c590u, 0xe8006868u, 0x5c009c9cu, 0x8e00eeeeu, 0xc5005555u},
    {0x80000000u, 0xc0000000u, 0x20000000u, 0x50000000u, 0xf8000000u, 0x74000000u, 0xa2000000u, 0x93000000u,
     0xd8800000u, 0x25400000u, 0x59e00000u, 0xe6d00000u, 0x78080000u, 0xb40c0000u, 0x82020000u, 0xc3050000u,
     0x208f8000u, 0x51474000u, 0xfbea2000u, 0x75d93000u, 0xa0858800u, 0x914e5400u, 0xdbe79e00u, 0x25db6d00u,
     0x58800080u, 0xe54000c0u, 0x79e00020u, 0xb6d00050u, 0x800800f8u, 0xc00c0074u, 0x200200a2u, 0x50050093u}};

/* The columns of the index's set bits, xored: one step per set bit, the
 * lowest found as 31 - clz(index & -index) (OpenCL 1.2 has no ctz). */
CLRT_TESTABLE clrt_uint clrt_sobol(clrt_uint index, clrt_uint dimension) {
  clrt_uint x = 0u;
  for (; index != 0u; index &= index - 1u)
    x ^= CLRT_SOBOL_MATRICES[dimension][31u - clrt_clz(index & (0u - index))];
  return x;
}

CLRT_INTERNAL clrt_uint clrt_reverse_bits(clrt_uint x) {
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
  x = ((x >> 8) & 0x00ff00ffu) | ((x & 0x00ff00ffu) << 8);
  return (x >> 16) | (x << 16);
}

/* Nested uniform (Owen) scrambling by hashing, after Burley's "Practical
 * Hash-based Owen Scrambling" (JCGT 2020): a hash in which every bit
 * depends only on the bits below it (multiplications by even numbers and
 * xors), applied to the reversed bits, so that each bit of x is flipped
 * depending only on the bits above it: a random permutation of every
 * dyadic interval, which keeps a net's stratification. */
CLRT_INTERNAL clrt_uint clrt_owen_scramble(clrt_uint x, clrt_uint seed) {
  x = clrt_reverse_bits(x);
  x += seed;
  x ^= x * 0x6c50b47cu;
  x ^= x * 0xb82f1e52u;
  x ^= x * 0xc7afe638u;
  x ^= x * 0x8d22f6e6u;
  return clrt_reverse_bits(x);
}

CLRT_TESTABLE clrt_vec4 clrt_sobol_point(clrt_uint pixel_seed, clrt_uint index, clrt_uint set) {
  clrt_uint set_seed = clrt_hash_u32(pixel_seed ^ clrt_hash_u32(set + CLRT_SOBOL_SET_SALT));
  clrt_uint shuffled = clrt_owen_scramble(index, set_seed);
  float unit[CLRT_SOBOL_DIMENSIONS];
  for (clrt_uint d = 0u; d < CLRT_SOBOL_DIMENSIONS; ++d) {
    clrt_uint x = clrt_owen_scramble(clrt_sobol(shuffled, d), clrt_hash_u32(set_seed + d + 1u));
    unit[d] = (float)(x >> 8) * CLRT_UNIT_FLOAT_SCALE;
  }
  return clrt_vec4_make(unit[0], unit[1], unit[2], unit[3]);
}

CLRT_INTERNAL clrt_vec4 clrt_random_point(clrt_uint seed, clrt_uint set) {
  clrt_uint a = clrt_hash_u32(seed ^ clrt_hash_u32(set + CLRT_SOBOL_SET_SALT));
  clrt_uint b = clrt_hash_u32(a), c = clrt_hash_u32(b), d = clrt_hash_u32(c);
  return clrt_vec4_make((float)(a >> 8) * CLRT_UNIT_FLOAT_SCALE, (float)(b >> 8) * CLRT_UNIT_FLOAT_SCALE,
                        (float)(c >> 8) * CLRT_UNIT_FLOAT_SCALE, (float)(d >> 8) * CLRT_UNIT_FLOAT_SCALE);
}
