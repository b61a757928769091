/* A streaming reader of the vertices of PLY 1.0 files (ascii,
 * binary_little_endian, binary_big_endian), for sphere sets: x, y, z
 * (float or double), an optional radius (float or double), and optional
 * red, green, blue (uchar, divided by 255, or float or double, as they
 * are). Other properties of "vertex" and other elements are skipped; a
 * list property in "vertex" is an error. The file is read a row at a time:
 * memory does not grow with it.
 *
 * Every error is an input error whose message names the file, the line
 * (ascii) or the vertex, and what is wrong. */
#ifndef CLRT_PLY_H
#define CLRT_PLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "clrt_error.h"

typedef struct clrt_ply_vertex {
  double position[3];
  double radius;   /* when the file has radii */
  double color[3]; /* in [0, 1] for uchar; as stored for float: when the file has colours */
} clrt_ply_vertex;

typedef struct clrt_ply_property clrt_ply_property;
typedef struct clrt_ply_element clrt_ply_element;

typedef struct clrt_ply_reader {
  const char *path;
  FILE *file;
  int format; /* ascii, or binary of either byte order */
  clrt_ply_element *elements;
  size_t element_count;
  size_t vertex_element; /* which element is "vertex" */
  size_t element_at;     /* the element being read */
  size_t instances_read; /* of that element */
  size_t line;           /* ascii: the line being read, from 1 */
  char *text;            /* ascii: the current line */
  size_t text_capacity;
  unsigned char *row;          /* binary: a block of vertex rows */
  size_t row_capacity;         /* rows the block holds */
  size_t rows_held, rows_used; /* read into it, and taken */
  double *values;              /* the current vertex, one value per property */
  size_t vertex_count;
  bool has_radius, has_color;
  int vertex_fields[7]; /* x, y, z, radius, red, green, blue: property index or -1 */
} clrt_ply_reader;

/* Opens the file and reads its header. */
clrt_status clrt_ply_open(const char *path, clrt_ply_reader *reader, clrt_error *err);

/* The next vertex (reader->vertex_count of them in all), checked: a
 * finite position, a radius > 0, colours >= 0. Elements before "vertex"
 * are skipped on the way. */
clrt_status clrt_ply_next(clrt_ply_reader *reader, clrt_ply_vertex *vertex, clrt_error *err);

/* The index of the vertex element's property `name`, or -1 when it has
 * none. */
int clrt_ply_find_property(const clrt_ply_reader *reader, const char *name);

/* The vertex element's property names, ", "-separated (cut to fit), for
 * messages. */
void clrt_ply_property_names(const clrt_ply_reader *reader, char *out, size_t size);

/* After clrt_ply_next: property `index` of that vertex, as stored (a uchar
 * is 0..255), checked finite; the error names the vertex. */
clrt_status clrt_ply_value(const clrt_ply_reader *reader, int index, double *value, clrt_error *err);

/* After the last vertex: skips the elements after it and makes sure the
 * file ends where its element counts say. */
clrt_status clrt_ply_finish(clrt_ply_reader *reader, clrt_error *err);

void clrt_ply_close(clrt_ply_reader *reader);

#endif /* CLRT_PLY_H */
