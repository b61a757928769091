/* Growable arrays: the one piece of bookkeeping several modules need. */
#ifndef CLRT_ARRAY_H
#define CLRT_ARRAY_H

#include <stddef.h>

/* Makes room for at least `needed` elements of `element_size` bytes in
 * `items` (doubling, from 16), updating *capacity. Returns the array, which
 * may have moved, or NULL when out of memory (the old array stays valid). */
void *clrt_array_reserve(void *items, size_t *capacity, size_t needed, size_t element_size);

#endif /* CLRT_ARRAY_H */
