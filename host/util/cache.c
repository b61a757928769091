/* The cache folder and checked cache entries (clrt_cache.h). */
#include "clrt_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clrt_file.h"
#include "clrt_hash.h"

/* "CLRTENT" and the format's version: a change of layout changes it. */
static const char ENTRY_MAGIC[8] = {'C', 'L', 'R', 'T', 'E', 'N', 'T', '1'};

/* What precedes every payload, in the machine's byte order (a cache is not
 * shared between machines). */
typedef struct entry_header {
  char magic[8];
  uint64_t key;      /* what the payload was made from */
  uint64_t length;   /* the payload's bytes */
  uint64_t checksum; /* FNV-1a of the payload */
} entry_header;

bool clrt_cache_dir_path(char *out, size_t size) {
  const char *chosen = getenv(CLRT_CACHE_DIR_ENVIRONMENT);
  if (chosen && strcmp(chosen, "off") == 0)
    return false;
  if (chosen && *chosen)
    return snprintf(out, size, "%s", chosen) < (int)size;
  const char *xdg = getenv("XDG_CACHE_HOME");
  if (xdg && *xdg)
    return snprintf(out, size, "%s/clrt", xdg) < (int)size;
  const char *home = getenv("HOME");
  return home && *home && snprintf(out, size, "%s/.cache/clrt", home) < (int)size;
}

/* mkdir -p, private: folders it makes are the user's alone. */
static void make_directories(const char *path) {
  char partial[4096];
  if (snprintf(partial, sizeof partial, "%s/", path) >= (int)sizeof partial)
    return;
  for (char *slash = strchr(partial + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
    *slash = '\0';
    mkdir(partial, 0700);
    *slash = '/';
  }
}

/* Why the folder must not be used, into `why`; false when it is fine. */
static bool refuse_reason(const char *path, char *why, size_t size) {
  struct stat info;
  if (lstat(path, &info) != 0)
    return snprintf(why, size, "cannot use the cache folder %s: %s", path, strerror(errno)), true;
  if (!S_ISDIR(info.st_mode))
    return snprintf(why, size, "the cache folder %s is not a folder", path), true;
  if (info.st_uid != geteuid())
    return snprintf(why, size, "the cache folder %s belongs to user %lu, not to you (set %s to a folder of your own)",
                    path, (unsigned long)info.st_uid, CLRT_CACHE_DIR_ENVIRONMENT),
           true;
  if (info.st_mode & (S_IWGRP | S_IWOTH))
    return snprintf(why, size, "the cache folder %s may be written by others (mode %03o; run chmod go-w %s)", path,
                    (unsigned)(info.st_mode & 0777), path),
           true;
  return false;
}

bool clrt_cache_dir(char *out, size_t size, FILE *log) {
  if (!clrt_cache_dir_path(out, size))
    return false;
  make_directories(out);
  char why[4200];
  if (!refuse_reason(out, why, sizeof why))
    return true;
  clrt_warn_once(log, "%s; going on without the cache", why);
  return false;
}

static bool entry_path(const char *directory, const char *name, char *out, size_t size) {
  return snprintf(out, size, "%s/%s", directory, name) < (int)size;
}

bool clrt_cache_load(const char *directory, const char *name, uint64_t key, char **payload, size_t *size) {
  char path[4200];
  char *data;
  size_t length;
  clrt_error ignored;
  *payload = NULL;
  *size = 0;
  if (!entry_path(directory, name, path, sizeof path) ||
      clrt_file_read(path, "a cache entry", &data, &length, &ignored) != CLRT_OK)
    return false;
  entry_header header;
  bool intact = length >= sizeof header;
  if (intact) {
    memcpy(&header, data, sizeof header);
    intact = memcmp(header.magic, ENTRY_MAGIC, sizeof header.magic) == 0 && header.key == key &&
             header.length == length - sizeof header &&
             header.checksum == clrt_hash_bytes(CLRT_HASH_START, data + sizeof header, header.length);
  }
  if (!intact) {
    free(data);
    return false;
  }
  memmove(data, data + sizeof header, header.length);
  *payload = data;
  *size = header.length;
  return true;
}

bool clrt_cache_store(const char *directory, const char *name, uint64_t key, const void *payload, size_t size) {
  char path[4200];
  if (!entry_path(directory, name, path, sizeof path))
    return false;
  entry_header header = {.key = key, .length = size, .checksum = clrt_hash_bytes(CLRT_HASH_START, payload, size)};
  memcpy(header.magic, ENTRY_MAGIC, sizeof header.magic);
  clrt_file_part parts[] = {{&header, sizeof header}, {payload, size}};
  return clrt_file_replace(path, parts, 2);
}
