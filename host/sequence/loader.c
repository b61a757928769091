/* The sequence's loader thread (clrt_sequence_loader.h): one frame made
 * ready ahead, handed over through a slot. */
#include "clrt_sequence_loader.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_clock.h"

struct clrt_sequence_loader {
  const char *scene_path;
  clrt_sequence sequence; /* the whole sequence (camera paths run over it) */
  clrt_sequence run;      /* the frames this loader makes */
  bool made_one;
  const clrt_sequence_facts *facts;
  clrt_scene_adjust adjust;
  const void *adjust_context;
  bool refit;
  /* The frame made last (handed out or waiting in the slot: alive until
   * the next one is made), whose BVH the next refits, and the cost of the
   * last tree built. */
  const clrt_flat_scene *previous;
  double built_cost;
  /* A scene whose spheres stay: its host form (for the camera) and its
   * flat arrays, made once. */
  bool static_spheres;
  clrt_scene still;
  clrt_flat_scene base;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t changed;
  bool ready;              /* `slot` holds the next frame (or its failure) */
  bool stopping;           /* the consumer has gone */
  clrt_loaded_frame slot;  /* made by the thread */
  clrt_status slot_status; /* and whether it was */
  clrt_error slot_error;
  clrt_loaded_frame current; /* handed out */
  bool has_current;
};

static void free_frame(const clrt_sequence_loader *l, clrt_loaded_frame *frame) {
  if (frame->arrays_changed && !l->static_spheres)
    clrt_flat_scene_free(&frame->scene);
  memset(frame, 0, sizeof *frame);
}

/* The camera of frame `number` flattened into the frame's parameters. */
static void place_camera(const clrt_sequence_loader *l, const clrt_scene *scene, long number,
                         clrt_trace_params *params) {
  clrt_camera_settings camera;
  clrt_camera_path_at(&scene->camera_path, &scene->camera, number, &l->sequence, &camera);
  params->camera = clrt_flatten_camera(&camera, (double)scene->image.width / (double)scene->image.height);
}

/* A refitted tree may cost a ray this much more than the tree last built
 * before a new one is built instead: the winding disc of `clrt trajectory`
 * (docs/particles.md) reaches it after about 30 frames. */
#define CLRT_REFIT_MOST_COST_GROWTH 1.5

/* The scene flattened: with the frame before's BVH refitted when asked
 * and it can serve, unless refitting has made it too costly. */
static clrt_status flatten_frame(clrt_sequence_loader *l, const clrt_scene *scene, clrt_flat_scene *flat,
                                 clrt_error *err) {
  clrt_status status =
      l->refit && l->previous ? clrt_flatten_refit(scene, l->previous, flat, err) : clrt_flatten(scene, flat, err);
  if (status == CLRT_OK && flat->stats.refitted && flat->stats.bvh_cost > CLRT_REFIT_MOST_COST_GROWTH * l->built_cost) {
    double refit_ms = flat->stats.bvh_build_ms;
    clrt_flat_scene_free(flat);
    status = clrt_flatten(scene, flat, err);
    flat->stats.bvh_build_ms += refit_ms;
  }
  if (status == CLRT_OK && !flat->stats.refitted)
    l->built_cost = flat->stats.bvh_cost;
  return status;
}

/* A frame of its own: its files read, its scene flattened. */
static clrt_status make_frame(clrt_sequence_loader *l, long number, clrt_loaded_frame *out, clrt_error *err) {
  clrt_scene_frame frame = {number, l->sequence, l->facts};
  clrt_scene scene;
  double start = clrt_now_ms();
  clrt_status status = clrt_scene_load_frame(l->scene_path, &frame, &scene, err);
  if (status != CLRT_OK)
    return status;
  l->adjust(l->adjust_context, &scene);
  out->number = number;
  out->image = scene.image;
  out->load_ms = clrt_now_ms() - start;
  start = clrt_now_ms();
  status = flatten_frame(l, &scene, &out->scene, err);
  out->flatten_ms = clrt_now_ms() - start;
  out->arrays_changed = true;
  if (status == CLRT_OK)
    place_camera(l, &scene, number, &out->scene.params);
  bool first = !l->made_one;
  l->made_one = true;
  if (status == CLRT_OK && first && !scene.has_frame_files) {
    /* The spheres never change: keep this scene for every frame. */
    l->static_spheres = true;
    l->base = out->scene;
    l->still = scene;
    return CLRT_OK;
  }
  clrt_scene_free(&scene);
  return status;
}

/* A frame of a scene whose spheres stay: the same arrays, its camera. */
static void reuse_frame(const clrt_sequence_loader *l, long number, clrt_loaded_frame *out) {
  memset(out, 0, sizeof *out);
  out->number = number;
  out->image = l->still.image;
  out->scene = l->base;
  out->arrays_changed = false;
  double start = clrt_now_ms();
  place_camera(l, &l->still, number, &out->scene.params);
  out->flatten_ms = clrt_now_ms() - start;
}

/* Waits until the slot is free (or the consumer gone). */
static bool wait_for_room(clrt_sequence_loader *l) {
  pthread_mutex_lock(&l->lock);
  while (l->ready && !l->stopping)
    pthread_cond_wait(&l->changed, &l->lock);
  bool go_on = !l->stopping;
  pthread_mutex_unlock(&l->lock);
  return go_on;
}

static void *loader_main(void *argument) {
  clrt_sequence_loader *l = argument;
  const clrt_sequence *s = &l->run;
  for (long number = s->first; number <= s->last && wait_for_room(l); number += s->step) {
    clrt_loaded_frame frame;
    clrt_error err;
    memset(&frame, 0, sizeof frame);
    clrt_status status = CLRT_OK;
    if (l->static_spheres)
      reuse_frame(l, number, &frame);
    else
      status = make_frame(l, number, &frame, &err);
    pthread_mutex_lock(&l->lock);
    l->slot = frame;
    l->previous = status == CLRT_OK && !l->static_spheres ? &l->slot.scene : NULL;
    l->slot_status = status;
    if (status != CLRT_OK)
      l->slot_error = err;
    l->ready = true;
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->lock);
    if (status != CLRT_OK)
      break;
  }
  return NULL;
}

clrt_status clrt_sequence_loader_start(const char *scene_path, const clrt_sequence *sequence,
                                       const clrt_sequence_facts *facts, clrt_scene_adjust adjust,
                                       const void *adjust_context, const clrt_sequence *run, bool refit,
                                       clrt_sequence_loader **loader, clrt_error *err) {
  clrt_sequence_loader *l = calloc(1, sizeof *l);
  *loader = NULL;
  if (!l)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for the sequence's loader");
  *l = (clrt_sequence_loader){.scene_path = scene_path,
                              .sequence = *sequence,
                              .run = run ? *run : *sequence,
                              .facts = facts,
                              .adjust = adjust,
                              .adjust_context = adjust_context,
                              .refit = refit};
  pthread_mutex_init(&l->lock, NULL);
  pthread_cond_init(&l->changed, NULL);
  if (pthread_create(&l->thread, NULL, loader_main, l) != 0) {
    pthread_cond_destroy(&l->changed);
    pthread_mutex_destroy(&l->lock);
    free(l);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "cannot start the sequence's loader thread");
  }
  *loader = l;
  return CLRT_OK;
}

/* The frame handed out before is freed only once the next is made: the
 * thread may refit its BVH while making it. */
clrt_status clrt_sequence_loader_next(clrt_sequence_loader *l, const clrt_loaded_frame **frame, clrt_error *err) {
  pthread_mutex_lock(&l->lock);
  while (!l->ready)
    pthread_cond_wait(&l->changed, &l->lock);
  if (l->has_current)
    free_frame(l, &l->current);
  l->has_current = false;
  clrt_status status = l->slot_status;
  if (status == CLRT_OK) {
    l->current = l->slot;
    l->has_current = true;
    l->previous = l->static_spheres ? NULL : &l->current.scene;
    *frame = &l->current;
  } else {
    *err = l->slot_error;
  }
  l->ready = status != CLRT_OK; /* a failure stays: the thread has ended */
  pthread_cond_broadcast(&l->changed);
  pthread_mutex_unlock(&l->lock);
  return status;
}

void clrt_sequence_loader_stop(clrt_sequence_loader *l) {
  if (!l)
    return;
  pthread_mutex_lock(&l->lock);
  l->stopping = true;
  pthread_cond_broadcast(&l->changed);
  pthread_mutex_unlock(&l->lock);
  pthread_join(l->thread, NULL);
  if (l->has_current)
    free_frame(l, &l->current);
  if (l->ready && l->slot_status == CLRT_OK)
    free_frame(l, &l->slot);
  if (l->static_spheres) {
    clrt_flat_scene_free(&l->base);
    clrt_scene_free(&l->still);
  }
  pthread_cond_destroy(&l->changed);
  pthread_mutex_destroy(&l->lock);
  free(l);
}
