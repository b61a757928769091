/* Arena allocation for jansson (see clrt_json_arena.h). */
#include "clrt_json_arena.h"

#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>

/* Chunks are at least this big; a bigger block gets a chunk of its own. */
#define CLRT_JSON_CHUNK_BYTES ((size_t)4 << 20)

struct clrt_json_chunk {
  clrt_json_chunk *next;
  size_t used, size;
  max_align_t data[];
};

static _Thread_local clrt_json_arena *current_arena;

static size_t round_to_alignment(size_t size) {
  return (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
}

static unsigned char *take_from(clrt_json_arena *arena, size_t size) {
  clrt_json_chunk *chunk = arena->chunks;
  if (!chunk || chunk->used + size > chunk->size) {
    size_t capacity = size > CLRT_JSON_CHUNK_BYTES ? size : CLRT_JSON_CHUNK_BYTES;
    chunk = malloc(sizeof *chunk + capacity);
    if (!chunk)
      return NULL;
    *chunk = (clrt_json_chunk){arena->chunks, 0, capacity};
    arena->chunks = chunk;
  }
  unsigned char *block = (unsigned char *)chunk->data + chunk->used;
  chunk->used += size;
  return block;
}

static void *json_allocate(size_t size) {
  return current_arena ? take_from(current_arena, round_to_alignment(size)) : malloc(size);
}

/* In an arena, a value was made in it (see the header): its block goes
 * when the arena ends. */
static void json_release(void *pointer) {
  if (!current_arena)
    free(pointer);
}

/* Before main, so before any JSON value exists. */
__attribute__((constructor)) static void install_allocator(void) { json_set_alloc_funcs(json_allocate, json_release); }

void clrt_json_arena_begin(clrt_json_arena *arena) {
  arena->chunks = NULL;
  arena->previous = current_arena;
  current_arena = arena;
}

void clrt_json_arena_end(clrt_json_arena *arena) {
  current_arena = arena->previous;
  while (arena->chunks) {
    clrt_json_chunk *next = arena->chunks->next;
    free(arena->chunks);
    arena->chunks = next;
  }
}
