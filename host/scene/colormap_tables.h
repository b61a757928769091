/* The built-in colour maps' tables (colormap_tables.c, written by
 * scripts/make-colormaps.py): private to colormap.c. */
#ifndef CLRT_COLORMAP_TABLES_H
#define CLRT_COLORMAP_TABLES_H

#include <stddef.h>

enum { CLRT_COLORMAP_ENTRIES = 256 };

typedef struct clrt_colormap_table {
  const char *name;
  const double (*rgb)[3]; /* CLRT_COLORMAP_ENTRIES rows, sRGB-encoded, in [0, 1] */
} clrt_colormap_table;

extern const clrt_colormap_table clrt_colormap_tables[];
extern const size_t clrt_colormap_table_count;

#endif /* CLRT_COLORMAP_TABLES_H */
