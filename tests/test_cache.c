/* The cache folder and what is kept in it (host/util/cache.c): checked
 * entries that survive any damage, a folder others could write into
 * refused. */
#include "test_support.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clrt_cache.h"

#define ENTRY "program-test.bin"
#define KEY 0x1234567890abcdefULL

static char cache_dir[1024];

/* A fresh, private cache folder named by CLRT_CACHE_DIR. */
static const char *fresh_cache(void) {
  snprintf(cache_dir, sizeof cache_dir, "%s", test_fresh_cache());
  return cache_dir;
}

static char *entry_path(void) {
  static char path[1200];
  snprintf(path, sizeof path, "%s/%s", cache_dir, ENTRY);
  return path;
}

static void write_bytes(const char *path, const char *data, size_t size) {
  FILE *file = fopen(path, "wb");
  assert_non_null(file);
  assert_int_equal(fwrite(data, 1, size, file), size);
  assert_int_equal(fclose(file), 0);
}

static bool loads(uint64_t key) {
  char *payload;
  size_t size;
  bool loaded = clrt_cache_load(cache_dir, ENTRY, key, &payload, &size);
  free(payload);
  return loaded;
}

static void test_entry_round_trip(void **state) {
  (void)state;
  fresh_cache();
  struct stat info;
  assert_int_equal(stat(cache_dir, &info), 0);
  assert_int_equal(info.st_mode & 0777, 0700); /* made private */
  const char payload[] = "a program binary\0with a NUL inside";
  assert_true(clrt_cache_store(cache_dir, ENTRY, KEY, payload, sizeof payload));
  char *loaded;
  size_t size;
  assert_true(clrt_cache_load(cache_dir, ENTRY, KEY, &loaded, &size));
  assert_int_equal(size, sizeof payload);
  assert_memory_equal(loaded, payload, sizeof payload);
  free(loaded);
  assert_false(loads(KEY + 1)); /* made from something else */
  assert_true(clrt_cache_store(cache_dir, ENTRY, KEY, "", 0));
  assert_true(loads(KEY)); /* an empty payload is still an entry */
  assert_false(clrt_cache_load(cache_dir, "missing.bin", KEY, &loaded, &size));
  assert_null(loaded);
  char listing[1400];
  snprintf(listing, sizeof listing, "ls %s | grep -c tmp- >/dev/null", cache_dir);
  assert_int_not_equal(system(listing), 0); /* no temporary file left */
}

/* Every truncation, every flipped byte, and bytes added: none loads. */
static void test_damaged_entries_never_load(void **state) {
  (void)state;
  fresh_cache();
  char payload[200];
  for (size_t i = 0; i < sizeof payload; ++i)
    payload[i] = (char)(i * 7 + 3);
  assert_true(clrt_cache_store(cache_dir, ENTRY, KEY, payload, sizeof payload));
  size_t size;
  char *good = test_read_file(entry_path(), &size);
  assert_non_null(good);
  assert_true(size > sizeof payload);
  for (size_t length = 0; length < size; ++length) {
    write_bytes(entry_path(), good, length);
    if (loads(KEY))
      fail_msg("an entry cut to %zu of %zu bytes loaded", length, size);
  }
  for (size_t i = 0; i < size; ++i) {
    good[i] ^= 0x10;
    write_bytes(entry_path(), good, size);
    good[i] ^= 0x10;
    if (loads(KEY))
      fail_msg("an entry with byte %zu flipped loaded", i);
  }
  char *longer = malloc(size + 1);
  memcpy(longer, good, size);
  longer[size] = 0;
  write_bytes(entry_path(), longer, size + 1);
  assert_false(loads(KEY));
  free(longer);
  write_bytes(entry_path(), good, size);
  assert_true(loads(KEY)); /* and the intact one does */
  free(good);
  unlink(entry_path());
  assert_int_equal(mkfifo(entry_path(), 0600), 0);
  assert_false(loads(KEY)); /* a FIFO does not hang */
}

/* A folder others may write into is a way to run their code: refused,
 * with one warning saying why and what to do. */
static void test_unsafe_folder_is_refused(void **state) {
  (void)state;
  fresh_cache();
  assert_int_equal(chmod(cache_dir, 0777), 0);
  FILE *log = tmpfile();
  char out[1024];
  assert_false(clrt_cache_dir(out, sizeof out, log));
  assert_false(clrt_cache_dir(out, sizeof out, log));
  const char *text = test_read_log(log);
  assert_non_null(strstr(text, "clrt: warning: the cache folder"));
  assert_non_null(strstr(text, "may be written by others (mode 777; run chmod go-w"));
  assert_null(strstr(strstr(text, "warning") + 1, "warning")); /* once */
  fclose(log);
  assert_int_equal(chmod(cache_dir, 0720), 0);
  assert_false(clrt_cache_dir(out, sizeof out, NULL)); /* group-writable too */
  assert_int_equal(chmod(cache_dir, 0755), 0);
  assert_true(clrt_cache_dir(out, sizeof out, NULL));
  if (geteuid() == 0) { /* only root can give the folder away */
    assert_int_equal(chown(cache_dir, 65534, 65534), 0);
    assert_false(clrt_cache_dir(out, sizeof out, NULL));
  }
  setenv(CLRT_CACHE_DIR_ENVIRONMENT, "off", 1);
  assert_false(clrt_cache_dir(out, sizeof out, NULL));
  unsetenv(CLRT_CACHE_DIR_ENVIRONMENT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_entry_round_trip),
      cmocka_unit_test(test_damaged_entries_never_load),
      cmocka_unit_test(test_unsafe_folder_is_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
