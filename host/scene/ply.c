/* A streaming PLY 1.0 vertex reader (no Debian package reads PLY). */
#include "clrt_ply.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clrt_array.h"

/* Header lines are short; a longer one means this is not a PLY header.
 * An ascii data line holds a few numbers: one longer than
 * CLRT_PLY_DATA_LINE_MAX is refused rather than read whole. */
enum {
  CLRT_PLY_HEADER_LINE_MAX = 4096,
  CLRT_PLY_HEADER_LINES_MAX = 10000,
  CLRT_PLY_NAME_SIZE = 64,
  CLRT_PLY_DATA_LINE_MAX = 65536
};
/* The fewest bytes an ascii value takes: a digit and a separator. */
#define CLRT_PLY_ASCII_VALUE_MIN_BYTES 2u
/* Binary vertex rows read at once (clrt_ply_open). */
#define CLRT_PLY_BLOCK_ROWS 4096u
/* The file is read through a buffer this big. */
#define CLRT_PLY_BUFFER_BYTES (1u << 20)
/* The byte that colours stored as uchar are divided by. */
#define CLRT_PLY_UCHAR_FULL 255.0

enum { FORMAT_ASCII, FORMAT_LITTLE_ENDIAN, FORMAT_BIG_ENDIAN };
enum { FIELD_X, FIELD_Y, FIELD_Z, FIELD_RADIUS, FIELD_RED, FIELD_GREEN, FIELD_BLUE, FIELD_COUNT };
static const char *const FIELD_NAMES[FIELD_COUNT] = {"x", "y", "z", "radius", "red", "green", "blue"};

typedef enum ply_type { T_CHAR, T_UCHAR, T_SHORT, T_USHORT, T_INT, T_UINT, T_FLOAT, T_DOUBLE, T_NONE } ply_type;

static const struct {
  const char *name, *alias;
  size_t size;
} TYPES[] = {{"char", "int8", 1}, {"uchar", "uint8", 1}, {"short", "int16", 2},   {"ushort", "uint16", 2},
             {"int", "int32", 4}, {"uint", "uint32", 4}, {"float", "float32", 4}, {"double", "float64", 8}};

struct clrt_ply_property {
  char name[CLRT_PLY_NAME_SIZE];
  ply_type type;       /* a list's item type */
  ply_type count_type; /* T_NONE unless a list */
  size_t offset;       /* in a binary row without lists */
};

struct clrt_ply_element {
  char name[CLRT_PLY_NAME_SIZE];
  size_t count;
  clrt_ply_property *properties;
  size_t property_count, property_capacity;
  bool has_lists;
  size_t row_size; /* binary, without lists */
};

/* ---- errors ---- */

static clrt_status header_error(const clrt_ply_reader *r, const char *problem, const char *detail, clrt_error *err) {
  return clrt_fail(err, CLRT_ERR_INPUT, "%s:%zu: %s%s", r->path, r->line, problem, detail);
}

/* An error in the data: ascii names the line too. */
static clrt_status data_error(const clrt_ply_reader *r, const char *what, size_t index, const char *problem,
                              clrt_error *err) {
  if (r->format == FORMAT_ASCII)
    return clrt_fail(err, CLRT_ERR_INPUT, "%s:%zu: %s %zu: %s", r->path, r->line, what, index, problem);
  return clrt_fail(err, CLRT_ERR_INPUT, "%s: %s %zu: %s", r->path, what, index, problem);
}

static clrt_status truncated(const clrt_ply_reader *r, clrt_error *err) {
  const clrt_ply_element *e = &r->elements[r->element_at];
  return clrt_fail(err, CLRT_ERR_INPUT, "%s: truncated: the data ends in %s %zu of %zu (the header promises more)",
                   r->path, e->name, r->instances_read, e->count);
}

/* ---- the header ---- */

static ply_type type_named(const char *name) {
  for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; ++i)
    if (strcmp(name, TYPES[i].name) == 0 || strcmp(name, TYPES[i].alias) == 0)
      return (ply_type)i;
  return T_NONE;
}

/* One header line into reader->text, without its end of line. Read a
 * byte at a time, so that a NUL byte is seen (a line read as a string
 * would end there, and the next line would start inside this one). */
static clrt_status header_line(clrt_ply_reader *r, clrt_error *err) {
  if (++r->line > CLRT_PLY_HEADER_LINES_MAX)
    return header_error(r, "the header has no end_header", "", err);
  size_t length = 0;
  int c;
  while ((c = getc(r->file)) != EOF && c != '\n') {
    if (c == '\0')
      return header_error(r, "a NUL byte in the header: not a PLY header", "", err);
    if (length + 1 == CLRT_PLY_HEADER_LINE_MAX)
      return header_error(r, "a header line is too long", "", err);
    r->text[length++] = (char)c;
  }
  if (c == EOF && length == 0)
    return header_error(r, "the file ends inside the header (no end_header)", "", err);
  r->text[length] = '\0';
  r->text[strcspn(r->text, "\r")] = '\0';
  return CLRT_OK;
}

static clrt_status parse_format(clrt_ply_reader *r, const char *rest, clrt_error *err) {
  char name[32], version[16], extra;
  if (sscanf(rest, "%31s %15s %c", name, version, &extra) != 2 || strcmp(version, "1.0") != 0)
    return header_error(r, "expected 'format <ascii|binary_little_endian|binary_big_endian> 1.0'", "", err);
  if (strcmp(name, "ascii") == 0)
    r->format = FORMAT_ASCII;
  else if (strcmp(name, "binary_little_endian") == 0)
    r->format = FORMAT_LITTLE_ENDIAN;
  else if (strcmp(name, "binary_big_endian") == 0)
    r->format = FORMAT_BIG_ENDIAN;
  else
    return header_error(r, "unsupported format (ascii, binary_little_endian or binary_big_endian): ", name, err);
  return CLRT_OK;
}

static clrt_status parse_element(clrt_ply_reader *r, const char *rest, size_t *capacity, clrt_error *err) {
  char name[CLRT_PLY_NAME_SIZE], count[32], extra;
  if (sscanf(rest, "%63s %31s %c", name, count, &extra) != 2)
    return header_error(r, "expected 'element <name> <count>'", "", err);
  char *end;
  errno = 0;
  unsigned long long value = strtoull(count, &end, 10);
  if (*end || errno || count[0] == '-' || value > SIZE_MAX / 64)
    return header_error(r, "an element count must be a whole number, got ", count, err);
  clrt_ply_element *grown = clrt_array_reserve(r->elements, capacity, r->element_count + 1, sizeof *grown);
  if (!grown)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: out of memory reading the header", r->path);
  r->elements = grown;
  clrt_ply_element *e = &r->elements[r->element_count++];
  memset(e, 0, sizeof *e);
  snprintf(e->name, sizeof e->name, "%s", name);
  e->count = (size_t)value;
  return CLRT_OK;
}

static clrt_status add_property(clrt_ply_reader *r, const clrt_ply_property *p, clrt_error *err) {
  if (r->element_count == 0)
    return header_error(r, "a property before any element", "", err);
  clrt_ply_element *e = &r->elements[r->element_count - 1];
  for (size_t i = 0; i < e->property_count; ++i)
    if (strcmp(e->properties[i].name, p->name) == 0)
      return header_error(r, "a property declared twice in its element: ", p->name, err);
  clrt_ply_property *grown =
      clrt_array_reserve(e->properties, &e->property_capacity, e->property_count + 1, sizeof *grown);
  if (!grown)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: out of memory reading the header", r->path);
  e->properties = grown;
  e->properties[e->property_count] = *p;
  e->properties[e->property_count++].offset = e->row_size;
  e->row_size += TYPES[p->type].size;
  e->has_lists = e->has_lists || p->count_type != T_NONE;
  return CLRT_OK;
}

static clrt_status parse_property(clrt_ply_reader *r, const char *rest, clrt_error *err) {
  char a[32], b[32], c[CLRT_PLY_NAME_SIZE], d[CLRT_PLY_NAME_SIZE], extra;
  clrt_ply_property p = {.count_type = T_NONE};
  int fields = sscanf(rest, "%31s %31s %63s %63s %c", a, b, c, d, &extra);
  if (fields == 2) {
    p.type = type_named(a);
    snprintf(p.name, sizeof p.name, "%s", b);
    if (p.type == T_NONE)
      return header_error(r, "unknown property type ", a, err);
  } else if (fields == 4 && strcmp(a, "list") == 0) {
    p.count_type = type_named(b);
    p.type = type_named(c);
    snprintf(p.name, sizeof p.name, "%s", d);
    if (p.count_type == T_NONE || p.type == T_NONE || p.count_type >= T_FLOAT)
      return header_error(r, "unknown or unusable list types in: property ", rest, err);
  } else {
    return header_error(r, "expected 'property <type> <name>' or 'property list <type> <type> <name>'", "", err);
  }
  return add_property(r, &p, err);
}

/* One line of the header; *done at end_header. */
static clrt_status parse_header_line(clrt_ply_reader *r, size_t *capacity, bool *format_seen, bool *done,
                                     clrt_error *err) {
  char keyword[32] = "";
  int skip = 0;
  sscanf(r->text, "%31s %n", keyword, &skip);
  const char *rest = r->text + skip;
  if (strcmp(keyword, "format") == 0) {
    *format_seen = true;
    return parse_format(r, rest, err);
  }
  if (strcmp(keyword, "comment") == 0 || strcmp(keyword, "obj_info") == 0 || keyword[0] == '\0')
    return CLRT_OK;
  if (!*format_seen)
    return header_error(r, "the format line must come first", "", err);
  if (strcmp(keyword, "element") == 0)
    return parse_element(r, rest, capacity, err);
  if (strcmp(keyword, "property") == 0)
    return parse_property(r, rest, err);
  if (strcmp(keyword, "end_header") == 0) {
    *done = true;
    return CLRT_OK;
  }
  return header_error(r, "unknown header line: ", keyword, err);
}

static clrt_status read_header(clrt_ply_reader *r, clrt_error *err) {
  clrt_status status = header_line(r, err);
  if (status == CLRT_OK && strcmp(r->text, "ply") != 0)
    return header_error(r, "not a PLY file: it must begin with the line 'ply'", "", err);
  size_t capacity = 0;
  bool format_seen = false, done = false;
  while (status == CLRT_OK && !done && (status = header_line(r, err)) == CLRT_OK)
    status = parse_header_line(r, &capacity, &format_seen, &done, err);
  return status;
}

/* ---- the vertex element ---- */

static clrt_status field_type_error(clrt_ply_reader *r, const clrt_ply_property *p, const char *allowed,
                                    clrt_error *err) {
  return clrt_fail(err, CLRT_ERR_INPUT, "%s: vertex property '%s' is %s; %s", r->path, p->name,
                   p->count_type != T_NONE ? "a list" : TYPES[p->type].name, allowed);
}

/* Finds the fields a sphere needs among the vertex properties, and checks
 * their types. */
static clrt_status map_vertex_fields(clrt_ply_reader *r, const clrt_ply_element *vertex, clrt_error *err) {
  for (int f = 0; f < FIELD_COUNT; ++f)
    r->vertex_fields[f] = -1;
  for (size_t i = 0; i < vertex->property_count; ++i) {
    const clrt_ply_property *p = &vertex->properties[i];
    if (p->count_type != T_NONE)
      return field_type_error(r, p, "list properties cannot be part of a vertex", err);
    for (int f = 0; f < FIELD_COUNT; ++f) {
      if (strcmp(p->name, FIELD_NAMES[f]) != 0)
        continue;
      bool real = p->type == T_FLOAT || p->type == T_DOUBLE;
      if (!real && !(f >= FIELD_RED && p->type == T_UCHAR))
        return field_type_error(r, p,
                                f >= FIELD_RED ? "colours must be uchar, float or double"
                                               : "x, y, z and radius must be float or double",
                                err);
      r->vertex_fields[f] = (int)i;
    }
  }
  return CLRT_OK;
}

static clrt_status find_vertex(clrt_ply_reader *r, clrt_error *err) {
  for (r->vertex_element = 0; r->vertex_element < r->element_count; ++r->vertex_element)
    if (strcmp(r->elements[r->vertex_element].name, "vertex") == 0)
      break;
  if (r->vertex_element == r->element_count)
    return clrt_fail(err, CLRT_ERR_INPUT, "%s: the header declares no 'vertex' element", r->path);
  const clrt_ply_element *vertex = &r->elements[r->vertex_element];
  clrt_status status = map_vertex_fields(r, vertex, err);
  if (status != CLRT_OK)
    return status;
  for (int f = FIELD_X; f <= FIELD_Z; ++f)
    if (r->vertex_fields[f] < 0)
      return clrt_fail(err, CLRT_ERR_INPUT, "%s: the vertex element has no '%s' property", r->path, FIELD_NAMES[f]);
  int colours =
      (r->vertex_fields[FIELD_RED] >= 0) + (r->vertex_fields[FIELD_GREEN] >= 0) + (r->vertex_fields[FIELD_BLUE] >= 0);
  if (colours != 0 && colours != 3)
    return clrt_fail(err, CLRT_ERR_INPUT, "%s: vertex colours need all of red, green and blue", r->path);
  r->vertex_count = vertex->count;
  r->has_radius = r->vertex_fields[FIELD_RADIUS] >= 0;
  r->has_color = colours == 3;
  return CLRT_OK;
}

/* Binary files whose elements all have fixed rows: the data's size is
 * known, and must be the file's. */
static clrt_status check_binary_size(clrt_ply_reader *r, clrt_error *err) {
  unsigned long long needed = 0;
  for (size_t i = 0; i < r->element_count; ++i) {
    if (r->elements[i].has_lists)
      return CLRT_OK; /* sizes vary: checked while reading */
    if (r->elements[i].row_size && r->elements[i].count > (ULLONG_MAX - needed) / r->elements[i].row_size)
      return clrt_fail(err, CLRT_ERR_INPUT, "%s: its element counts are impossibly large", r->path);
    needed += (unsigned long long)r->elements[i].count * r->elements[i].row_size;
  }
  struct stat info;
  long long at = ftello(r->file);
  if (fstat(fileno(r->file), &info) != 0 || at < 0)
    return CLRT_OK;
  unsigned long long present = (unsigned long long)(info.st_size - at);
  if (present == needed)
    return CLRT_OK;
  return clrt_fail(err, CLRT_ERR_INPUT,
                   "%s: the header's element counts need %llu bytes of data but the file holds %llu%s", r->path, needed,
                   present, present < needed ? " (truncated)" : ": the counts do not match the file's size");
}

/* Ascii files: every value takes at least two bytes (a digit and a
 * separator), so the element counts must fit the data's size; checked
 * before anything is reserved for them (a count of 10^9 in a small file
 * would otherwise ask for gigabytes). */
static clrt_status check_ascii_size(clrt_ply_reader *r, clrt_error *err) {
  struct stat info;
  long long at = ftello(r->file);
  if (fstat(fileno(r->file), &info) != 0 || at < 0)
    return CLRT_OK;
  unsigned long long present = (unsigned long long)(info.st_size - at), needed = 0;
  for (size_t i = 0; i < r->element_count; ++i) {
    const clrt_ply_element *e = &r->elements[i];
    unsigned long long row =
        (unsigned long long)(e->property_count ? e->property_count : 1) * CLRT_PLY_ASCII_VALUE_MIN_BYTES;
    if (e->count > (present + 1 - needed) / row) /* + 1: the last value may end the file */
      return clrt_fail(err, CLRT_ERR_INPUT,
                       "%s: the header declares %zu %s elements, more than the %llu bytes of data after it can hold "
                       "(the counts do not match the file)",
                       r->path, e->count, e->name, present);
    needed += (unsigned long long)e->count * row;
  }
  return CLRT_OK;
}

/* ---- opening ---- */

static clrt_status open_file(clrt_ply_reader *r, clrt_error *err) {
  int fd = open(r->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat info;
  if (fd < 0)
    return clrt_fail(err, CLRT_ERR_INPUT, "%s: cannot open the PLY file: %s", r->path, strerror(errno));
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    close(fd);
    return clrt_fail(err, CLRT_ERR_INPUT, "%s: the PLY file must be a regular file", r->path);
  }
  r->file = fdopen(fd, "rb");
  if (!r->file) {
    close(fd);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot read: %s", r->path, strerror(errno));
  }
  setvbuf(r->file, NULL, _IOFBF, CLRT_PLY_BUFFER_BYTES);
  return CLRT_OK;
}

clrt_status clrt_ply_open(const char *path, clrt_ply_reader *r, clrt_error *err) {
  memset(r, 0, sizeof *r);
  r->path = path;
  r->text_capacity = CLRT_PLY_DATA_LINE_MAX;
  r->text = malloc(r->text_capacity);
  if (!r->text)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: out of memory", path);
  clrt_status status = open_file(r, err);
  if (status == CLRT_OK)
    status = read_header(r, err);
  if (status == CLRT_OK)
    status = find_vertex(r, err);
  if (status == CLRT_OK)
    status = r->format == FORMAT_ASCII ? check_ascii_size(r, err) : check_binary_size(r, err);
  if (status == CLRT_OK) {
    const clrt_ply_element *vertex = &r->elements[r->vertex_element];
    /* Binary vertices without lists are read a block of rows at a time:
     * one fread a row would lock and unlock the file a million times. */
    r->row_capacity = vertex->has_lists ? 1 : CLRT_PLY_BLOCK_ROWS;
    r->row = malloc(vertex->row_size * r->row_capacity + 1);
    r->values = malloc((vertex->property_count + 1) * sizeof *r->values);
    if (!r->row || !r->values)
      status = clrt_fail(err, CLRT_ERR_RUNTIME, "%s: out of memory", path);
  }
  if (status != CLRT_OK)
    clrt_ply_close(r);
  return status;
}

void clrt_ply_close(clrt_ply_reader *r) {
  if (r->file)
    fclose(r->file);
  for (size_t i = 0; i < r->element_count; ++i)
    free(r->elements[i].properties);
  free(r->elements);
  free(r->text);
  free(r->row);
  free(r->values);
  memset(r, 0, sizeof *r);
}

/* ---- binary data ---- */

static bool host_is_little_endian(void) {
  const uint16_t one = 1;
  unsigned char first;
  memcpy(&first, &one, 1);
  return first == 1;
}

/* Whether the file's byte order is not the host's. */
static bool swapped(const clrt_ply_reader *r) {
  return r->format != FORMAT_ASCII && (r->format == FORMAT_LITTLE_ENDIAN) != host_is_little_endian();
}

/* A stored value of `type` at `bytes`, in the file's byte order. */
static uint16_t load16(const unsigned char *bytes, bool swap) {
  uint16_t v;
  memcpy(&v, bytes, 2);
  return swap ? __builtin_bswap16(v) : v;
}

static uint32_t load32(const unsigned char *bytes, bool swap) {
  uint32_t v;
  memcpy(&v, bytes, 4);
  return swap ? __builtin_bswap32(v) : v;
}

static uint64_t load64(const unsigned char *bytes, bool swap) {
  uint64_t v;
  memcpy(&v, bytes, 8);
  return swap ? __builtin_bswap64(v) : v;
}

/* A binary value as a double; `swap` when the file's byte order is not
 * the host's. */
static double decode(bool swap, ply_type type, const unsigned char *bytes) {
  uint16_t u16;
  uint32_t u32;
  uint64_t u64;
  float f;
  double d;
  switch (type) {
  case T_CHAR:
    return (double)(int8_t)bytes[0];
  case T_UCHAR:
    return (double)bytes[0];
  case T_SHORT:
    return u16 = load16(bytes, swap), (double)(int16_t)u16;
  case T_USHORT:
    return (double)load16(bytes, swap);
  case T_INT:
    return u32 = load32(bytes, swap), (double)(int32_t)u32;
  case T_UINT:
    return (double)load32(bytes, swap);
  case T_FLOAT:
    return u32 = load32(bytes, swap), memcpy(&f, &u32, 4), (double)f;
  case T_DOUBLE:
    return u64 = load64(bytes, swap), memcpy(&d, &u64, 8), d;
  case T_NONE:
    break;
  }
  return 0.0;
}

static bool read_bytes(clrt_ply_reader *r, void *out, size_t size) { return fread(out, 1, size, r->file) == size; }

/* Skips one instance of a binary element (lists are read to know their
 * size). */
static bool skip_binary_instance(clrt_ply_reader *r, const clrt_ply_element *e) {
  unsigned char scratch[8];
  for (size_t i = 0; i < e->property_count; ++i) {
    const clrt_ply_property *p = &e->properties[i];
    size_t items = 1;
    if (p->count_type != T_NONE) {
      if (!read_bytes(r, scratch, TYPES[p->count_type].size))
        return false;
      double count = decode(swapped(r), p->count_type, scratch);
      if (count < 0)
        return false;
      items = (size_t)count;
    }
    for (size_t k = 0; k < items; ++k)
      if (!read_bytes(r, scratch, TYPES[p->type].size))
        return false;
  }
  return true;
}

/* ---- ascii data ---- */

/* The next line of data into reader->text: CLRT_PLY_LINE_READ, or
 * CLRT_PLY_LINE_END at the end of the file, or CLRT_PLY_LINE_TOO_LONG. */
enum { CLRT_PLY_LINE_READ, CLRT_PLY_LINE_END, CLRT_PLY_LINE_TOO_LONG };
static int next_line(clrt_ply_reader *r) {
  if (!fgets(r->text, (int)r->text_capacity, r->file))
    return CLRT_PLY_LINE_END;
  ++r->line;
  size_t length = strlen(r->text);
  if (length + 1 == r->text_capacity && r->text[length - 1] != '\n' && !feof(r->file))
    return CLRT_PLY_LINE_TOO_LONG;
  return CLRT_PLY_LINE_READ;
}

static clrt_status line_too_long(const clrt_ply_reader *r, clrt_error *err) {
  return clrt_fail(err, CLRT_ERR_INPUT, "%s:%zu: a data line longer than %d bytes: not the ascii PLY the header says",
                   r->path, r->line, CLRT_PLY_DATA_LINE_MAX - 1);
}

/* The range of an integer type; false for float and double. */
static bool integer_range(ply_type type, double *low, double *high) {
  static const double LOW[] = {INT8_MIN, 0, INT16_MIN, 0, INT32_MIN, 0},
                      HIGH[] = {INT8_MAX, UINT8_MAX, INT16_MAX, UINT16_MAX, INT32_MAX, UINT32_MAX};
  if (type > T_UINT)
    return false;
  *low = LOW[type];
  *high = HIGH[type];
  return true;
}

/* An ascii value of an integer property must be a whole number its type
 * can hold (a uchar 300 is an error, not 300/255). */
static clrt_status check_ascii_integer(clrt_ply_reader *r, const clrt_ply_property *p, double value, clrt_error *err) {
  double low, high;
  if (!integer_range(p->type, &low, &high) || (value == floor(value) && value >= low && value <= high))
    return CLRT_OK;
  char problem[160];
  snprintf(problem, sizeof problem, "%s is %s, a whole number from %.0f to %.0f (got %g)", p->name, TYPES[p->type].name,
           low, high, value);
  return data_error(r, "vertex", r->instances_read, problem, err);
}

/* The values of an ascii vertex line, one per property. */
static clrt_status split_values(clrt_ply_reader *r, size_t count, double *values, clrt_error *err) {
  const clrt_ply_element *e = &r->elements[r->vertex_element];
  char *cursor = r->text;
  for (size_t i = 0; i < count; ++i) {
    char *end;
    values[i] = strtod(cursor, &end);
    if (end == cursor) {
      char problem[96];
      snprintf(problem, sizeof problem, "expected %zu numbers, found %zu", count, i);
      return data_error(r, "vertex", r->instances_read, problem, err);
    }
    clrt_status status = check_ascii_integer(r, &e->properties[i], values[i], err);
    if (status != CLRT_OK)
      return status;
    cursor = end;
  }
  while (*cursor == ' ' || *cursor == '\t' || *cursor == '\r' || *cursor == '\n')
    ++cursor;
  if (*cursor)
    return data_error(r, "vertex", r->instances_read, "more values than the vertex has properties", err);
  return CLRT_OK;
}

/* ---- vertices ---- */

/* Reads and discards the elements before the current one is "vertex" (or,
 * after it, to the end). */
static clrt_status skip_elements_until(clrt_ply_reader *r, size_t stop, clrt_error *err) {
  for (; r->element_at < stop; ++r->element_at, r->instances_read = 0) {
    const clrt_ply_element *e = &r->elements[r->element_at];
    for (; r->instances_read < e->count; ++r->instances_read) {
      int line = r->format == FORMAT_ASCII ? next_line(r) : CLRT_PLY_LINE_READ;
      if (line == CLRT_PLY_LINE_TOO_LONG)
        return line_too_long(r, err);
      bool present = r->format == FORMAT_ASCII ? line == CLRT_PLY_LINE_READ : skip_binary_instance(r, e);
      if (!present)
        return truncated(r, err);
    }
  }
  return CLRT_OK;
}

/* The raw values of the next vertex, one per property. */
static clrt_status read_vertex_values(clrt_ply_reader *r, double *values, clrt_error *err) {
  const clrt_ply_element *e = &r->elements[r->vertex_element];
  if (r->format == FORMAT_ASCII) {
    int line = next_line(r);
    return line == CLRT_PLY_LINE_READ       ? split_values(r, e->property_count, values, err)
           : line == CLRT_PLY_LINE_TOO_LONG ? line_too_long(r, err)
                                            : truncated(r, err);
  }
  if (r->rows_used == r->rows_held) {
    size_t wanted = e->count - r->instances_read < r->row_capacity ? e->count - r->instances_read : r->row_capacity;
    r->rows_held = e->has_lists ? read_bytes(r, r->row, e->row_size) : fread(r->row, e->row_size, wanted, r->file);
    r->rows_used = 0;
    if (r->rows_held == 0)
      return truncated(r, err);
  }
  const unsigned char *row = r->row + r->rows_used++ * e->row_size;
  bool swap = swapped(r);
  for (size_t i = 0; i < e->property_count; ++i)
    values[i] = decode(swap, e->properties[i].type, row + e->properties[i].offset);
  return CLRT_OK;
}

static double field(const clrt_ply_reader *r, const double *values, int f) { return values[r->vertex_fields[f]]; }

/* A value that becomes a float on the device must be finite as one. */
static bool finite_as_float(double v) { return isfinite(v) && fabs(v) <= FLT_MAX; }

static clrt_status value_error(clrt_ply_reader *r, int f, const char *rule, double got, clrt_error *err) {
  char problem[160];
  snprintf(problem, sizeof problem, "%s must be %s (got %g)", FIELD_NAMES[f], rule, got);
  return data_error(r, "vertex", r->instances_read, problem, err);
}

static clrt_status check_vertex(clrt_ply_reader *r, clrt_ply_vertex *v, clrt_error *err) {
  for (int f = FIELD_X; f <= FIELD_Z; ++f)
    if (!finite_as_float(v->position[f]))
      return value_error(r, f, "a finite number in single precision", v->position[f], err);
  if (r->has_radius && !(finite_as_float(v->radius) && (float)v->radius > 0.0f))
    return value_error(r, FIELD_RADIUS, "> 0 and finite in single precision", v->radius, err);
  for (int c = 0; r->has_color && c < 3; ++c)
    if (!(finite_as_float(v->color[c]) && v->color[c] >= 0.0))
      return value_error(r, FIELD_RED + c, ">= 0 and finite", v->color[c], err);
  return CLRT_OK;
}

static void fill_vertex(const clrt_ply_reader *r, const double *values, clrt_ply_vertex *v) {
  const clrt_ply_element *e = &r->elements[r->vertex_element];
  for (int f = FIELD_X; f <= FIELD_Z; ++f)
    v->position[f] = field(r, values, f);
  v->radius = r->has_radius ? field(r, values, FIELD_RADIUS) : 0.0;
  for (int c = 0; c < 3; ++c) {
    int f = FIELD_RED + c;
    double stored = r->has_color ? field(r, values, f) : 0.0;
    bool bytes = r->has_color && e->properties[r->vertex_fields[f]].type == T_UCHAR;
    v->color[c] = bytes ? stored / CLRT_PLY_UCHAR_FULL : stored;
  }
}

clrt_status clrt_ply_next(clrt_ply_reader *r, clrt_ply_vertex *vertex, clrt_error *err) {
  clrt_status status = skip_elements_until(r, r->vertex_element, err);
  if (status != CLRT_OK)
    return status;
  const clrt_ply_element *e = &r->elements[r->vertex_element];
  if (r->instances_read >= e->count)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: read past the last vertex", r->path);
  status = read_vertex_values(r, r->values, err);
  if (status == CLRT_OK) {
    fill_vertex(r, r->values, vertex);
    status = check_vertex(r, vertex, err);
  }
  if (status == CLRT_OK)
    r->instances_read += 1;
  return status;
}

int clrt_ply_find_property(const clrt_ply_reader *r, const char *name) {
  const clrt_ply_element *e = &r->elements[r->vertex_element];
  for (size_t i = 0; i < e->property_count; ++i)
    if (!strcmp(e->properties[i].name, name))
      return (int)i;
  return -1;
}

void clrt_ply_property_names(const clrt_ply_reader *r, char *out, size_t size) {
  const clrt_ply_element *e = &r->elements[r->vertex_element];
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < e->property_count && used < size; ++i)
    used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "", e->properties[i].name);
}

clrt_status clrt_ply_value(const clrt_ply_reader *r, int index, double *value, clrt_error *err) {
  *value = r->values[index];
  if (isfinite(*value))
    return CLRT_OK;
  char problem[CLRT_PLY_NAME_SIZE + 64];
  snprintf(problem, sizeof problem, "%s must be finite (got %g)", r->elements[r->vertex_element].properties[index].name,
           *value);
  return data_error(r, "vertex", r->instances_read - 1, problem, err);
}

/* Ascii: only blank lines may follow the last element. */
static clrt_status check_ascii_end(clrt_ply_reader *r, clrt_error *err) {
  for (int line; (line = next_line(r)) != CLRT_PLY_LINE_END;)
    if (line == CLRT_PLY_LINE_TOO_LONG || r->text[strspn(r->text, " \t\r\n")] != '\0')
      return clrt_fail(err, CLRT_ERR_INPUT, "%s:%zu: data after the last element: the counts do not match the file",
                       r->path, r->line);
  return CLRT_OK;
}

clrt_status clrt_ply_finish(clrt_ply_reader *r, clrt_error *err) {
  if (r->element_at == r->vertex_element)
    ++r->element_at, r->instances_read = 0;
  clrt_status status = skip_elements_until(r, r->element_count, err);
  if (status != CLRT_OK || r->format == FORMAT_ASCII)
    return status == CLRT_OK ? check_ascii_end(r, err) : status;
  if (fgetc(r->file) != EOF)
    return clrt_fail(err, CLRT_ERR_INPUT, "%s: data after the last element: the counts do not match the file's size",
                     r->path);
  return CLRT_OK;
}
