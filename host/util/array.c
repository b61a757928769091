/* Growable arrays. */
#include "clrt_array.h"

#include <stdint.h>
#include <stdlib.h>

/* The first allocation's capacity: most arrays here stay that small. */
#define CLRT_ARRAY_FIRST_CAPACITY 16

void *clrt_array_reserve(void *items, size_t *capacity, size_t needed, size_t element_size) {
  if (needed <= *capacity)
    return items;
  size_t grown_capacity = *capacity ? *capacity : CLRT_ARRAY_FIRST_CAPACITY;
  while (grown_capacity < needed && grown_capacity <= SIZE_MAX / 2)
    grown_capacity *= 2;
  /* A size that does not fit is no room at all (realloc would get a
   * wrapped, small size and return a block too short). */
  if (grown_capacity < needed || element_size == 0 || grown_capacity > SIZE_MAX / element_size)
    return NULL;
  void *grown = realloc(items, grown_capacity * element_size);
  if (grown)
    *capacity = grown_capacity;
  return grown;
}
