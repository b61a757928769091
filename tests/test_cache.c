/* The cache folder and what is kept in it: checked entries that survive
 * any damage, a folder others could write into refused, and stored tile
 * choices checked like user input. */
#include "test_support.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clrt_cache.h"
#include "clrt_tiling.h"

#define ENTRY "program-test.bin"
#define KEY 0x1234567890abcdefULL

static char cache_dir[1024];

/* A fresh, private cache folder named by CLRT_CACHE_DIR. */
static const char *fresh_cache(void) {
  snprintf(cache_dir, sizeof cache_dir, "%s/cache", test_temp_dir());
  setenv(CLRT_CACHE_DIR_ENVIRONMENT, cache_dir, 1);
  char checked[1024];
  assert_true(clrt_cache_dir(checked, sizeof checked, NULL)); /* made on first use */
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

static char *read_log(FILE *log) {
  static char text[4096];
  rewind(log);
  size_t length = fread(text, 1, sizeof text - 1, log);
  text[length] = '\0';
  return text;
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
  const char *text = read_log(log);
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

static clrt_device fake_device(const char *name) {
  clrt_device device;
  memset(&device, 0, sizeof device);
  snprintf(device.name, sizeof device.name, "%s", name);
  snprintf(device.platform_name, sizeof device.platform_name, "Portable Computing Language");
  snprintf(device.driver_version, sizeof device.driver_version, "3.1");
  return device;
}

static void write_choices(const char *text) {
  char path[1200];
  snprintf(path, sizeof path, "%s/tile-choices.json", cache_dir);
  unlink(path);
  write_bytes(path, text, strlen(text));
}

/* The default tiling with the stored choices in `text`, and whether a
 * warning was given. */
static clrt_tiling default_with(const char *text, bool *warned) {
  fresh_cache(); /* a new process, as far as the once-only warning goes */
  write_choices(text);
  clrt_device device = fake_device("dev");
  FILE *log = tmpfile();
  clrt_tiling tiling = clrt_tiling_default(&device, 1, log);
  *warned = strstr(read_log(log), "clrt: warning:") != NULL;
  fclose(log);
  return tiling;
}

static const char KEY_PREFIX[] = "{\"Portable Computing Language | dev | driver 3.1\": {\"tiling\": \"";

static void expect_stored_ignored(const char *tiling_text) {
  char text[512];
  snprintf(text, sizeof text, "%s%s\"}}", KEY_PREFIX, tiling_text);
  bool warned;
  clrt_tiling tiling = default_with(text, &warned);
  if (tiling.from_sweep)
    fail_msg("the stored tiling '%s' was used", tiling_text);
  assert_int_equal(tiling.tile_width, CLRT_DEFAULT_TILE_SIDE);
}

static void test_stored_choices_are_checked(void **state) {
  (void)state;
  const char *bad[] = {"1x1", "8x64", "-1x-1", "64x-4294967295", "0x0", "strips:0", "strips:99999", " 64x64", "64x64 "};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i)
    expect_stored_ignored(bad[i]);
  bool warned;
  char text[512];
  snprintf(text, sizeof text, "%s64x32\"}}", KEY_PREFIX);
  clrt_tiling good = default_with(text, &warned);
  assert_true(good.from_sweep && good.tile_width == 64 && good.tile_height == 32);
  assert_false(warned);
  default_with("[1, 2", &warned); /* not JSON */
  assert_true(warned);
  default_with("{\"other device\": {\"tiling\": \"1x1\"}}", &warned);
  assert_false(warned); /* another device's entry is not this one's business */
  /* a FIFO there must not hang */
  fresh_cache();
  char path[1200];
  snprintf(path, sizeof path, "%s/tile-choices.json", cache_dir);
  assert_int_equal(mkfifo(path, 0600), 0);
  clrt_device device = fake_device("dev");
  assert_false(clrt_tiling_default(&device, 1, NULL).from_sweep);
  unsetenv(CLRT_CACHE_DIR_ENVIRONMENT);
}

/* A choice stored on a taller image still plans on a short one. */
static void test_stored_strips_fit_a_shorter_image(void **state) {
  (void)state;
  clrt_tiling tiling = {.strips = 512, .from_sweep = true};
  clrt_tile_plan plan;
  clrt_error err;
  assert_int_equal(clrt_tiling_plan(&tiling, 64, 90, &plan, &err), CLRT_OK);
  assert_int_equal(plan.count, 90);
  clrt_tiles_free(&plan);
  tiling.from_sweep = false; /* the user's --tiles 512 is still checked */
  assert_int_equal(clrt_tiling_plan(&tiling, 64, 90, &plan, &err), CLRT_ERR_INPUT);
}

/* Sweeps storing at the same time lose none of each other's choices. */
static void test_concurrent_stores_keep_every_choice(void **state) {
  (void)state;
  fresh_cache();
  enum { WRITERS = 4, EACH = 15 };
  pid_t children[WRITERS];
  for (int w = 0; w < WRITERS; ++w) {
    children[w] = fork();
    assert_true(children[w] >= 0);
    if (children[w] == 0) {
      for (int i = 0; i < EACH; ++i) {
        char name[32], path[1200];
        snprintf(name, sizeof name, "dev-%d-%d", w, i);
        clrt_device device = fake_device(name);
        clrt_error err;
        if (clrt_tiling_store(&device, "strips:8", NULL, path, sizeof path, &err) != CLRT_OK)
          _exit(1);
      }
      _exit(0);
    }
  }
  for (int w = 0; w < WRITERS; ++w) {
    int status;
    assert_int_equal(waitpid(children[w], &status, 0), children[w]);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  for (int w = 0; w < WRITERS; ++w)
    for (int i = 0; i < EACH; ++i) {
      char name[32];
      snprintf(name, sizeof name, "dev-%d-%d", w, i);
      clrt_device device = fake_device(name);
      if (!clrt_tiling_default(&device, 1, NULL).from_sweep)
        fail_msg("the choice of %s was lost", name);
    }
  unsetenv(CLRT_CACHE_DIR_ENVIRONMENT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_entry_round_trip),
      cmocka_unit_test(test_damaged_entries_never_load),
      cmocka_unit_test(test_unsafe_folder_is_refused),
      cmocka_unit_test(test_stored_choices_are_checked),
      cmocka_unit_test(test_stored_strips_fit_a_shorter_image),
      cmocka_unit_test(test_concurrent_stores_keep_every_choice),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
