/* The BVH builder: binned SAH, top down, subtrees as OpenMP tasks.
 *
 * Determinism: every decision (bins, split, partition) depends only on the
 * spheres of a node, and the nodes are written out by a depth-first walk
 * from the root, not in the order tasks happen to finish. */
#include "clrt_bvh.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_math.h"

/* Bins per axis of the SAH sweep. */
#define CLRT_BVH_BINS 16
/* The cost of visiting a 4-wide node against one sphere test, in the SAH:
 * chosen by measurement on POCL (bench/RESULTS.md). */
#define CLRT_BVH_NODE_COST 3.0f
/* The binary tree is built at most this deep (the root is level 1): its
 * nodes at the last level are leaves, so the 4-wide nodes made of two
 * binary levels each are at most CLRT_BVH_MAX_DEPTH deep. */
#define CLRT_BVH_BINARY_LEVELS (2 * CLRT_BVH_MAX_DEPTH)
/* Subtrees of at least this many spheres are built as their own task. */
#define CLRT_BVH_TASK_SPHERES 4096u
/* Boxes grow by this much relative to the sphere's coordinates, so that
 * the float rounding of box tests (a few ulps, 2^-23 each) can never make
 * a ray miss the box of a sphere it hits. */
#define CLRT_BVH_PADDING 0x1p-20f

typedef struct box {
  float lower[3], upper[3];
} box;

/* A sphere while building: its box is center +- extent. */
typedef struct prim {
  float center[3];
  float extent; /* radius plus padding */
  uint32_t index;
} prim;

typedef struct build_node {
  box bounds;
  uint32_t begin, count; /* its spheres in the prims array */
  int32_t child[2];      /* build nodes; -1 for a leaf */
} build_node;

typedef struct builder {
  prim *prims;
  build_node *nodes; /* room for 2n - 1, the most a binary tree of n leaves has */
  size_t node_count;
} builder;

typedef struct split {
  int axis;
  int bin; /* spheres in bins below it go left */
  float cost;
} split;

/* ---- boxes ---- */

/* Compares, not fminf and fmaxf: those are library calls (they handle NaN,
 * which no coordinate here can be), and made the build three times slower. */
static float min_of(float a, float b) { return a < b ? a : b; }
static float max_of(float a, float b) { return a > b ? a : b; }

static box box_empty(void) {
  box b = {{INFINITY, INFINITY, INFINITY}, {-INFINITY, -INFINITY, -INFINITY}};
  return b;
}

static void box_grow(box *b, const box *other) {
  for (int a = 0; a < 3; ++a) {
    b->lower[a] = min_of(b->lower[a], other->lower[a]);
    b->upper[a] = max_of(b->upper[a], other->upper[a]);
  }
}

/* Grows `bounds` by a sphere's box and `centers` by its centre. */
static void grow_by_prim(box *bounds, box *centers, const prim *p) {
  for (int a = 0; a < 3; ++a) {
    bounds->lower[a] = min_of(bounds->lower[a], p->center[a] - p->extent);
    bounds->upper[a] = max_of(bounds->upper[a], p->center[a] + p->extent);
    centers->lower[a] = min_of(centers->lower[a], p->center[a]);
    centers->upper[a] = max_of(centers->upper[a], p->center[a]);
  }
}

/* Half the surface area: what the SAH weighs a box by. */
static float half_area(const box *b) {
  float dx = b->upper[0] - b->lower[0], dy = b->upper[1] - b->lower[1], dz = b->upper[2] - b->lower[2];
  return dx < 0.0f ? 0.0f : dx * dy + dy * dz + dz * dx;
}

/* The boxes of a node's spheres and of their centres. */
typedef struct extent {
  box bounds, centers;
} extent;

static extent extent_empty(void) {
  extent e = {box_empty(), box_empty()};
  return e;
}

/* ---- splitting ---- */

typedef struct bin {
  box bounds;
  uint32_t count;
} bin;

/* How centres map to bins along each axis: bin = (centre - lowest) * scale,
 * the same arithmetic for binning and partitioning, so both sides of a
 * split agree. Scale 0 marks an axis along which all centres coincide. */
typedef struct bin_map {
  float lowest[3], scale[3];
} bin_map;

static bin_map bin_map_of(const box *centers) {
  bin_map b;
  for (int a = 0; a < 3; ++a) {
    float width = centers->upper[a] - centers->lower[a];
    b.lowest[a] = centers->lower[a];
    b.scale[a] = width > 0.0f ? (float)CLRT_BVH_BINS / width : 0.0f;
  }
  return b;
}

static int bin_of(const bin_map *b, int axis, float center) {
  int index = (int)((center - b->lowest[axis]) * b->scale[axis]);
  return index < 0 ? 0 : (index >= CLRT_BVH_BINS ? CLRT_BVH_BINS - 1 : index);
}

/* One pass over the spheres fills the bins of all three axes. */
static void fill_bins(const prim *prims, uint32_t count, const bin_map *map, bin bins[3][CLRT_BVH_BINS]) {
  for (int a = 0; a < 3; ++a)
    for (int i = 0; i < CLRT_BVH_BINS; ++i)
      bins[a][i] = (bin){box_empty(), 0};
  for (uint32_t i = 0; i < count; ++i) {
    const prim *p = &prims[i];
    box pb = {{p->center[0] - p->extent, p->center[1] - p->extent, p->center[2] - p->extent},
              {p->center[0] + p->extent, p->center[1] + p->extent, p->center[2] + p->extent}};
    for (int a = 0; a < 3; ++a) {
      bin *b = &bins[a][bin_of(map, a, p->center[a])];
      box_grow(&b->bounds, &pb);
      b->count += 1;
    }
  }
}

/* The SAH's best boundary between bins along one axis: bins below it go
 * left, the others right. */
static void sweep_bins(const bin bins[CLRT_BVH_BINS], int axis, float parent_area, split *best) {
  float right_cost[CLRT_BVH_BINS];
  uint32_t right_count[CLRT_BVH_BINS];
  box right = box_empty();
  uint32_t count = 0;
  for (int i = CLRT_BVH_BINS - 1; i > 0; --i) {
    box_grow(&right, &bins[i].bounds);
    count += bins[i].count;
    right_count[i] = count;
    right_cost[i] = half_area(&right) * (float)count;
  }
  box left = box_empty();
  count = 0;
  for (int i = 1; i < CLRT_BVH_BINS; ++i) {
    box_grow(&left, &bins[i - 1].bounds);
    count += bins[i - 1].count;
    if (count == 0 || right_count[i] == 0)
      continue;
    float cost = CLRT_BVH_NODE_COST + (half_area(&left) * (float)count + right_cost[i]) / parent_area;
    if (cost < best->cost)
      *best = (split){axis, i, cost};
  }
}

/* The cheapest split of a node by the SAH; false when a leaf is better
 * (and allowed) or no split separates its spheres. */
static bool find_split(const prim *prims, uint32_t count, const extent *e, const bin_map *map, split *best) {
  best->cost = INFINITY;
  float parent_area = half_area(&e->bounds);
  bin bins[3][CLRT_BVH_BINS];
  fill_bins(prims, count, map, bins);
  for (int axis = 0; axis < 3; ++axis)
    if (map->scale[axis] > 0.0f && parent_area > 0.0f)
      sweep_bins(bins[axis], axis, parent_area, best);
  if (best->cost == INFINITY)
    return false;
  return count > CLRT_BVH_MAX_LEAF || best->cost < (float)count;
}

/* Moves the spheres left of the split to the front, measuring both sides
 * on the way; returns the count on the left. */
static uint32_t partition(prim *prims, uint32_t count, const bin_map *map, const split *s, extent sides[2]) {
  sides[0] = sides[1] = extent_empty();
  uint32_t left = 0, right = count;
  while (left < right) {
    if (bin_of(map, s->axis, prims[left].center[s->axis]) < s->bin) {
      grow_by_prim(&sides[0].bounds, &sides[0].centers, &prims[left++]);
    } else {
      prim swap = prims[left];
      prims[left] = prims[--right];
      prims[right] = swap;
      grow_by_prim(&sides[1].bounds, &sides[1].centers, &prims[right]);
    }
  }
  return left;
}

/* ---- building ---- */

static int32_t new_node(builder *b) {
  size_t index;
#pragma omp atomic capture
  index = b->node_count++;
  return (int32_t)index;
}

static int32_t build(builder *b, uint32_t begin, uint32_t count, unsigned level, const extent *e);

/* Builds both children of node `index`, the first as a task of its own
 * when both are big enough to be worth a thread. */
static void build_children(builder *b, int32_t index, uint32_t begin, uint32_t left_count, uint32_t count,
                           unsigned level, const extent sides[2]) {
  build_node *node = &b->nodes[index];
  const extent *left = &sides[0], *right = &sides[1];
  if (left_count >= CLRT_BVH_TASK_SPHERES && count - left_count >= CLRT_BVH_TASK_SPHERES) {
#pragma omp task default(none) firstprivate(b, node, begin, left_count, level, left)
    node->child[0] = build(b, begin, left_count, level + 1, left);
    node->child[1] = build(b, begin + left_count, count - left_count, level + 1, right);
#pragma omp taskwait
    return;
  }
  node->child[0] = build(b, begin, left_count, level + 1, left);
  node->child[1] = build(b, begin + left_count, count - left_count, level + 1, right);
}

/* The subtree over prims[begin, begin + count), whose boxes are `e`, at
 * depth `level` (the root is level 1); returns its node. */
static int32_t build(builder *b, uint32_t begin, uint32_t count, unsigned level, const extent *e) {
  int32_t index = new_node(b);
  build_node *node = &b->nodes[index];
  node->bounds = e->bounds;
  node->begin = begin;
  node->count = count;
  node->child[0] = node->child[1] = -1;
  bin_map map = bin_map_of(&e->centers);
  split s = {0, 0, INFINITY};
  if (count <= 1 || level >= CLRT_BVH_BINARY_LEVELS || !find_split(b->prims + begin, count, e, &map, &s))
    return index;
  extent sides[2];
  uint32_t left_count = partition(b->prims + begin, count, &map, &s, sides);
  build_children(b, index, begin, left_count, count, level, sides);
  return index;
}

/* ---- writing the device's nodes ---- */

static bool is_leaf(const build_node *node) { return node->child[0] < 0; }

static void set_lane(clrt_bvh_node *out, int c, const box *bounds, uint32_t first, uint32_t count) {
  float *lanes[6] = {&out->lower_x.x, &out->lower_y.x, &out->lower_z.x,
                     &out->upper_x.x, &out->upper_y.x, &out->upper_z.x};
  for (int a = 0; a < 3; ++a) {
    lanes[a][c] = bounds->lower[a];
    lanes[3 + a][c] = bounds->upper[a];
  }
  out->first[c] = first;
  out->count[c] = count;
}

/* Lanes without a child: a box at +infinity, which no ray enters. */
static void clear_lanes(clrt_bvh_node *out, int from) {
  box nowhere = {{INFINITY, INFINITY, INFINITY}, {INFINITY, INFINITY, INFINITY}};
  for (int c = from; c < CLRT_BVH_WIDTH; ++c)
    set_lane(out, c, &nowhere, 0, 0);
}

static void note_leaf(clrt_bvh *out, unsigned level) {
  out->leaf_count += 1;
  out->depth = level > out->depth ? level : out->depth;
}

/* A 4-wide node's children: the binary node's children, each interior one
 * replaced by its own two. So every 4-wide node spans two binary levels,
 * and the depth limit of the binary tree bounds the 4-wide one. */
static int gather_children(const builder *b, const build_node *node, int32_t children[CLRT_BVH_WIDTH]) {
  int count = 0;
  for (int c = 0; c < 2; ++c) {
    const build_node *child = &b->nodes[node->child[c]];
    if (is_leaf(child)) {
      children[count++] = node->child[c];
      continue;
    }
    children[count++] = child->child[0];
    children[count++] = child->child[1];
  }
  return count;
}

/* Writes the subtree of binary node `index` (interior) depth-first, its
 * 4-wide node at depth `level`; returns the node's position. */
static uint32_t emit(const builder *b, int32_t index, unsigned level, clrt_bvh *out) {
  uint32_t at = (uint32_t)out->node_count++;
  int32_t children[CLRT_BVH_WIDTH];
  int count = gather_children(b, &b->nodes[index], children);
  for (int c = 0; c < count; ++c) {
    const build_node *child = &b->nodes[children[c]];
    if (is_leaf(child)) {
      set_lane(&out->nodes[at], c, &child->bounds, child->begin, child->count);
      note_leaf(out, level);
    } else {
      set_lane(&out->nodes[at], c, &child->bounds, emit(b, children[c], level + 1, out), 0);
    }
  }
  clear_lanes(&out->nodes[at], count);
  return at;
}

/* A tree that is one leaf (or none) still needs a node to start from. */
static void emit_single_leaf(const build_node *root, clrt_bvh *out) {
  out->node_count = 1;
  int used = 0;
  if (root) {
    set_lane(&out->nodes[0], 0, &root->bounds, 0, root->count);
    note_leaf(out, 1);
    used = 1;
  }
  clear_lanes(&out->nodes[0], used);
}

static prim *make_prims(const clrt_float4 *spheres, size_t count) {
  prim *prims = malloc((count ? count : 1) * sizeof *prims);
  for (size_t i = 0; prims && i < count; ++i) {
    const clrt_float4 *s = &spheres[i];
    float scale = fabsf(s->x) + fabsf(s->y) + fabsf(s->z) + s->w;
    prims[i] = (prim){{s->x, s->y, s->z}, s->w + CLRT_BVH_PADDING * scale, (uint32_t)i};
  }
  return prims;
}

static clrt_status write_out(const builder *b, int32_t root, size_t count, clrt_bvh *bvh, clrt_error *err) {
  bvh->nodes = malloc((b->node_count ? b->node_count : 1) * sizeof *bvh->nodes);
  bvh->order = malloc((count ? count : 1) * sizeof *bvh->order);
  if (!bvh->nodes || !bvh->order)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory writing the BVH of %zu spheres", count);
  for (size_t i = 0; i < count; ++i)
    bvh->order[i] = b->prims[i].index;
  if (count == 0 || is_leaf(&b->nodes[root]))
    emit_single_leaf(count ? &b->nodes[root] : NULL, bvh);
  else
    emit(b, root, 1, bvh);
  return CLRT_OK;
}

clrt_status clrt_bvh_build(const clrt_float4 *spheres, size_t count, int threads, clrt_bvh *bvh, clrt_error *err) {
  memset(bvh, 0, sizeof *bvh);
  if (count > UINT32_MAX / 2)
    return clrt_fail(err, CLRT_ERR_INPUT, "%zu spheres: at most %u fit a BVH", count, UINT32_MAX / 2);
  builder b = {make_prims(spheres, count), malloc((2 * count + 1) * sizeof(build_node)), 0};
  clrt_status status = CLRT_OK;
  if (!b.prims || !b.nodes)
    status = clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory building the BVH of %zu spheres", count);
  int32_t root = 0;
  if (status == CLRT_OK && count > 0) {
    extent whole = extent_empty();
    for (size_t i = 0; i < count; ++i)
      grow_by_prim(&whole.bounds, &whole.centers, &b.prims[i]);
    if (count < 2 * CLRT_BVH_TASK_SPHERES || threads <= 1) {
      root = build(&b, 0, (uint32_t)count, 1, &whole); /* no task would be made: no thread team either */
    } else {
#pragma omp parallel num_threads(threads) default(none) shared(b, root, count, whole)
#pragma omp single
      root = build(&b, 0, (uint32_t)count, 1, &whole);
    }
  }
  if (status == CLRT_OK)
    status = write_out(&b, root, count, bvh, err);
  free(b.prims);
  free(b.nodes);
  if (status != CLRT_OK)
    clrt_bvh_free(bvh);
  return status;
}

void clrt_bvh_free(clrt_bvh *bvh) {
  free(bvh->nodes);
  free(bvh->order);
  memset(bvh, 0, sizeof *bvh);
}

/* ---- refitting ---- */

static box lane_box(const clrt_bvh_node *node, int c) {
  const float *lanes[6] = {&node->lower_x.x, &node->lower_y.x, &node->lower_z.x,
                           &node->upper_x.x, &node->upper_y.x, &node->upper_z.x};
  box b;
  for (int a = 0; a < 3; ++a) {
    b.lower[a] = lanes[a][c];
    b.upper[a] = lanes[3 + a][c];
  }
  return b;
}

/* The box of spheres first to first + count - 1, padded as a build pads
 * it (make_prims). */
static box spheres_box(const clrt_float4 *spheres, uint32_t first, uint32_t count) {
  box b = box_empty();
  for (uint32_t i = first; i < first + count; ++i) {
    const clrt_float4 *s = &spheres[i];
    float center[3] = {s->x, s->y, s->z};
    float reach = s->w + CLRT_BVH_PADDING * (fabsf(s->x) + fabsf(s->y) + fabsf(s->z) + s->w);
    for (int a = 0; a < 3; ++a) {
      b.lower[a] = min_of(b.lower[a], center[a] - reach);
      b.upper[a] = max_of(b.upper[a], center[a] + reach);
    }
  }
  return b;
}

/* The box around all of a node's children. */
static box node_box(const clrt_bvh_node *node) {
  box b = box_empty();
  for (int c = 0; c < CLRT_BVH_WIDTH; ++c)
    if (node->count[c] || node->first[c]) {
      box child = lane_box(node, c);
      box_grow(&b, &child);
    }
  return b;
}

/* Children come after their parents (depth-first): from the last node to
 * the root, every child's box is final when its parent takes it. An
 * unused lane (no spheres, and node 0, which is no one's child) stays at
 * +infinity. */
double clrt_bvh_refit(clrt_bvh_node *nodes, size_t node_count, const clrt_float4 *spheres) {
  double cost = 0.0;
  for (size_t n = node_count; n-- > 0;) {
    clrt_bvh_node *node = &nodes[n];
    for (int c = 0; c < CLRT_BVH_WIDTH; ++c) {
      if (!node->count[c] && !node->first[c])
        continue;
      box b = node->count[c] ? spheres_box(spheres, node->first[c], node->count[c]) : node_box(&nodes[node->first[c]]);
      set_lane(node, c, &b, node->first[c], node->count[c]);
      cost += half_area(&b) * (node->count[c] ? (double)node->count[c] : 1.0);
    }
  }
  return cost;
}

double clrt_bvh_cost(const clrt_bvh_node *nodes, size_t node_count) {
  double cost = 0.0;
  for (size_t n = 0; n < node_count; ++n)
    for (int c = 0; c < CLRT_BVH_WIDTH; ++c)
      if (nodes[n].count[c] || nodes[n].first[c]) {
        box b = lane_box(&nodes[n], c);
        cost += half_area(&b) * (nodes[n].count[c] ? (double)nodes[n].count[c] : 1.0);
      }
  return cost;
}
