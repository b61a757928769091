/* One device's OpenCL state for a render, and its tile slots. */
#include "clrt_session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clrt_clock.h"
#include "clrt_faults.h"
#include "clrt_program.h"

static const double NANOSECONDS_PER_MS = 1e6;
static const double BYTES_PER_MIB = 1024.0 * 1024.0;

/* Work-items per work-group: a power of two (for the ray-count reduction),
 * twice the kernel's preferred multiple (two warps or wavefronts, so one
 * can run while the other waits on memory), at least 64, at most what the
 * kernel allows. Rows of up to 16 work-items keep neighbouring pixels in
 * one SIMD group: their rays go similar ways (less divergence) and their
 * writes are coalesced. */
#define CLRT_WORK_GROUP_MINIMUM 64u
#define CLRT_WORK_GROUP_MAXIMUM 256u
#define CLRT_WORK_GROUP_WIDTH 16u

/* The kernel's arguments, in order (kernels/render.cl). */
enum {
  ARG_PARAMS,
  ARG_SPHERES,
  ARG_MATERIALS,
  ARG_LIGHTS,
  ARG_TILE_WIDTH,
  ARG_TILE_HEIGHT,
  ARG_TILE_PIXELS,
  ARG_GROUP_RAYS,
  ARG_SCRATCH,
};

static clrt_status check(clrt_session *s, cl_int rc, const char *call, clrt_error *err) {
  return clrt_cl_check(rc, call, s->device->name, err);
}

static clrt_status create_buffer(clrt_session *s, cl_mem_flags flags, size_t size, const void *data, cl_mem *out,
                                 const char *what, clrt_error *err) {
  cl_int rc;
  *out = clCreateBuffer(s->context, flags | (data ? CL_MEM_COPY_HOST_PTR : 0), size, (void *)data, &rc);
  if (rc == CL_SUCCESS)
    return CLRT_OK;
  return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: clCreateBuffer for %s (%.1f MiB) failed with %s", s->device->name, what,
                   (double)size / BYTES_PER_MIB, clrt_cl_error_name(rc));
}

static clrt_status create_queue(clrt_session *s, clrt_error *err) {
  cl_int rc;
  cl_context_properties properties[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)s->device->platform, 0};
  s->context = clCreateContext(properties, 1, &s->device->id, NULL, NULL, &rc);
  clrt_status status = check(s, rc, "clCreateContext", err);
  if (status != CLRT_OK)
    return status;
  s->queue = clCreateCommandQueue(s->context, s->device->id, CL_QUEUE_PROFILING_ENABLE, &rc);
  return check(s, rc, "clCreateCommandQueue", err);
}

/* A power of two: twice the preferred multiple, within the bounds above
 * and the kernel's limit. */
static size_t work_group_total(size_t preferred_multiple, size_t kernel_limit) {
  size_t wanted = 2 * preferred_multiple;
  wanted = wanted < CLRT_WORK_GROUP_MINIMUM ? CLRT_WORK_GROUP_MINIMUM : wanted;
  wanted = wanted > CLRT_WORK_GROUP_MAXIMUM ? CLRT_WORK_GROUP_MAXIMUM : wanted;
  size_t total = 1;
  while (total * 2 <= kernel_limit && total * 2 <= wanted)
    total *= 2;
  return total;
}

static size_t scene_bytes(const clrt_scene *scene) {
  return scene->sphere_count * sizeof(clrt_sphere) + scene->material_count * sizeof(clrt_material) +
         scene->light_count * sizeof(clrt_light);
}

static clrt_status build_kernel(clrt_session *s, const clrt_scene *scene, bool fast_math, FILE *log, clrt_error *err) {
  clrt_build_config config = {scene_bytes(scene), fast_math};
  clrt_status status = clrt_program_build(s->context, s->device, &config, log, &s->program, &s->build, err);
  if (status != CLRT_OK)
    return status;
  s->build_ms = s->build.build_ms;
  cl_int rc;
  s->kernel = clCreateKernel(s->program, CLRT_TRACE_KERNEL_NAME, &rc);
  if ((status = check(s, rc, "clCreateKernel", err)))
    return status;
  size_t kernel_limit = 1, multiple = 1;
  rc = clGetKernelWorkGroupInfo(s->kernel, s->device->id, CL_KERNEL_WORK_GROUP_SIZE, sizeof kernel_limit, &kernel_limit,
                                NULL);
  if (rc == CL_SUCCESS)
    rc = clGetKernelWorkGroupInfo(s->kernel, s->device->id, CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE,
                                  sizeof multiple, &multiple, NULL);
  if ((status = check(s, rc, "clGetKernelWorkGroupInfo", err)))
    return status;
  size_t total = work_group_total(multiple, kernel_limit);
  s->local_size[0] = total < CLRT_WORK_GROUP_WIDTH ? total : CLRT_WORK_GROUP_WIDTH;
  s->local_size[1] = total / s->local_size[0];
  return check(s, clSetKernelArg(s->kernel, ARG_SCRATCH, total * sizeof(cl_uint), NULL), "clSetKernelArg", err);
}

/* Refuses tiles whose output the device cannot allocate in one piece,
 * with the fix in the message rather than a bare CL error. */
static clrt_status check_tile_fits(const clrt_session *s, size_t tile_bytes, clrt_error *err) {
  cl_ulong max_alloc = 0;
  clGetDeviceInfo(s->device->id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof max_alloc, &max_alloc, NULL);
  if (max_alloc == 0 || tile_bytes <= max_alloc)
    return CLRT_OK;
  return clrt_fail(err, CLRT_ERR_INPUT,
                   "%s: a tile needs %.1f MiB but the device allocates at most %.1f MiB at once; use a smaller "
                   "--tile-size or more --tiles",
                   s->device->name, (double)tile_bytes / BYTES_PER_MIB, (double)max_alloc / BYTES_PER_MIB);
}

static clrt_status upload_scene(clrt_session *s, const clrt_scene *scene, const clrt_render_params *params,
                                clrt_error *err) {
  /* Empty arrays still get one element: OpenCL has no zero-sized buffers. */
  size_t spheres = scene->sphere_count ? scene->sphere_count : 1;
  size_t materials = scene->material_count ? scene->material_count : 1;
  size_t lights = scene->light_count ? scene->light_count : 1;
  const cl_mem_flags in = CL_MEM_READ_ONLY;
  double start = clrt_now_ms();
  clrt_status status;
  if ((status = create_buffer(s, in, sizeof *params, params, &s->params, "render parameters", err)) ||
      (status = create_buffer(s, in, spheres * sizeof(clrt_sphere), scene->spheres, &s->spheres, "spheres", err)) ||
      (status = create_buffer(s, in, materials * sizeof(clrt_material), scene->materials, &s->materials, "materials",
                              err)) ||
      (status = create_buffer(s, in, lights * sizeof(clrt_light), scene->lights, &s->lights, "lights", err)))
    return status;
  cl_mem args[] = {s->params, s->spheres, s->materials, s->lights};
  for (cl_uint i = 0; i < sizeof args / sizeof args[0]; ++i)
    if ((status = check(s, clSetKernelArg(s->kernel, ARG_PARAMS + i, sizeof(cl_mem), &args[i]), "clSetKernelArg", err)))
      return status;
  status = check(s, clFinish(s->queue), "clFinish", err);
  s->upload_ms = clrt_now_ms() - start;
  return status;
}

static clrt_status create_slot(clrt_session *s, clrt_slot *slot, clrt_error *err) {
  size_t pixels = s->max_tile_pixels;
  slot->owner = s;
  slot->state = CLRT_SLOT_FREE;
  /* Every work-group holds at least one pixel of its tile. */
  slot->staging = malloc(pixels * sizeof *slot->staging);
  slot->staging_rays = malloc(pixels * sizeof *slot->staging_rays);
  if (!slot->staging || !slot->staging_rays)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu-pixel tiles", pixels);
  clrt_status status =
      create_buffer(s, CL_MEM_WRITE_ONLY, pixels * sizeof(clrt_float4), NULL, &slot->pixels, "tile output", err);
  if (status != CLRT_OK)
    return status;
  return create_buffer(s, CL_MEM_WRITE_ONLY, pixels * sizeof(cl_uint), NULL, &slot->group_rays, "ray counts", err);
}

static clrt_status open_session(clrt_session *s, const clrt_device *device, const clrt_scene *scene,
                                const clrt_render_params *params, size_t max_tile_pixels, bool fast_math, FILE *log,
                                clrt_error *err) {
  s->device = device;
  s->max_tile_pixels = max_tile_pixels;
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->changed, NULL);
  clrt_status status;
  if ((status = check_tile_fits(s, max_tile_pixels * sizeof(clrt_float4), err)) || (status = create_queue(s, err)) ||
      (status = build_kernel(s, scene, fast_math, log, err)) || (status = upload_scene(s, scene, params, err)))
    return status;
  for (int i = 0; i < CLRT_SESSION_SLOTS; ++i)
    if ((status = create_slot(s, &s->slots[i], err)))
      return status;
  return CLRT_OK;
}

static void CL_CALLBACK on_tile_read(cl_event event, cl_int execution_status, void *user_data) {
  (void)event;
  clrt_slot *slot = user_data;
  clrt_session *s = slot->owner;
  pthread_mutex_lock(&s->lock);
  slot->state = execution_status == CL_COMPLETE ? CLRT_SLOT_DONE : CLRT_SLOT_FAILED;
  slot->error = execution_status;
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->lock);
}

static size_t round_up(size_t value, size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

static clrt_status set_tile_args(clrt_session *s, clrt_slot *slot, const clrt_tile *tile, clrt_error *err) {
  cl_uint width = tile->width, height = tile->height;
  clrt_status status;
  if ((status = check(s, clSetKernelArg(s->kernel, ARG_TILE_WIDTH, sizeof width, &width), "clSetKernelArg", err)) ||
      (status = check(s, clSetKernelArg(s->kernel, ARG_TILE_HEIGHT, sizeof height, &height), "clSetKernelArg", err)) ||
      (status = check(s, clSetKernelArg(s->kernel, ARG_TILE_PIXELS, sizeof slot->pixels, &slot->pixels),
                      "clSetKernelArg", err)))
    return status;
  return check(s, clSetKernelArg(s->kernel, ARG_GROUP_RAYS, sizeof slot->group_rays, &slot->group_rays),
               "clSetKernelArg", err);
}

static clrt_status enqueue_commands(clrt_session *s, clrt_slot *slot, const clrt_tile *tile, clrt_error *err) {
  size_t offset[2] = {tile->x, tile->y};
  size_t global[2] = {round_up(tile->width, s->local_size[0]), round_up(tile->height, s->local_size[1])};
  slot->group_count = (global[0] / s->local_size[0]) * (global[1] / s->local_size[1]);
  clrt_status status = set_tile_args(s, slot, tile, err);
  if (status != CLRT_OK)
    return status;
  cl_int rc =
      clEnqueueNDRangeKernel(s->queue, s->kernel, 2, offset, global, s->local_size, 0, NULL, &slot->kernel_done);
  if ((status = check(s, rc, "clEnqueueNDRangeKernel", err)))
    return status;
  rc = clEnqueueReadBuffer(s->queue, slot->group_rays, CL_FALSE, 0, slot->group_count * sizeof(cl_uint),
                           slot->staging_rays, 0, NULL, NULL);
  if ((status = check(s, rc, "clEnqueueReadBuffer", err)))
    return status;
  /* The queue is in order: when this last read is done, so is the tile. */
  rc =
      clEnqueueReadBuffer(s->queue, slot->pixels, CL_FALSE, 0, (size_t)tile->width * tile->height * sizeof(clrt_float4),
                          slot->staging, 0, NULL, &slot->read_done);
  if ((status = check(s, rc, "clEnqueueReadBuffer", err)))
    return status;
  if ((status =
           check(s, clSetEventCallback(slot->read_done, CL_COMPLETE, on_tile_read, slot), "clSetEventCallback", err)))
    return status;
  return check(s, clFlush(s->queue), "clFlush", err);
}

static void release_events(clrt_slot *slot) {
  if (slot->kernel_done)
    clReleaseEvent(slot->kernel_done);
  if (slot->read_done)
    clReleaseEvent(slot->read_done);
  slot->kernel_done = slot->read_done = NULL;
}

clrt_status clrt_session_enqueue(clrt_session *s, int index, const clrt_tile *tile, clrt_error *err) {
  clrt_slot *slot = &s->slots[index];
  slot->tile = *tile;
  slot->started_ms = clrt_now_ms();
  clrt_fault fault = clrt_faults_for(s->device, ++s->tiles_started);
  slot->corrupt = fault == CLRT_FAULT_WRONG;
  if (fault == CLRT_FAULT_FAIL)
    return clrt_fail(err, CLRT_ERR_RUNTIME,
                     "%s: clEnqueueNDRangeKernel failed with CL_OUT_OF_RESOURCES (injected "
                     "by %s)",
                     s->device->name, CLRT_FAULT_ENVIRONMENT);
  pthread_mutex_lock(&s->lock);
  slot->state = CLRT_SLOT_RUNNING;
  pthread_mutex_unlock(&s->lock);
  if (fault == CLRT_FAULT_HANG)
    return CLRT_OK; /* nothing enqueued: the slot never completes */
  clrt_status status = enqueue_commands(s, slot, tile, err);
  if (status != CLRT_OK) {
    clFinish(s->queue); /* the reads target the slot's memory: let them end */
    release_events(slot);
    pthread_mutex_lock(&s->lock);
    slot->state = CLRT_SLOT_FREE;
    pthread_mutex_unlock(&s->lock);
  }
  return status;
}

static struct timespec absolute_time(double deadline_ms) {
  /* pthread_cond_timedwait uses CLOCK_REALTIME: convert the deadline. */
  double remaining_ms = deadline_ms - clrt_now_ms();
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  double target = (double)now.tv_sec + (double)now.tv_nsec / 1e9 + (remaining_ms > 0 ? remaining_ms / 1e3 : 0);
  struct timespec when = {(time_t)target, (long)((target - (double)(time_t)target) * 1e9)};
  return when;
}

clrt_slot_state clrt_session_wait(clrt_session *s, int index, double deadline_ms) {
  clrt_slot *slot = &s->slots[index];
  struct timespec when = absolute_time(deadline_ms);
  pthread_mutex_lock(&s->lock);
  int rc = 0;
  while (slot->state == CLRT_SLOT_RUNNING && rc != ETIMEDOUT)
    rc = pthread_cond_timedwait(&s->changed, &s->lock, &when);
  clrt_slot_state state = slot->state;
  pthread_mutex_unlock(&s->lock);
  return state;
}

static double event_duration_ms(cl_event event) {
  cl_ulong start = 0, end = 0;
  if (clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_START, sizeof start, &start, NULL) != CL_SUCCESS ||
      clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL) != CL_SUCCESS)
    return 0.0;
  return (double)(end - start) / NANOSECONDS_PER_MS;
}

void clrt_session_collect(clrt_session *s, int index, clrt_float4 *framebuffer, unsigned image_width,
                          clrt_tile_result *result) {
  clrt_slot *slot = &s->slots[index];
  const clrt_tile *tile = &slot->tile;
  if (slot->corrupt)
    memset(slot->staging, 0, (size_t)tile->width * tile->height * sizeof *slot->staging);
  for (unsigned row = 0; row < tile->height; ++row)
    memcpy(framebuffer + (size_t)(tile->y + row) * image_width + tile->x, slot->staging + (size_t)row * tile->width,
           tile->width * sizeof *framebuffer);
  result->rays = 0;
  for (size_t i = 0; i < slot->group_count; ++i)
    result->rays += slot->staging_rays[i];
  result->kernel_ms = event_duration_ms(slot->kernel_done);
  release_events(slot);
  pthread_mutex_lock(&s->lock);
  slot->state = CLRT_SLOT_FREE;
  pthread_mutex_unlock(&s->lock);
}

void clrt_session_release_slot(clrt_session *s, int index, clrt_error *err) {
  clrt_slot *slot = &s->slots[index];
  cl_int kernel_status = CL_COMPLETE;
  if (slot->kernel_done)
    clGetEventInfo(slot->kernel_done, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof kernel_status, &kernel_status, NULL);
  cl_int failure = kernel_status < 0 ? kernel_status : slot->error;
  clrt_fail(err, CLRT_ERR_RUNTIME, "%s failed on tile (%u,%u %ux%u): %s during the %s", s->device->name, slot->tile.x,
            slot->tile.y, slot->tile.width, slot->tile.height, clrt_cl_error_name(failure),
            kernel_status < 0 ? "kernel" : "read-back");
  release_events(slot);
  pthread_mutex_lock(&s->lock);
  slot->state = CLRT_SLOT_FREE;
  pthread_mutex_unlock(&s->lock);
}

clrt_session *clrt_session_create(const clrt_device *device, const clrt_scene *scene, const clrt_render_params *params,
                                  size_t max_tile_pixels, bool fast_math, FILE *log, clrt_error *err) {
  clrt_session *s = calloc(1, sizeof *s);
  if (!s) {
    clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for a device session");
    return NULL;
  }
  if (open_session(s, device, scene, params, max_tile_pixels, fast_math, log, err) != CLRT_OK) {
    clrt_session_destroy(s);
    return NULL;
  }
  return s;
}

/* Abandoned sessions, kept reachable until the process ends: their
 * commands may still complete and call back into them. */
enum { CLRT_MAX_ABANDONED_SESSIONS = 64 };
static clrt_session *abandoned_sessions[CLRT_MAX_ABANDONED_SESSIONS];
static size_t abandoned_count;
static pthread_mutex_t abandoned_lock = PTHREAD_MUTEX_INITIALIZER;

static void keep_abandoned(clrt_session *s) {
  pthread_mutex_lock(&abandoned_lock);
  if (abandoned_count < CLRT_MAX_ABANDONED_SESSIONS)
    abandoned_sessions[abandoned_count++] = s;
  pthread_mutex_unlock(&abandoned_lock);
}

void clrt_session_abandon(clrt_session *s) { s->abandoned = true; }

static void release_slot_memory(clrt_slot *slot) {
  if (slot->pixels)
    clReleaseMemObject(slot->pixels);
  if (slot->group_rays)
    clReleaseMemObject(slot->group_rays);
  free(slot->staging);
  free(slot->staging_rays);
}

static void close_session(clrt_session *s) {
  if (s->queue)
    clFinish(s->queue);
  for (int i = 0; i < CLRT_SESSION_SLOTS; ++i) {
    release_events(&s->slots[i]);
    release_slot_memory(&s->slots[i]);
  }
  cl_mem buffers[] = {s->params, s->spheres, s->materials, s->lights};
  for (size_t i = 0; i < sizeof buffers / sizeof buffers[0]; ++i)
    if (buffers[i])
      clReleaseMemObject(buffers[i]);
  if (s->kernel)
    clReleaseKernel(s->kernel);
  if (s->program)
    clReleaseProgram(s->program);
  if (s->queue)
    clReleaseCommandQueue(s->queue);
  if (s->context)
    clReleaseContext(s->context);
  pthread_cond_destroy(&s->changed);
  pthread_mutex_destroy(&s->lock);
}

void clrt_session_destroy(clrt_session *s) {
  if (!s)
    return;
  if (s->abandoned) {
    keep_abandoned(s); /* its commands may never end: keep everything they could touch */
    return;
  }
  close_session(s);
  free(s);
}
