/* One device renders a scene: context, program, scene buffers, then one
 * kernel enqueue per tile, each followed by a non-blocking read of the
 * tile straight into its place in the framebuffer. The queue is in order,
 * so the host waits once, at the end, and never between tiles. */
#include "clrt_render.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_clock.h"
#include "clrt_opencl.h"
#include "clrt_program.h"

static const double NANOSECONDS_PER_MS = 1e6;
static const double BYTES_PER_MIB = 1024.0 * 1024.0;

typedef struct device_session {
  const clrt_device *device;
  cl_context context;
  cl_command_queue queue;
  cl_program program;
  cl_kernel kernel;
  cl_mem params;
  cl_mem spheres;
  cl_mem materials;
  cl_mem lights;
  cl_mem tile_pixels; /* one tile's output, reused by every tile */
} device_session;

typedef struct tile_events {
  cl_event kernel;
  cl_event read;
} tile_events;

static clrt_status session_open(device_session *s, FILE *log, clrt_render_stats *stats, clrt_error *err) {
  const char *name = s->device->name;
  cl_int rc;
  cl_context_properties properties[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)s->device->platform, 0};
  s->context = clCreateContext(properties, 1, &s->device->id, NULL, NULL, &rc);
  clrt_status status = clrt_cl_check(rc, "clCreateContext", name, err);
  if (status != CLRT_OK)
    return status;
  s->queue = clCreateCommandQueue(s->context, s->device->id, CL_QUEUE_PROFILING_ENABLE, &rc);
  if ((status = clrt_cl_check(rc, "clCreateCommandQueue", name, err)) != CLRT_OK)
    return status;
  double start = clrt_now_ms();
  if ((status = clrt_program_build(s->context, s->device, log, &s->program, err)) != CLRT_OK)
    return status;
  stats->build_ms = clrt_now_ms() - start;
  s->kernel = clCreateKernel(s->program, CLRT_TRACE_KERNEL_NAME, &rc);
  return clrt_cl_check(rc, "clCreateKernel", name, err);
}

static clrt_status create_buffer(device_session *s, cl_mem_flags flags, size_t size, const void *data, cl_mem *out,
                                 const char *what, clrt_error *err) {
  cl_int rc;
  *out = clCreateBuffer(s->context, flags | (data ? CL_MEM_COPY_HOST_PTR : 0), size, (void *)data, &rc);
  if (rc == CL_SUCCESS)
    return CLRT_OK;
  return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: clCreateBuffer for %s (%.1f MiB) failed with %s", s->device->name,
                   what, (double)size / BYTES_PER_MIB, clrt_cl_error_name(rc));
}

/* Refuses a tile whose output buffer the device cannot allocate in one
 * piece, with the fix in the message rather than a bare CL error. */
static clrt_status check_tile_fits(const device_session *s, size_t tile_bytes, clrt_error *err) {
  cl_ulong max_alloc = 0;
  clGetDeviceInfo(s->device->id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof max_alloc, &max_alloc, NULL);
  if (max_alloc == 0 || tile_bytes <= max_alloc)
    return CLRT_OK;
  return clrt_fail(err, CLRT_ERR_INPUT,
                   "%s: a tile needs %.1f MiB but the device allocates at most %.1f MiB at once; use a smaller "
                   "--tile-size or more --tiles",
                   s->device->name, (double)tile_bytes / BYTES_PER_MIB, (double)max_alloc / BYTES_PER_MIB);
}

static clrt_status session_upload(device_session *s, const clrt_scene *scene, const clrt_render_params *params,
                                  const clrt_tile_plan *plan, clrt_render_stats *stats, clrt_error *err) {
  /* Empty arrays still get one element: OpenCL has no zero-sized buffers. */
  size_t spheres = scene->sphere_count ? scene->sphere_count : 1;
  size_t materials = scene->material_count ? scene->material_count : 1;
  size_t lights = scene->light_count ? scene->light_count : 1;
  size_t tile_bytes = (size_t)plan->max_width * plan->max_height * sizeof(clrt_float4);
  const cl_mem_flags in = CL_MEM_READ_ONLY;
  double start = clrt_now_ms();
  clrt_status status;
  if ((status = check_tile_fits(s, tile_bytes, err)) ||
      (status = create_buffer(s, in, sizeof *params, params, &s->params, "render parameters", err)) ||
      (status = create_buffer(s, in, spheres * sizeof(clrt_sphere), scene->spheres, &s->spheres, "spheres", err)) ||
      (status = create_buffer(s, in, materials * sizeof(clrt_material), scene->materials, &s->materials,
                              "materials", err)) ||
      (status = create_buffer(s, in, lights * sizeof(clrt_light), scene->lights, &s->lights, "lights", err)) ||
      (status = create_buffer(s, CL_MEM_WRITE_ONLY, tile_bytes, NULL, &s->tile_pixels, "tile output", err)))
    return status;
  cl_mem args[] = {s->params, s->spheres, s->materials, s->lights, s->tile_pixels};
  for (cl_uint i = 0; i < sizeof args / sizeof args[0]; ++i)
    if ((status = clrt_cl_check(clSetKernelArg(s->kernel, i, sizeof(cl_mem), &args[i]), "clSetKernelArg",
                                s->device->name, err)))
      return status;
  status = clrt_cl_check(clFinish(s->queue), "clFinish", s->device->name, err);
  stats->upload_ms = clrt_now_ms() - start;
  return status;
}

static clrt_status enqueue_tile(device_session *s, const clrt_tile *tile, unsigned image_width,
                                clrt_float4 *framebuffer, tile_events *events, clrt_error *err) {
  size_t offset[2] = {tile->x, tile->y};
  size_t size[2] = {tile->width, tile->height};
  cl_int rc = clEnqueueNDRangeKernel(s->queue, s->kernel, 2, offset, size, NULL, 0, NULL, &events->kernel);
  clrt_status status = clrt_cl_check(rc, "clEnqueueNDRangeKernel", s->device->name, err);
  if (status != CLRT_OK)
    return status;
  size_t pixel = sizeof(clrt_float4);
  size_t buffer_origin[3] = {0, 0, 0};
  size_t host_origin[3] = {tile->x * pixel, tile->y, 0};
  size_t region[3] = {tile->width * pixel, tile->height, 1};
  rc = clEnqueueReadBufferRect(s->queue, s->tile_pixels, CL_FALSE, buffer_origin, host_origin, region,
                               tile->width * pixel, 0, image_width * pixel, 0, framebuffer, 0, NULL, &events->read);
  return clrt_cl_check(rc, "clEnqueueReadBufferRect", s->device->name, err);
}

static clrt_status event_succeeded(const device_session *s, cl_event event, const clrt_tile *tile, const char *what,
                                   clrt_error *err) {
  cl_int execution = CL_COMPLETE;
  cl_int rc = clGetEventInfo(event, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof execution, &execution, NULL);
  if (rc == CL_SUCCESS && execution == CL_COMPLETE)
    return CLRT_OK;
  return clrt_fail(err, CLRT_ERR_RUNTIME, "%s failed during the %s of tile (%u,%u %ux%u): %s", s->device->name,
                   what, tile->x, tile->y, tile->width, tile->height,
                   clrt_cl_error_name(rc != CL_SUCCESS ? rc : execution));
}

static double event_duration_ms(cl_event event) {
  cl_ulong start = 0, end = 0;
  if (clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_START, sizeof start, &start, NULL) != CL_SUCCESS ||
      clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL) != CL_SUCCESS)
    return 0.0;
  return (double)(end - start) / NANOSECONDS_PER_MS;
}

/* Waits for every tile, then checks each one and sums the kernel times. */
static clrt_status finish_tiles(device_session *s, const clrt_tile_plan *plan, const tile_events *events,
                                size_t enqueued, clrt_render_stats *stats, clrt_error *err) {
  clrt_status status = clrt_cl_check(clFinish(s->queue), "clFinish", s->device->name, err);
  stats->kernel_ms = 0.0;
  for (size_t i = 0; i < enqueued && status == CLRT_OK; ++i) {
    if ((status = event_succeeded(s, events[i].kernel, &plan->tiles[i], "kernel", err)) ||
        (status = event_succeeded(s, events[i].read, &plan->tiles[i], "read-back", err)))
      break;
    stats->kernel_ms += event_duration_ms(events[i].kernel);
  }
  return status;
}

static clrt_status render_tiles(device_session *s, const clrt_tile_plan *plan, unsigned image_width,
                                clrt_float4 *framebuffer, clrt_render_stats *stats, clrt_error *err) {
  tile_events *events = calloc(plan->count, sizeof *events);
  if (!events)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu tile events", plan->count);
  double start = clrt_now_ms();
  clrt_status status = CLRT_OK;
  size_t enqueued = 0;
  while (enqueued < plan->count && status == CLRT_OK) {
    status = enqueue_tile(s, &plan->tiles[enqueued], image_width, framebuffer, &events[enqueued], err);
    ++enqueued;
  }
  /* Even after a failed enqueue, wait for what was queued: the reads
   * write into the caller's framebuffer. */
  clrt_error finish_err;
  clrt_status finish_status = finish_tiles(s, plan, events, enqueued, stats, &finish_err);
  if (status == CLRT_OK && finish_status != CLRT_OK) {
    status = finish_status;
    *err = finish_err;
  }
  stats->render_ms = clrt_now_ms() - start;
  for (size_t i = 0; i < enqueued; ++i) {
    if (events[i].kernel)
      clReleaseEvent(events[i].kernel);
    if (events[i].read)
      clReleaseEvent(events[i].read);
  }
  free(events);
  return status;
}

static void session_close(device_session *s) {
  cl_mem buffers[] = {s->params, s->spheres, s->materials, s->lights, s->tile_pixels};
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
}

clrt_status clrt_render_on_device(const clrt_device *device, const clrt_scene *scene,
                                  const clrt_render_params *params, const clrt_tile_plan *plan,
                                  clrt_float4 *framebuffer, FILE *log, clrt_render_stats *stats, clrt_error *err) {
  device_session session;
  memset(&session, 0, sizeof session);
  memset(stats, 0, sizeof *stats);
  session.device = device;
  clrt_status status;
  if ((status = session_open(&session, log, stats, err)) == CLRT_OK &&
      (status = session_upload(&session, scene, params, plan, stats, err)) == CLRT_OK)
    status = render_tiles(&session, plan, params->width, framebuffer, stats, err);
  session_close(&session);
  return status;
}
