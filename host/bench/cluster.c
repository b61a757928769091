/* clrt bench under mpirun (clrt_cluster.h): the root reads the scenes and
 * runs the host baselines, and sends each flat scene and its reference
 * picture to the others; the records every process makes of its own
 * devices go to the root, and so do the tilings each one picked. In a
 * cluster of one (a plain clrt bench) each of these does nothing. */
#include "bench_cluster.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_array.h"
#include "clrt_cluster.h"

static bool in_cluster(void) { return clrt_cluster_size() > 1; }

static bool at_root(void) { return clrt_cluster_rank() == 0; }

static clrt_status share_scene(bench_scene *s, clrt_error *err) {
  clrt_cluster_share(s->name, sizeof s->name);
  clrt_cluster_share(s->hash, sizeof s->hash);
  clrt_image_settings unused = {0}; /* the flat scene's parameters hold what the bench needs */
  return clrt_cluster_share_scene(&s->flat, &unused, err);
}

clrt_status bench_share_scenes(bench_scene **scenes, size_t *count, clrt_error *err) {
  if (!in_cluster())
    return CLRT_OK;
  uint64_t shared = *count;
  clrt_cluster_share(&shared, sizeof shared);
  clrt_status status = CLRT_OK;
  if (!at_root()) {
    *count = (size_t)shared;
    *scenes = calloc(*count ? *count : 1, sizeof **scenes);
    if (!*scenes)
      status = clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu scenes", *count);
  }
  status = clrt_cluster_agree(status, err);
  for (size_t i = 0; status == CLRT_OK && i < *count; ++i)
    status = share_scene(&(*scenes)[i], err);
  return status;
}

clrt_status bench_share_reference(bench_scene *s, clrt_error *err) {
  if (!in_cluster())
    return CLRT_OK;
  size_t bytes = bench_pixel_count(s) * 3;
  clrt_status status = CLRT_OK;
  if (!at_root() && !(s->reference_rgb = malloc(bytes)))
    status = clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %s's reference picture", s->name);
  status = clrt_cluster_agree(status, err);
  if (status != CLRT_OK)
    return status;
  clrt_cluster_share(s->reference_rgb, bytes);
  clrt_cluster_share(&s->host_mrays, sizeof s->host_mrays);
  clrt_cluster_share(&s->cores_mrays, sizeof s->cores_mrays);
  return CLRT_OK;
}

/* Every process's items from `first` on, to the root, where they replace
 * its own from `first` on (its own come first, in rank order). */
static clrt_status gather_items(void **items, size_t *count, size_t *capacity, size_t item_size, size_t first,
                                clrt_error *err) {
  void *all;
  size_t bytes;
  clrt_status status =
      clrt_cluster_gather((char *)*items + first * item_size, (*count - first) * item_size, &all, &bytes, err);
  if (status != CLRT_OK || !at_root())
    return clrt_cluster_agree(status, err);
  size_t gathered = bytes / item_size;
  void *grown = gathered ? clrt_array_reserve(*items, capacity, first + gathered, item_size) : NULL;
  if (!gathered) {
    *count = first;
  } else if (grown) {
    *items = grown;
    memcpy((char *)grown + first * item_size, all, bytes);
    *count = first + gathered;
  } else {
    status = clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory for %zu bench records", first + gathered);
  }
  free(all);
  return clrt_cluster_agree(status, err);
}

clrt_status bench_gather_records(clrt_bench_results *r, size_t first, clrt_error *err) {
  if (!in_cluster())
    return CLRT_OK;
  void *records = r->records;
  clrt_status status = gather_items(&records, &r->record_count, &r->record_capacity, sizeof *r->records, first, err);
  r->records = records;
  return status;
}

clrt_status bench_gather_picks(clrt_bench_results *r, clrt_error *err) {
  if (!in_cluster())
    return CLRT_OK;
  void *picks = r->picks;
  clrt_status status = gather_items(&picks, &r->pick_count, &r->pick_capacity, sizeof *r->picks, 0, err);
  r->picks = picks;
  return status;
}
