/* Whole-file reads and all-or-nothing replacement (host/util/file.c). */
#include "test_support.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clrt_file.h"

static char *path_in(const char *folder, const char *name) {
  static char path[1024];
  snprintf(path, sizeof path, "%s/%s", folder, name);
  return path;
}

/* How many entries a folder holds besides . and .. */
static int entries_in(const char *folder) {
  DIR *dir = opendir(folder);
  assert_non_null(dir);
  int count = 0;
  for (struct dirent *entry; (entry = readdir(dir));)
    count += strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0;
  closedir(dir);
  return count;
}

static void test_reads_the_whole_file_nul_terminated(void **state) {
  (void)state;
  const char *path = test_write_temp("{\"a\": 1}\n", "scene.json");
  char *data;
  size_t size;
  clrt_error err;
  assert_int_equal(clrt_file_read(path, "the scene file", &data, &size, &err), CLRT_OK);
  assert_int_equal(size, 9);
  assert_string_equal(data, "{\"a\": 1}\n");
  free(data);
  path = test_write_temp("", "empty.json");
  assert_int_equal(clrt_file_read(path, "the scene file", &data, &size, &err), CLRT_OK);
  assert_int_equal(size, 0);
  assert_string_equal(data, "");
  free(data);
}

/* A big file read in one piece, byte for byte. */
static void test_reads_a_large_file(void **state) {
  (void)state;
  enum { SIZE = 3 << 20 };
  char *text = malloc(SIZE + 1);
  assert_non_null(text);
  for (size_t i = 0; i < SIZE; ++i)
    text[i] = (char)('a' + i % 26);
  text[SIZE] = '\0';
  const char *path = test_write_temp(text, "large.txt");
  char *data;
  size_t size;
  clrt_error err;
  assert_int_equal(clrt_file_read(path, "the file", &data, &size, &err), CLRT_OK);
  assert_int_equal(size, SIZE);
  assert_memory_equal(data, text, SIZE);
  free(data);
  free(text);
}

/* Only regular files: a folder, a FIFO (without waiting for a writer) or
 * a missing file is an input error that says so. */
static void test_only_regular_files_are_read(void **state) {
  (void)state;
  const char *folder = test_temp_dir();
  char *data = (char *)"untouched";
  size_t size;
  clrt_error err;
  assert_int_equal(clrt_file_read(folder, "the scene file", &data, &size, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "the scene file must be a regular file, not a directory"));
  assert_null(data);
  char fifo[1024];
  snprintf(fifo, sizeof fifo, "%s", path_in(folder, "pipe"));
  assert_int_equal(mkfifo(fifo, 0600), 0);
  assert_int_equal(clrt_file_read(fifo, "the scene file", &data, &size, &err), CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "not a special file (FIFO, device or socket)"));
  assert_int_equal(clrt_file_read(path_in(folder, "missing.json"), "the scene file", &data, &size, &err),
                   CLRT_ERR_INPUT);
  assert_non_null(strstr(err.message, "missing.json: cannot open the scene file: No such file or directory"));
}

static void test_temporary_sits_beside_the_path_unreadable_to_others(void **state) {
  (void)state;
  const char *folder = test_temp_dir();
  char target[1024];
  snprintf(target, sizeof target, "%s", path_in(folder, "out.png"));
  char *temporary;
  int fd = clrt_file_temporary(target, &temporary);
  assert_true(fd >= 0);
  assert_true(strncmp(temporary, target, strlen(target)) == 0);
  assert_true(strncmp(temporary + strlen(target), ".tmp-", 5) == 0);
  struct stat info;
  assert_int_equal(fstat(fd, &info), 0);
  assert_int_equal(info.st_mode & 0777, 0600);
  close(fd);
  unlink(temporary);
  free(temporary);
  assert_int_equal(clrt_file_temporary(path_in(folder, "no/such/folder/x"), &temporary), -1);
  assert_null(temporary);
}

static void test_replace_is_all_or_nothing(void **state) {
  (void)state;
  const char *folder = test_temp_dir();
  char target[1024];
  snprintf(target, sizeof target, "%s", path_in(folder, "choices.json"));
  clrt_file_part old_parts[] = {{"old", 3}};
  assert_true(clrt_file_replace(target, old_parts, 1));
  clrt_file_part parts[] = {{"[1, ", 4}, {"2]", 2}};
  assert_true(clrt_file_replace(target, parts, 2));
  size_t size;
  char *data = test_read_file(target, &size);
  assert_string_equal(data, "[1, 2]");
  free(data);
  assert_int_equal(entries_in(folder), 1); /* no temporary left */
  assert_false(clrt_file_replace(path_in(folder, "missing/choices.json"), parts, 2));
  assert_int_equal(entries_in(folder), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reads_the_whole_file_nul_terminated),
      cmocka_unit_test(test_reads_a_large_file),
      cmocka_unit_test(test_only_regular_files_are_read),
      cmocka_unit_test(test_temporary_sits_beside_the_path_unreadable_to_others),
      cmocka_unit_test(test_replace_is_all_or_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
