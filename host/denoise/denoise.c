/* The denoiser: bands of the picture through the à-trous steps, on a
 * device or on the host (clrt_denoise.h). */
#include "clrt_denoise.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_opencl.h"
#include "clrt_program.h"
#include "clrt_tracer.h"

enum { CLRT_RGB_CHANNELS = 3 };

/* A band's rows near this many pixels: a few hundred MiB of device
 * memory at most (80 bytes a pixel), and few enough bands that the
 * margins cost little. */
#define CLRT_DENOISE_BAND_PIXELS ((size_t)4 << 20)

/* Rows [first, end) of the picture, and the margin-widened rows the
 * filter reads for them, [from, to). */
typedef struct band_rows {
  unsigned first, end;
  unsigned from, to;
} band_rows;

static band_rows band_at(const clrt_denoise_picture *picture, unsigned first, unsigned rows) {
  band_rows band = {first, first + rows < picture->height ? first + rows : picture->height, 0, 0};
  band.from = first > CLRT_DENOISE_MARGIN ? first - CLRT_DENOISE_MARGIN : 0;
  band.to = band.end + CLRT_DENOISE_MARGIN < picture->height ? band.end + CLRT_DENOISE_MARGIN : picture->height;
  return band;
}

static unsigned choose_band_rows(const clrt_denoise_picture *picture, unsigned asked) {
  if (asked)
    return asked;
  size_t rows = CLRT_DENOISE_BAND_PIXELS / picture->width;
  return rows < 1 ? 1u : rows > picture->height ? picture->height : (unsigned)rows;
}

/* Where the variance is not known from samples (Whitted's, a fixed set
 * of rays), the spread of luminance over the pixel's 3x3 neighbours
 * stands for it: large at edges, which the guides keep anyway. */
static float neighbourhood_variance(const clrt_denoise_picture *picture, unsigned x, unsigned y) {
  float sum = 0.0f, squares = 0.0f;
  int count = 0;
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx) {
      long qx = (long)x + dx, qy = (long)y + dy;
      if (qx < 0 || qy < 0 || qx >= (long)picture->width || qy >= (long)picture->height)
        continue;
      const float *c = picture->linear + ((size_t)qy * picture->width + (size_t)qx) * CLRT_RGB_CHANNELS;
      float luminance = clrt_luminance(clrt_vec3_make(c[0], c[1], c[2]));
      sum += luminance;
      squares += luminance * luminance;
      ++count;
    }
  float mean = sum / (float)count, spread = squares / (float)count - mean * mean;
  return spread > 0.0f ? spread : 0.0f;
}

/* The band's colour and variance as the filter reads them: compressed,
 * c / (1 + luminance(c)), so that a light source's pixels, a caustic's
 * rare bright samples or a firefly cannot bleed into their neighbours
 * by the sheer size of their values (the variance is scaled by the
 * square of the compression's slope). keep_rows undoes it. */
static void stage_color(const clrt_denoise_picture *picture, const band_rows *band, clrt_float4 *out) {
  for (unsigned y = band->from; y < band->to; ++y)
    for (unsigned x = 0; x < picture->width; ++x) {
      size_t i = (size_t)y * picture->width + x;
      const float *c = picture->linear + i * CLRT_RGB_CHANNELS;
      float variance = picture->variance ? picture->variance[i] : neighbourhood_variance(picture, x, y);
      float luminance = clrt_luminance(clrt_vec3_make(c[0], c[1], c[2]));
      float k = 1.0f / (1.0f + (luminance > 0.0f ? luminance : 0.0f));
      out[(size_t)(y - band->from) * picture->width + x] =
          (clrt_float4){c[0] * k, c[1] * k, c[2] * k, variance * k * k * k * k};
    }
}

/* c from c / (1 + luminance(c)), whose luminance is below 1. */
static float expand(float compressed, float compressed_luminance) {
  float rest = 1.0f - compressed_luminance;
  return compressed / (rest > 1e-6f ? rest : 1e-6f);
}

/* The band's guides as the filter reads them: unit normals (the mean
 * normal of an edge pixel is shorter), or 0 where nothing was hit. */
static void stage_guides(const clrt_denoise_picture *picture, const band_rows *band, clrt_pixel_aux *out) {
  size_t first = (size_t)band->from * picture->width, count = (size_t)(band->to - band->from) * picture->width;
  for (size_t i = 0; i < count; ++i) {
    clrt_pixel_aux g = picture->aux[first + i];
    float length = sqrtf(g.normal_depth.x * g.normal_depth.x + g.normal_depth.y * g.normal_depth.y +
                         g.normal_depth.z * g.normal_depth.z);
    if (length > 0.0f) {
      g.normal_depth.x /= length;
      g.normal_depth.y /= length;
      g.normal_depth.z /= length;
    }
    out[i] = g;
  }
}

/* The band's own rows of the filtered colour, into `denoised` (the
 * picture's layout). */
static void keep_rows(const clrt_denoise_picture *picture, const band_rows *band, const clrt_float4 *filtered,
                      float *denoised) {
  for (unsigned y = band->first; y < band->end; ++y)
    for (unsigned x = 0; x < picture->width; ++x) {
      clrt_float4 c = filtered[(size_t)(y - band->from) * picture->width + x];
      float *out = denoised + ((size_t)y * picture->width + x) * CLRT_RGB_CHANNELS;
      float luminance = clrt_luminance(clrt_vec3_make(c.x, c.y, c.z));
      out[0] = expand(c.x, luminance);
      out[1] = expand(c.y, luminance);
      out[2] = expand(c.z, luminance);
    }
}

/* ---- on the host ---- */

/* One step on the host, from `from` into `to`. */
static void host_step(const clrt_denoise_picture *picture, const clrt_float4 *from, const clrt_pixel_aux *guides,
                      clrt_float4 *keys, clrt_float4 *to, unsigned step) {
  clrt_denoise_band band = {from, guides, keys, picture->width, picture->height};
  for (unsigned y = 0; y < picture->height; ++y)
    for (unsigned x = 0; x < picture->width; ++x)
      keys[(size_t)y * picture->width + x] = clrt_denoise_key(&band, x, y, step);
  for (unsigned y = 0; y < picture->height; ++y)
    for (unsigned x = 0; x < picture->width; ++x)
      to[(size_t)y * picture->width + x] = clrt_denoise_pixel(&band, x, y, step);
}

clrt_status clrt_denoise_on_host(clrt_denoise_picture *picture, clrt_error *err) {
  size_t pixels = (size_t)picture->width * picture->height;
  clrt_float4 *a = malloc(pixels * sizeof *a), *b = malloc(pixels * sizeof *b), *keys = malloc(pixels * sizeof *keys);
  clrt_pixel_aux *guides = malloc(pixels * sizeof *guides);
  float *denoised = malloc(pixels * CLRT_RGB_CHANNELS * sizeof *denoised);
  clrt_status status = CLRT_OK;
  if (a && b && keys && guides && denoised) {
    band_rows whole = band_at(picture, 0, picture->height);
    stage_color(picture, &whole, a);
    stage_guides(picture, &whole, guides);
    for (unsigned k = 0; k < CLRT_DENOISE_STEPS; ++k) {
      host_step(picture, a, guides, keys, b, 1u << k);
      clrt_float4 *swap = a;
      a = b;
      b = swap;
    }
    keep_rows(picture, &whole, a, denoised);
    memcpy(picture->linear, denoised, pixels * CLRT_RGB_CHANNELS * sizeof *denoised);
  } else {
    status = clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for denoising a %ux%u picture", picture->width,
                       picture->height);
  }
  free(a);
  free(b);
  free(keys);
  free(guides);
  free(denoised);
  return status;
}

/* ---- on a device ---- */

typedef struct denoiser {
  const clrt_device *device;
  char title[CLRT_DEVICE_TITLE_SIZE];
  cl_context context;
  cl_command_queue queue;
  cl_program program;
  cl_kernel keys_kernel, kernel;
  cl_mem color[2]; /* the steps go from one to the other */
  cl_mem guide, keys;
} denoiser;

static clrt_status check(const denoiser *d, cl_int rc, const char *call, clrt_error *err) {
  return clrt_cl_check(rc, call, d->title, err);
}

static void release(denoiser *d) {
  for (int i = 0; i < 2; ++i)
    if (d->color[i])
      clReleaseMemObject(d->color[i]);
  if (d->guide)
    clReleaseMemObject(d->guide);
  if (d->keys)
    clReleaseMemObject(d->keys);
  if (d->keys_kernel)
    clReleaseKernel(d->keys_kernel);
  if (d->kernel)
    clReleaseKernel(d->kernel);
  if (d->program)
    clReleaseProgram(d->program);
  if (d->queue)
    clReleaseCommandQueue(d->queue);
  if (d->context)
    clReleaseContext(d->context);
}

static clrt_status open_denoiser(denoiser *d, const clrt_flat_scene *scene, size_t band_pixels, FILE *log,
                                 clrt_error *err) {
  cl_int rc;
  cl_context_properties properties[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)d->device->platform, 0};
  d->context = clCreateContext(properties, 1, &d->device->id, NULL, NULL, &rc);
  clrt_status status = check(d, rc, "clCreateContext", err);
  if (status != CLRT_OK)
    return status;
  d->queue = clCreateCommandQueue(d->context, d->device->id, 0, &rc);
  if ((status = check(d, rc, "clCreateCommandQueue", err)) != CLRT_OK)
    return status;
  clrt_program_kind kind = {.integrator = scene->params.integrator,
                            .scene_bytes = clrt_flat_scene_bytes(scene),
                            .array_memory = CLRT_ARRAYS_GLOBAL,
                            .tile_form = CLRT_TILE_LINEAR};
  clrt_build_facts facts;
  if ((status = clrt_program_build(d->context, d->device, &kind, log, &d->program, &facts, err)) != CLRT_OK)
    return status;
  d->keys_kernel = clCreateKernel(d->program, CLRT_DENOISE_KEYS_KERNEL_NAME, &rc);
  if ((status = check(d, rc, "clCreateKernel", err)) != CLRT_OK)
    return status;
  d->kernel = clCreateKernel(d->program, CLRT_DENOISE_KERNEL_NAME, &rc);
  if ((status = check(d, rc, "clCreateKernel", err)) != CLRT_OK)
    return status;
  for (int i = 0; i < 2 && status == CLRT_OK; ++i) {
    d->color[i] = clCreateBuffer(d->context, CL_MEM_READ_WRITE, band_pixels * sizeof(clrt_float4), NULL, &rc);
    status = check(d, rc, "clCreateBuffer (the denoiser's colour)", err);
  }
  if (status == CLRT_OK) {
    d->keys = clCreateBuffer(d->context, CL_MEM_READ_WRITE, band_pixels * sizeof(clrt_float4), NULL, &rc);
    status = check(d, rc, "clCreateBuffer (the denoiser's keys)", err);
  }
  if (status == CLRT_OK) {
    d->guide = clCreateBuffer(d->context, CL_MEM_READ_ONLY, band_pixels * sizeof(clrt_pixel_aux), NULL, &rc);
    status = check(d, rc, "clCreateBuffer (the denoiser's guides)", err);
  }
  return status;
}

/* Work-groups of 64x1 pixels (work-items past the band's edge do
 * nothing): on POCL the fastest of those tried in one series at
 * 1920x1080 (64x1 2.5 s, 128x1 2.6 s, 8x8 2.9 s, 16x4 and 32x4 3.0 s;
 * the machine is shared, and 64x1 measured up to 3.0 s since), and a
 * little faster than what POCL picks itself; on a GPU, two warps along a
 * row. */
#define CLRT_DENOISE_GROUP_WIDTH 64u
#define CLRT_DENOISE_GROUP_HEIGHT 1u

static size_t round_up(size_t value, size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

/* Sets a kernel's arguments: the buffers, then width, height, step. */
static cl_int set_arguments(cl_kernel kernel, const cl_mem *buffers, cl_uint buffer_count, cl_uint width,
                            cl_uint height, cl_uint step) {
  cl_int rc = CL_SUCCESS;
  for (cl_uint i = 0; rc == CL_SUCCESS && i < buffer_count; ++i)
    rc = clSetKernelArg(kernel, i, sizeof(cl_mem), &buffers[i]);
  rc = rc == CL_SUCCESS ? clSetKernelArg(kernel, buffer_count, sizeof width, &width) : rc;
  rc = rc == CL_SUCCESS ? clSetKernelArg(kernel, buffer_count + 1, sizeof height, &height) : rc;
  return rc == CL_SUCCESS ? clSetKernelArg(kernel, buffer_count + 2, sizeof step, &step) : rc;
}

static clrt_status enqueue(denoiser *d, cl_kernel kernel, cl_uint width, cl_uint height, clrt_error *err) {
  size_t local[2] = {CLRT_DENOISE_GROUP_WIDTH, CLRT_DENOISE_GROUP_HEIGHT};
  size_t global[2] = {round_up(width, local[0]), round_up(height, local[1])};
  return check(d, clEnqueueNDRangeKernel(d->queue, kernel, 2, NULL, global, local, 0, NULL, NULL),
               "clEnqueueNDRangeKernel (the denoiser's)", err);
}

/* One step, from buffer `from` into the other: the keys, then the filter. */
static clrt_status run_step(denoiser *d, int from, cl_uint width, cl_uint height, cl_uint step, clrt_error *err) {
  cl_mem key_buffers[3] = {d->color[from], d->guide, d->keys};
  cl_mem step_buffers[4] = {d->color[from], d->guide, d->keys, d->color[1 - from]};
  cl_int rc = set_arguments(d->keys_kernel, key_buffers, 3, width, height, step);
  rc = rc == CL_SUCCESS ? set_arguments(d->kernel, step_buffers, 4, width, height, step) : rc;
  clrt_status status = check(d, rc, "clSetKernelArg (the denoiser's)", err);
  if (status == CLRT_OK)
    status = enqueue(d, d->keys_kernel, width, height, err);
  return status == CLRT_OK ? enqueue(d, d->kernel, width, height, err) : status;
}

/* One band: up, through every step, and its own rows back. */
static clrt_status denoise_band(denoiser *d, const clrt_denoise_picture *picture, const band_rows *band,
                                clrt_float4 *staging, clrt_pixel_aux *guides, float *denoised, clrt_error *err) {
  size_t pixels = (size_t)(band->to - band->from) * picture->width;
  stage_color(picture, band, staging);
  stage_guides(picture, band, guides);
  clrt_status status = check(
      d, clEnqueueWriteBuffer(d->queue, d->color[0], CL_FALSE, 0, pixels * sizeof *staging, staging, 0, NULL, NULL),
      "clEnqueueWriteBuffer (the denoiser's colour)", err);
  if (status == CLRT_OK)
    status =
        check(d, clEnqueueWriteBuffer(d->queue, d->guide, CL_FALSE, 0, pixels * sizeof *guides, guides, 0, NULL, NULL),
              "clEnqueueWriteBuffer (the denoiser's guides)", err);
  int from = 0;
  for (unsigned k = 0; status == CLRT_OK && k < CLRT_DENOISE_STEPS; ++k, from = 1 - from)
    status = run_step(d, from, picture->width, band->to - band->from, 1u << k, err);
  if (status == CLRT_OK)
    status = check(
        d, clEnqueueReadBuffer(d->queue, d->color[from], CL_TRUE, 0, pixels * sizeof *staging, staging, 0, NULL, NULL),
        "clEnqueueReadBuffer (the denoiser's result)", err);
  if (status == CLRT_OK)
    keep_rows(picture, band, staging, denoised);
  return status;
}

clrt_status clrt_denoise_on_device(const clrt_device *device, const clrt_flat_scene *scene,
                                   clrt_denoise_picture *picture, unsigned band_rows_asked, FILE *log,
                                   clrt_error *err) {
  unsigned rows = choose_band_rows(picture, band_rows_asked);
  size_t most_rows =
      (size_t)rows + 2 * CLRT_DENOISE_MARGIN < picture->height ? rows + 2 * CLRT_DENOISE_MARGIN : picture->height;
  size_t band_pixels = most_rows * picture->width, pixels = (size_t)picture->width * picture->height;
  clrt_float4 *staging = malloc(band_pixels * sizeof *staging);
  clrt_pixel_aux *guides = malloc(band_pixels * sizeof *guides);
  float *denoised = malloc(pixels * CLRT_RGB_CHANNELS * sizeof *denoised);
  denoiser d = {.device = device};
  clrt_device_title(device, d.title, sizeof d.title);
  clrt_status status = staging && guides && denoised
                           ? open_denoiser(&d, scene, band_pixels, log, err)
                           : clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for denoising a %ux%u picture",
                                       picture->width, picture->height);
  for (unsigned first = 0; status == CLRT_OK && first < picture->height; first += rows) {
    band_rows band = band_at(picture, first, rows);
    status = denoise_band(&d, picture, &band, staging, guides, denoised, err);
  }
  if (status == CLRT_OK)
    memcpy(picture->linear, denoised, pixels * CLRT_RGB_CHANNELS * sizeof *denoised);
  release(&d);
  free(staging);
  free(guides);
  free(denoised);
  return status;
}

clrt_status clrt_denoise(const clrt_device *devices, size_t count, const clrt_flat_scene *scene,
                         clrt_denoise_picture *picture, FILE *log, clrt_error *err) {
  clrt_error failure;
  for (size_t i = 0; i < count; ++i)
    if (clrt_denoise_on_device(&devices[i], scene, picture, 0, log, &failure) == CLRT_OK)
      return CLRT_OK;
  if (count)
    fprintf(log, "clrt: warning: denoising on the host instead: %s\n", failure.message);
  return clrt_denoise_on_host(picture, err);
}
