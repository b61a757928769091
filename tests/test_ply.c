/* The PLY reader: every format and property type, elements around the
 * vertices, malformed files and their messages, and sphere sets in scenes. */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clrt_film.h"
#include "clrt_flat_scene.h"
#include "clrt_ply.h"
#include "clrt_reference.h"

/* ---- writing test files ---- */

/* A file of a header and binary data, in a fresh folder. */
static const char *write_ply(const char *name, const char *header, const void *data, size_t size) {
  static char path[700];
  snprintf(path, sizeof path, "%s/%s", test_temp_dir(), name);
  FILE *file = fopen(path, "wb");
  assert_non_null(file);
  fputs(header, file);
  if (size)
    assert_int_equal(fwrite(data, 1, size, file), size);
  assert_int_equal(fclose(file), 0);
  return path;
}

/* Appends `size` bytes of `value` in the given byte order. */
static size_t put(unsigned char *out, size_t at, const void *value, size_t size, bool big_endian) {
  const unsigned char *bytes = value;
  for (size_t i = 0; i < size; ++i)
    out[at + i] = bytes[big_endian ? size - 1 - i : i];
  return at + size;
}

/* Reads every vertex; the error (or "") goes to message. */
static clrt_status read_all(const char *path, clrt_ply_vertex *vertices, size_t capacity, size_t *count,
                            char *message) {
  clrt_ply_reader reader;
  clrt_error err = {{0}};
  clrt_status status = clrt_ply_open(path, &reader, &err);
  *count = 0;
  if (status == CLRT_OK) {
    for (size_t i = 0; status == CLRT_OK && i < reader.vertex_count; ++i) {
      assert_true(i < capacity);
      status = clrt_ply_next(&reader, &vertices[i], &err);
      *count += status == CLRT_OK;
    }
    if (status == CLRT_OK)
      status = clrt_ply_finish(&reader, &err);
    clrt_ply_close(&reader);
  }
  snprintf(message, CLRT_ERROR_MESSAGE_SIZE, "%s", status == CLRT_OK ? "" : err.message);
  return status;
}

/* ---- every format and type ---- */

/* Two vertices with every property type around x, y, z, radius and
 * colours, a face element before and after them; both byte orders. */
static void check_binary(bool big_endian) {
  const char *header_fmt = "ply\nformat %s 1.0\ncomment every type\nelement face 1\n"
                           "property list uchar int vertex_indices\nelement vertex 2\n"
                           "property char c\nproperty double x\nproperty uint8 uc\nproperty float y\n"
                           "property short s\nproperty float64 z\nproperty ushort us\nproperty float radius\n"
                           "property int i\nproperty uchar red\nproperty uchar green\nproperty uchar blue\n"
                           "property uint32 ui\nproperty float32 f\nelement edge 1\nproperty list int16 uint v\n"
                           "end_header\n";
  char header[1024];
  snprintf(header, sizeof header, header_fmt, big_endian ? "binary_big_endian" : "binary_little_endian");
  unsigned char data[512];
  size_t at = 0;
  unsigned char three = 3;
  int indices[3] = {0, 1, 0};
  at = put(data, at, &three, 1, big_endian);
  for (int k = 0; k < 3; ++k)
    at = put(data, at, &indices[k], 4, big_endian);
  for (int v = 0; v < 2; ++v) {
    signed char c = -5;
    double x = 1.25 + v;
    unsigned char uc = 7, rgb[3] = {255, (unsigned char)(51 * v), 0};
    float y = -2.5f, radius = 0.5f + (float)v, f = 3.0f;
    short sh = -300;
    double z = 1e6;
    unsigned short us = 60000;
    int i = -70000;
    unsigned int ui = 4000000000u;
    at = put(data, at, &c, 1, big_endian);
    at = put(data, at, &x, 8, big_endian);
    at = put(data, at, &uc, 1, big_endian);
    at = put(data, at, &y, 4, big_endian);
    at = put(data, at, &sh, 2, big_endian);
    at = put(data, at, &z, 8, big_endian);
    at = put(data, at, &us, 2, big_endian);
    at = put(data, at, &radius, 4, big_endian);
    at = put(data, at, &i, 4, big_endian);
    for (int k = 0; k < 3; ++k)
      at = put(data, at, &rgb[k], 1, big_endian);
    at = put(data, at, &ui, 4, big_endian);
    at = put(data, at, &f, 4, big_endian);
  }
  short two = 2;
  unsigned int edge[2] = {0, 1};
  at = put(data, at, &two, 2, big_endian);
  at = put(data, at, &edge[0], 4, big_endian);
  at = put(data, at, &edge[1], 4, big_endian);
  const char *path = write_ply("types.ply", header, data, at);
  clrt_ply_vertex v[2];
  size_t count;
  char message[CLRT_ERROR_MESSAGE_SIZE];
  if (read_all(path, v, 2, &count, message) != CLRT_OK)
    fail_msg("%s", message);
  assert_int_equal(count, 2);
  assert_true(v[1].position[0] == 2.25 && v[1].position[1] == -2.5 && v[1].position[2] == 1e6);
  assert_true(v[0].radius == 0.5 && v[1].radius == 1.5);
  assert_true(v[0].color[0] == 1.0 && v[1].color[1] == 51.0 / 255.0 && v[1].color[2] == 0.0);
}

static void test_binary_little_endian(void **state) {
  (void)state;
  check_binary(false);
}

static void test_binary_big_endian(void **state) {
  (void)state;
  check_binary(true);
}

static void test_ascii_with_float_colours_and_no_radius(void **state) {
  (void)state;
  const char *path = write_ply("a.ply",
                               "ply\r\nformat ascii 1.0\r\nelement vertex 3\r\nproperty float x\r\n"
                               "property float y\r\nproperty double z\r\nproperty float nx\r\n"
                               "property float red\r\nproperty double green\r\nproperty float blue\r\n"
                               "element face 1\r\nproperty list uchar int vertex_indices\r\nend_header\r\n"
                               "0 1 2 9 0.5 0.25 1\r\n-1.5e2 0 3 9 2 0 0\r\n1 1 1 9 0 0 0\r\n3 0 1 2\r\n\r\n",
                               NULL, 0);
  clrt_ply_vertex v[3];
  size_t count;
  char message[CLRT_ERROR_MESSAGE_SIZE];
  clrt_ply_reader reader;
  clrt_error err;
  assert_int_equal(clrt_ply_open(path, &reader, &err), CLRT_OK);
  assert_false(reader.has_radius);
  assert_true(reader.has_color);
  clrt_ply_close(&reader);
  if (read_all(path, v, 3, &count, message) != CLRT_OK)
    fail_msg("%s", message);
  assert_int_equal(count, 3);
  assert_true(v[1].position[0] == -150.0 && v[0].position[2] == 2.0);
  assert_true(v[0].color[0] == 0.5 && v[1].color[0] == 2.0); /* floats as they are */
}

/* ---- malformed files ---- */

typedef struct malformed {
  const char *header;
  const char *data; /* for binary: raw bytes, data_size of them */
  size_t data_size;
  const char *fragment;
} malformed;

#define VERTEX_XYZ "element vertex 2\nproperty float x\nproperty float y\nproperty float z\n"

static const malformed MALFORMED[] = {
    {"PLY\nformat ascii 1.0\nend_header\n", "", 0, ":1: not a PLY file"},
    {"ply\nformat binary_middle_endian 1.0\n" VERTEX_XYZ "end_header\n", "", 0,
     ":2: unsupported format (ascii, binary_little_endian or binary_big_endian): binary_middle_endian"},
    {"ply\nformat ascii 2.0\n" VERTEX_XYZ "end_header\n", "", 0, ":2: expected 'format"},
    {"ply\nformat ascii 1.0\nelement vertex 1\nproperty float y\nproperty float z\nend_header\n0 0\n", "", 0,
     "the vertex element has no 'x' property"},
    {"ply\nformat ascii 1.0\nelement vertex 1\nproperty int x\nproperty float y\nproperty float z\nend_header\n1 2 3\n",
     "", 0, "vertex property 'x' is int; x, y, z and radius must be float or double"},
    {"ply\nformat ascii 1.0\n" VERTEX_XYZ "property list uchar int n\nend_header\n", "", 0,
     "vertex property 'n' is a list; list properties cannot be part of a vertex"},
    {"ply\nformat ascii 1.0\n" VERTEX_XYZ "property quad w\nend_header\n", "", 0, "unknown property type quad"},
    {"ply\nformat binary_little_endian 1.0\n" VERTEX_XYZ "end_header\n", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16,
     "need 24 bytes of data but the file holds 16 (truncated)"},
    {"ply\nformat binary_little_endian 1.0\n" VERTEX_XYZ "end_header\n",
     "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 28,
     "need 24 bytes of data but the file holds 28: the counts do not match the file's size"},
    {"ply\nformat binary_little_endian 1.0\nelement face 1\nproperty list uchar int i\n" VERTEX_XYZ "end_header\n",
     "\x05\0\0\0\0", 5, "truncated: the data ends in face 0 of 1"},
    {"ply\nformat ascii 1.0\n" VERTEX_XYZ "end_header\n1 2 3\n4 5   \n", "", 0,
     ":9: vertex 1: expected 3 numbers, found 2"},
    {"ply\nformat ascii 1.0\n" VERTEX_XYZ "end_header\n1 2 3 4     \n", "", 0,
     ":8: vertex 0: more values than the vertex has properties"},
    {"ply\nformat ascii 1.0\n" VERTEX_XYZ "end_header\n1 2 3      \n", "", 0,
     "truncated: the data ends in vertex 1 of 2"},
    /* counts the file cannot hold, refused before anything is reserved */
    {"ply\nformat ascii 1.0\nelement vertex 999999999\nproperty float x\nproperty float y\nproperty float z\n"
     "end_header\n1 2 3\n",
     "", 0, "declares 999999999 vertex elements, more than the 6 bytes of data after it can hold"},
    /* a NUL byte in the header: not read as the end of a line */
    {"ply\nformat ascii 1.0\ncomment a", "\0b\n" VERTEX_XYZ "end_header\n",
     sizeof("\0b\n" VERTEX_XYZ "end_header\n") - 1, ":3: a NUL byte in the header"},
    {"ply\nformat ascii 1.0\n" VERTEX_XYZ "property float x\nend_header\n", "", 0,
     ":7: a property declared twice in its element: x"},
    {"ply\nformat ascii 1.0\n" VERTEX_XYZ "property uchar red\nproperty uchar green\nproperty uchar blue\n"
     "end_header\n1 2 3 300 0 0\n4 5 6 1 1 1\n",
     "", 0, "vertex 0: red is uchar, a whole number from 0 to 255 (got 300)"},
    {"ply\nformat ascii 1.0\n" VERTEX_XYZ "property uchar red\nproperty uchar green\nproperty uchar blue\n"
     "end_header\n1 2 3 0.5 0 0\n4 5 6 1 1 1\n",
     "", 0, "vertex 0: red is uchar, a whole number from 0 to 255 (got 0.5)"},
    {"ply\nformat ascii 1.0\n" VERTEX_XYZ "end_header\n1 2 3\n4 5 6\n7 8 9\n", "", 0,
     ":10: data after the last element: the counts do not match the file"},
    {"ply\nformat ascii 1.0\n" VERTEX_XYZ "end_header\n1 nan 3\n4 5 6\n", "", 0,
     "vertex 0: y must be a finite number in single precision (got nan)"},
    {"ply\nformat ascii 1.0\n" VERTEX_XYZ "end_header\n1 2 1e39\n4 5 6\n", "", 0,
     "vertex 0: z must be a finite number in single precision (got 1e+39)"},
    {"ply\nformat ascii 1.0\n" VERTEX_XYZ "property float radius\nend_header\n1 2 3 1\n4 5 6 -1\n", "", 0,
     ":10: vertex 1: radius must be > 0 and finite in single precision (got -1)"},
    {"ply\nformat ascii 1.0\n" VERTEX_XYZ "property float red\nproperty float green\nproperty float blue\n"
     "end_header\n1 2 3 0 -0.5 0\n4 5 6 1 1 1\n",
     "", 0, "vertex 0: green must be >= 0 and finite (got -0.5)"},
    {"ply\nformat ascii 1.0\n" VERTEX_XYZ "property uchar red\nend_header\n", "", 0,
     "vertex colours need all of red, green and blue"},
    {"ply\nformat ascii 1.0\nelement face 1\nproperty list uchar int i\nend_header\n", "", 0,
     "the header declares no 'vertex' element"},
    {"ply\nformat ascii 1.0\nproperty float x\nend_header\n", "", 0, ":3: a property before any element"},
    {"ply\nformat ascii 1.0\nelement vertex -2\nend_header\n", "", 0,
     "an element count must be a whole number, got -2"},
    {"ply\nformat ascii 1.0\n" VERTEX_XYZ, "", 0, "the file ends inside the header (no end_header)"},
    {"ply\nelement vertex 2\nformat ascii 1.0\nend_header\n", "", 0, ":2: the format line must come first"},
};

static void test_malformed_files_say_what_is_wrong(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof MALFORMED / sizeof MALFORMED[0]; ++k) {
    const malformed *m = &MALFORMED[k];
    const char *path = write_ply("bad.ply", m->header, m->data, m->data_size ? m->data_size : strlen(m->data));
    clrt_ply_vertex v[4];
    size_t count;
    char message[CLRT_ERROR_MESSAGE_SIZE];
    if (read_all(path, v, 4, &count, message) != CLRT_ERR_INPUT)
      fail_msg("malformed file %zu was accepted", k);
    if (!strstr(message, m->fragment) || !strstr(message, "bad.ply"))
      fail_msg("malformed file %zu: \"%s\" lacks \"%s\"", k, message, m->fragment);
  }
}

/* An ascii data line is never read whole: one of a megabyte is refused,
 * naming its line. */
static void test_overlong_ascii_line_is_refused(void **state) {
  (void)state;
  size_t size = 1u << 20;
  char *data = malloc(size + 16);
  assert_non_null(data);
  memset(data, ' ', size);
  memcpy(data + size, "1 2 3\n4 5 6\n", 12);
  const char *path = write_ply("long.ply", "ply\nformat ascii 1.0\n" VERTEX_XYZ "end_header\n", data, size + 12);
  free(data);
  clrt_ply_vertex v[2];
  size_t count;
  char message[CLRT_ERROR_MESSAGE_SIZE];
  assert_int_equal(read_all(path, v, 2, &count, message), CLRT_ERR_INPUT);
  if (!strstr(message, "long.ply:8: a data line longer than 65535 bytes"))
    fail_msg("\"%s\"", message);
}

static void test_directory_and_missing_file(void **state) {
  (void)state;
  clrt_ply_reader reader;
  clrt_error err;
  assert_int_equal(clrt_ply_open(test_temp_dir(), &reader, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "the PLY file must be a regular file"));
  assert_int_equal(clrt_ply_open("/nonexistent/atoms.ply", &reader, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "/nonexistent/atoms.ply: cannot open the PLY file: No such file"));
}

/* ---- sphere sets in scenes ---- */

#define SCENE_HEAD                                                                                                     \
  "{\"image\": {\"width\": 48, \"height\": 32},"                                                                       \
  " \"camera\": {\"look_from\": [0, 0, 6], \"look_at\": [0, 0, 0], \"vfov\": 50},"                                     \
  " \"materials\": {\"atom\": {\"color\": [0.5, 0.5, 0.5], \"specular\": 0.4}},"                                       \
  " \"lights\": [{\"position\": [3, 4, 5]}], \"spheres\": "

/* Writes the scene beside the PLY file (the set's path is relative to the
 * scene's folder) and loads it. */
static clrt_status load_beside(const char *ply_path, const char *spheres_json, clrt_scene *scene, clrt_error *err) {
  char folder[700], scene_path[800], text[2048];
  snprintf(folder, sizeof folder, "%s", ply_path);
  *strrchr(folder, '/') = '\0';
  snprintf(scene_path, sizeof scene_path, "%s/scene.json", folder);
  snprintf(text, sizeof text, "%s%s}", SCENE_HEAD, spheres_json);
  FILE *file = fopen(scene_path, "w");
  assert_non_null(file);
  fputs(text, file);
  fclose(file);
  return clrt_scene_load(scene_path, scene, err);
}

static const char ATOMS_PLY[] = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
                                "property float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\n"
                                "end_header\n-1.5 0 0 255 0 0\n0 0.5 0 0 255 0\n1.5 0 -1 51 102 255\n";

static void test_set_from_file_uses_the_entry_radius(void **state) {
  (void)state;
  const char *path = write_ply("atoms.ply", ATOMS_PLY, NULL, 0);
  clrt_scene scene;
  clrt_error err;
  assert_int_equal(load_beside(path, "[{\"file\": \"atoms.ply\", \"material\": \"atom\"}]", &scene, &err),
                   CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "spheres[0]: the PLY file has no radius property"));
  if (load_beside(path, "[{\"file\": \"atoms.ply\", \"material\": \"atom\", \"radius\": 0.7}]", &scene, &err))
    fail_msg("%s", err.message);
  assert_int_equal(scene.sphere_count, 3);
  assert_true(scene.spheres[2].radius == 0.7f && scene.spheres[2].center[2] == -1.0f);
  assert_true(scene.spheres[1].has_color && scene.spheres[1].color[1] == 1.0f);
  clrt_scene_free(&scene);
  assert_int_equal(
      load_beside(path, "[{\"file\": \"atoms.ply\", \"material\": \"none\", \"radius\": 1}]", &scene, &err),
      CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "spheres[0].material: unknown material \"none\""));
  assert_int_equal(
      load_beside(path, "[{\"file\": \"missing.ply\", \"material\": \"atom\", \"radius\": 1}]", &scene, &err),
      CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "missing.ply: cannot open the PLY file"));
}

/* A set's path longer than PATH_MAX is an error that says so, not a
 * path cut short; the message keeps the reason after a long path. */
static void test_overlong_set_path_is_refused(void **state) {
  (void)state;
  enum { NAME = 5000 };
  char *text = malloc(NAME + 1024);
  assert_non_null(text);
  int head = snprintf(text, 1024, "%s[{\"file\": \"", SCENE_HEAD);
  memset(text + head, 'a', NAME);
  strcpy(text + head + NAME, ".ply\", \"material\": \"atom\", \"radius\": 1}]}");
  clrt_scene scene;
  clrt_error err;
  assert_int_equal(clrt_scene_parse(text, "long.json", &scene, &err), CLRT_ERR_INPUT);
  free(text);
  assert_non_null(strstr(err.message, "spheres[0].file: the path is longer than 4095 bytes"));
}

static picture render_host(const clrt_scene *scene) {
  clrt_flat_scene flat;
  clrt_film film;
  clrt_error err;
  assert_int_equal(clrt_flatten(scene, &flat, &err), CLRT_OK);
  assert_int_equal(
      clrt_film_init(&film, scene->image.width, scene->image.height, CLRT_FILM_LINEAR, flat.tone_levels, &err),
      CLRT_OK);
  clrt_tally tally;
  assert_true(clrt_reference_render(&flat, &film, 1, NULL, &tally));
  picture p = {film.width, film.height, film.linear, NULL};
  film.linear = NULL;
  clrt_film_free(&film);
  clrt_flat_scene_free(&flat);
  return p;
}

/* The same spheres as a PLY set and as JSON with their own colours. */
static void test_set_and_inline_spheres_give_the_same_picture(void **state) {
  (void)state;
  const char *path = write_ply("atoms.ply", ATOMS_PLY, NULL, 0);
  clrt_scene from_file, inline_json;
  clrt_error err;
  if (load_beside(path, "[{\"file\": \"atoms.ply\", \"material\": \"atom\", \"radius\": 0.7}]", &from_file, &err))
    fail_msg("%s", err.message);
  if (load_beside(path,
                  "[{\"center\": [-1.5, 0, 0], \"radius\": 0.7, \"material\": \"atom\", \"color\": [1, 0, 0]},"
                  " {\"center\": [0, 0.5, 0], \"radius\": 0.7, \"material\": \"atom\", \"color\": [0, 1, 0]},"
                  " {\"center\": [1.5, 0, -1], \"radius\": 0.7, \"material\": \"atom\","
                  " \"color\": [0.2, 0.4, 1]}]",
                  &inline_json, &err))
    fail_msg("%s", err.message);
  picture a = render_host(&from_file), b = render_host(&inline_json);
  assert_memory_equal(a.linear, b.linear, (size_t)48 * 32 * 3 * sizeof(float));
  float brightest_red = 0.0f;
  for (size_t i = 0; i < (size_t)48 * 32; ++i) /* the red atom is there */
    brightest_red = fmaxf(brightest_red, a.linear[3 * i] - a.linear[3 * i + 1]);
  assert_true(brightest_red > 0.3f);
  test_picture_free(&a);
  test_picture_free(&b);
  clrt_scene_free(&from_file);
  clrt_scene_free(&inline_json);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_binary_little_endian),
      cmocka_unit_test(test_binary_big_endian),
      cmocka_unit_test(test_ascii_with_float_colours_and_no_radius),
      cmocka_unit_test(test_malformed_files_say_what_is_wrong),
      cmocka_unit_test(test_overlong_ascii_line_is_refused),
      cmocka_unit_test(test_overlong_set_path_is_refused),
      cmocka_unit_test(test_directory_and_missing_file),
      cmocka_unit_test(test_set_from_file_uses_the_entry_radius),
      cmocka_unit_test(test_set_and_inline_spheres_give_the_same_picture),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
