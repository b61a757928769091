/* Colour maps: the built-in tables hold matplotlib's values, a value on a
 * row gets that row exactly, values between rows are interpolated, map
 * files are read and their mistakes named. */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clrt_colormap.h"

/* Rows of matplotlib 3.6.3's tables (colormaps[name](k)), as printed by
 * matplotlib itself. */
typedef struct known_row {
  const char *map;
  int row;
  double rgb[3];
} known_row;

static const known_row KNOWN[] = {
    {"viridis", 0, {0.267004, 0.004874, 0.329415}},
    {"viridis", 128, {0.127568, 0.566949, 0.550556}},
    {"viridis", 255, {0.993248, 0.906157, 0.143936}},
    {"magma", 200, {0.992785, 0.594891, 0.410283}},
    {"inferno", 32, {0.129285, 0.047293, 0.290788}},
    {"plasma", 250, {0.951726, 0.941671, 0.152925}},
    {"cividis", 64, {0.263738, 0.307831, 0.422789}},
    {"turbo", 77, {0.09532, 0.84455, 0.79299}},
    {"coolwarm", 128, {0.8674276350862745, 0.864376599772549, 0.8626024620196079}},
    {"greys", 100, {0.7201845444059978, 0.7201845444059978, 0.7201845444059978}},
    {"greys", 255, {0.0, 0.0, 0.0}},
};

/* A value k in the range [0, 255] is row k, bit for bit; so is the same
 * row reached through another range. */
static void test_values_on_rows_get_the_table_exactly(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof KNOWN / sizeof KNOWN[0]; ++i) {
    clrt_colormap map;
    assert_true(clrt_colormap_builtin(KNOWN[i].map, &map));
    assert_int_equal(map.rows, 256);
    double srgb[3], scaled[3];
    clrt_colormap_srgb(&map, KNOWN[i].row, 0.0, 255.0, srgb);
    clrt_colormap_srgb(&map, -10.0 + KNOWN[i].row * 0.5, -10.0, 117.5, scaled);
    for (int c = 0; c < 3; ++c) {
      if (srgb[c] != KNOWN[i].rgb[c] || scaled[c] != KNOWN[i].rgb[c])
        fail_msg("%s row %d channel %d: %.17g and %.17g, not %.17g", KNOWN[i].map, KNOWN[i].row, c, srgb[c], scaled[c],
                 KNOWN[i].rgb[c]);
    }
  }
}

static void test_between_rows_is_linear_and_ends_clamp(void **state) {
  (void)state;
  clrt_colormap map;
  assert_true(clrt_colormap_builtin("viridis", &map));
  double half[3], low[3], high[3], nan_value[3];
  clrt_colormap_srgb(&map, 0.5, 0.0, 255.0, half);
  clrt_colormap_srgb(&map, -3.0, 0.0, 255.0, low);
  clrt_colormap_srgb(&map, 1e9, 0.0, 255.0, high);
  clrt_colormap_srgb(&map, NAN, 0.0, 255.0, nan_value);
  for (int c = 0; c < 3; ++c) {
    assert_true(fabs(half[c] - 0.5 * (map.rgb[0][c] + map.rgb[1][c])) < 1e-15);
    assert_true(low[c] == map.rgb[0][c] && nan_value[c] == map.rgb[0][c] && high[c] == map.rgb[255][c]);
  }
  /* Linear colour undoes the sRGB curve: 0.5 encoded is 0.214 linear. */
  clrt_colormap grey;
  assert_true(clrt_colormap_builtin("greys", &grey));
  double linear[3];
  assert_true(clrt_colormap_linear(&grey, 0.0, 0.0, 1.0, linear));
  assert_true(linear[0] == 1.0);
  clrt_colormap_linear(&grey, 0.5, 0.0, 1.0, linear); /* between rows 127 and 128, interpolated linear */
  assert_true(fabs(linear[0] - 0.5 * (grey.linear[127][0] + grey.linear[128][0])) < 1e-15);
  clrt_colormap_free(&grey);
  assert_false(clrt_colormap_builtin("jet", &map));
  char names[256];
  clrt_colormap_builtin_names(names, sizeof names);
  assert_string_equal(names, "viridis, magma, inferno, plasma, cividis, turbo, coolwarm, greys");
}

static const char *write_text(const char *name, const char *text) {
  static char path[700];
  snprintf(path, sizeof path, "%s/%s", test_temp_dir(), name);
  FILE *file = fopen(path, "w");
  assert_non_null(file);
  fputs(text, file);
  assert_int_equal(fclose(file), 0);
  return path;
}

static void test_map_file_rows_and_comments(void **state) {
  (void)state;
  const char *path = write_text("map.txt", "# red to blue\n1 0 0\n\n0 0.5 0  \n0 0 1\n");
  clrt_colormap map;
  clrt_error err;
  if (clrt_colormap_read(path, &map, &err))
    fail_msg("%s", err.message);
  assert_int_equal(map.rows, 3);
  double middle[3], quarter[3];
  clrt_colormap_srgb(&map, 5.0, 0.0, 10.0, middle);
  clrt_colormap_srgb(&map, 2.5, 0.0, 10.0, quarter);
  assert_true(middle[0] == 0.0 && middle[1] == 0.5 && middle[2] == 0.0);
  assert_true(quarter[0] == 0.5 && quarter[1] == 0.25 && quarter[2] == 0.0);
  clrt_colormap_free(&map);
}

static void test_map_file_mistakes_are_named(void **state) {
  (void)state;
  static const struct {
    const char *text, *message;
  } cases[] = {
      {"0 0 0\n1 1\n", "map.txt:2: a row must be three numbers r g b, each in [0, 1]"},
      {"0 0 0\n1 1 2\n", "map.txt:2: a row must be three numbers"},
      {"0 0 0\n1 1 1 1\n", "map.txt:2: a row holds three numbers r g b and nothing after them"},
      {"# only\n0.5 0.5 0.5\n", "map.txt: a colour map needs at least two rows of r g b (it has 1)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    const char *path = write_text("map.txt", cases[i].text);
    clrt_colormap map;
    clrt_error err;
    assert_int_equal(clrt_colormap_read(path, &map, &err), CLRT_ERR_INPUT);
    if (!strstr(err.message, cases[i].message))
      fail_msg("case %zu: %s", i, err.message);
  }
  clrt_colormap map;
  clrt_error err;
  char missing[800];
  snprintf(missing, sizeof missing, "%s/none.txt", test_temp_dir());
  assert_int_not_equal(clrt_colormap_read(missing, &map, &err), CLRT_OK);
  assert_non_null(strstr(err.message, "none.txt"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_values_on_rows_get_the_table_exactly),
      cmocka_unit_test(test_between_rows_is_linear_and_ends_clamp),
      cmocka_unit_test(test_map_file_rows_and_comments),
      cmocka_unit_test(test_map_file_mistakes_are_named),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
