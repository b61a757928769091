/* Growable arrays. */
#include "clrt_array.h"

#include <stdlib.h>

/* The first allocation's capacity: most arrays here stay that small. */
#define CLRT_ARRAY_FIRST_CAPACITY 16

void *clrt_array_reserve(void *items, size_t *capacity, size_t needed, size_t element_size) {
  if (needed <= *capacity)
    return items;
  size_t grown_capacity = *capacity ? *capacity : CLRT_ARRAY_FIRST_CAPACITY;
  while (grown_capacity < needed)
    grown_capacity *= 2;
  void *grown = realloc(items, grown_capacity * element_size);
  if (grown)
    *capacity = grown_capacity;
  return grown;
}
