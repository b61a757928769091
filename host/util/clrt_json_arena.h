/* An arena for jansson's allocations while a scene file is parsed: a JSON
 * scene of a million spheres is millions of small blocks, and handing them
 * to malloc one by one, then back, cost more than half a second (glibc
 * consolidates them at the next large allocation). In an arena they are
 * carved from big chunks and released together.
 *
 * jansson takes one pair of allocation functions for the whole process,
 * set before any JSON value exists (a constructor does it). They allocate
 * from the calling thread's current arena, or with malloc when it has
 * none. The rule that keeps this right: a value made while an arena is
 * current is released before it ends, and a value made outside one is
 * never released inside one (it would be kept until the process ends).
 * Scene parsing makes and releases all of its values inside its arena. */
#ifndef CLRT_JSON_ARENA_H
#define CLRT_JSON_ARENA_H

typedef struct clrt_json_chunk clrt_json_chunk;

typedef struct clrt_json_arena {
  clrt_json_chunk *chunks;
  struct clrt_json_arena *previous; /* the thread's arena before this one */
} clrt_json_arena;

/* jansson's allocations on this thread come from `arena` until it ends. */
void clrt_json_arena_begin(clrt_json_arena *arena);

/* Releases everything allocated in the arena. */
void clrt_json_arena_end(clrt_json_arena *arena);

#endif /* CLRT_JSON_ARENA_H */
