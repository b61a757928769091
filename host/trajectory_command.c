/* `clrt trajectory PATTERN`: writes a particle trajectory to try
 * sequences on: a disc of particles in two spiral arms that differential
 * rotation winds up (inner particles go round faster), bobbing through
 * the disc's plane, with a pulse of heat running outward. Frame f is a
 * binary PLY file (the pattern filled with f) of x, y, z, speed,
 * temperature, mass and id for each particle; every particle's motion is
 * a closed form of time, so the frames are the same bytes on any machine
 * and are written side by side. */
#include "clrt_commands.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clrt_file.h"
#include "clrt_pattern.h"
#include "clrt_stop.h"

static const double PI = 3.14159265358979323846;
/* The model's constants, in scene units and frames. */
#define DISC_INNER 0.5      /* radius of the disc's hole */
#define DISC_OUTER 10.0     /* and of its rim */
#define ARM_PITCH 0.35      /* tan of the spiral arms' pitch angle */
#define ARM_SPREAD 0.35     /* radians of scatter about an arm */
#define DISC_THICKNESS 0.12 /* the bobbing's scale */
#define ROTATION_SPEED 1.0  /* orbital speed on the flat part of the rotation curve */
#define CORE_RADIUS 1.5     /* inside it the disc turns as a solid body */
#define FRAME_TIME 0.06     /* model time per frame */
#define PULSE_SPEED 0.12    /* the heat pulse's speed, radius per frame */
#define PULSE_WIDTH 0.8
/* A row: seven 4-byte values. */
enum { ROW_VALUES = 7, ROW_BYTES = ROW_VALUES * 4 };

typedef struct particle {
  double radius, angle, height, phase, mass;
} particle;

/* SplitMix64, per particle and draw: a particle is the same whatever the
 * order they are made in. */
static double unit(uint64_t seed, uint64_t index, unsigned draw) {
  uint64_t z = seed * 0x9e3779b97f4a7c15ULL + index * 0xbf58476d1ce4e5b9ULL + draw * 0x94d049bb133111ebULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return ((double)(z >> 11) + 0.5) * 0x1p-53;
}

static double normal_draw(uint64_t seed, uint64_t index, unsigned draw) {
  return sqrt(-2.0 * log(unit(seed, index, draw))) * cos(2.0 * PI * unit(seed, index, draw + 1));
}

static particle particle_of(uint64_t seed, uint64_t i) {
  particle p;
  p.radius = DISC_INNER + (DISC_OUTER - DISC_INNER) * sqrt(unit(seed, i, 0));
  double arm = unit(seed, i, 1) < 0.5 ? 0.0 : PI;
  p.angle = arm + log(p.radius) / ARM_PITCH + ARM_SPREAD * normal_draw(seed, i, 2);
  p.height = DISC_THICKNESS * normal_draw(seed, i, 4) * (1.0 + 1.0 / p.radius);
  p.phase = 2.0 * PI * unit(seed, i, 6);
  p.mass = exp(0.5 * normal_draw(seed, i, 7)); /* log-normal about 1 */
  return p;
}

/* Angular speed: a solid body in the core, a flat rotation curve beyond. */
static double angular_speed(double radius) {
  return ROTATION_SPEED * radius / (radius * radius + CORE_RADIUS * CORE_RADIUS);
}

static void put_float(unsigned char *out, float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  for (int b = 0; b < 4; ++b)
    out[b] = (unsigned char)(bits >> (8 * b)); /* little-endian whatever the host */
}

static void put_uint(unsigned char *out, uint32_t value) {
  for (int b = 0; b < 4; ++b)
    out[b] = (unsigned char)(value >> (8 * b));
}

/* Particle i's row at frame f. */
static void row_of(uint64_t seed, uint64_t i, long frame, unsigned char *row) {
  particle p = particle_of(seed, i);
  double t = (double)frame * FRAME_TIME, omega = angular_speed(p.radius);
  double angle = p.angle + omega * t;
  double y = p.height * cos(2.0 * omega * t + p.phase);
  double front = fmod(PULSE_SPEED * (double)frame, DISC_OUTER + 2.0 * PULSE_WIDTH) - PULSE_WIDTH;
  double heat = (p.radius - front) / PULSE_WIDTH;
  double temperature = 1.0 / (1.0 + p.radius / 2.0) + 0.8 * exp(-heat * heat);
  float values[] = {(float)(p.radius * cos(angle)), (float)y,           (float)(p.radius * sin(angle)),
                    (float)(omega * p.radius),      (float)temperature, (float)p.mass};
  for (int v = 0; v < 6; ++v)
    put_float(row + 4 * v, values[v]);
  put_uint(row + 24, (uint32_t)i);
}

static const char HEADER[] = "ply\nformat binary_little_endian 1.0\ncomment clrt trajectory: frame %ld of a "
                             "winding spiral disc, seed %lu\nelement vertex %lu\nproperty float x\nproperty float y\n"
                             "property float z\nproperty float speed\nproperty float temperature\n"
                             "property float mass\nproperty uint id\nend_header\n";

/* What a plainly created file gets (clrt_file_replace makes it 0600). */
static clrt_status plain_permissions(const char *path, clrt_error *err) {
  mode_t mask = umask(0);
  umask(mask);
  if (chmod(path, 0666 & ~mask) == 0)
    return CLRT_OK;
  return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot set its permissions: %s", path, strerror(errno));
}

/* One frame's file, all or nothing (clrt_file_replace). */
static clrt_status write_frame(const char *path, long frame, uint64_t seed, uint64_t count, clrt_error *err) {
  char header[512];
  int header_bytes = snprintf(header, sizeof header, HEADER, frame, (unsigned long)seed, (unsigned long)count);
  unsigned char *rows = malloc(count * ROW_BYTES);
  if (!rows)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %lu particles", (unsigned long)count);
#pragma omp parallel for schedule(static)
  for (long i = 0; i < (long)count; ++i)
    row_of(seed, (uint64_t)i, frame, rows + (size_t)i * ROW_BYTES);
  clrt_file_part parts[] = {{header, (size_t)header_bytes}, {rows, count * ROW_BYTES}};
  bool written = clrt_file_replace(path, parts, 2);
  int saved = errno;
  free(rows);
  if (written)
    return plain_permissions(path, err);
  return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot write it: %s", path, strerror(saved));
}

/* The frames' folder, made (with its parents) if it is not there. */
static clrt_status make_folder(const char *path, clrt_error *err) {
  char folder[4096];
  clrt_file_folder(path, folder, sizeof folder);
  for (char *slash = folder + 1;; ++slash) {
    bool last = (slash = strchr(slash, '/')) == NULL;
    if (!last)
      *slash = '\0';
    if (mkdir(folder, 0777) != 0 && errno != EEXIST)
      return clrt_fail(err, CLRT_ERR_INPUT, "trajectory: cannot make the folder %s: %s", folder, strerror(errno));
    if (last)
      return CLRT_OK;
    *slash = '/';
  }
}

clrt_status clrt_trajectory_command(const clrt_trajectory_options *options, FILE *log, clrt_error *err) {
  if (clrt_pattern_kind_of(options->pattern) != CLRT_PATTERN_ONE)
    return clrt_fail(err, CLRT_ERR_INPUT,
                     "trajectory: %s must hold the frame's number, as in traj/frame_%%04d.ply (see 'clrt --help')",
                     options->pattern);
  char path[4096];
  clrt_status status = CLRT_OK;
  for (long f = 0; status == CLRT_OK && f < (long)options->frames; ++f) {
    if (!clrt_pattern_format(options->pattern, f, path, sizeof path))
      return clrt_fail(err, CLRT_ERR_INPUT, "trajectory: frame %ld's file name is too long", f);
    if (f == 0 && (status = make_folder(path, err)) != CLRT_OK)
      return status;
    if ((status = clrt_file_check_destination("trajectory", path, err)) == CLRT_OK)
      status = write_frame(path, f, options->seed, options->particles, err);
    if (status == CLRT_OK)
      status = clrt_stop_check("writing the trajectory", err);
  }
  if (status == CLRT_OK && !options->quiet)
    fprintf(log, "clrt: wrote %u frame(s) of %u particles: %s, frames 0..%u\n", options->frames, options->particles,
            options->pattern, options->frames - 1);
  return status;
}
