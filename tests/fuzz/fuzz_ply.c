/* libFuzzer target: the PLY reader on any bytes. They go to a memory file
 * that the reader opens by its /proc path, like any file on disk, so that
 * every check (regular file, binary size against the header's counts)
 * runs. Built by -DCLRT_FUZZ=ON with clang; run by scripts/fuzz.sh ply. */
#define _GNU_SOURCE /* memfd_create */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clrt_ply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memory_file = -1;
static char memory_path[64];

/* Every vertex, then the end: what clrt reads of a sphere set. */
static void read_all(void) {
  clrt_ply_reader reader;
  clrt_error err;
  if (clrt_ply_open(memory_path, &reader, &err) != CLRT_OK)
    return;
  clrt_status status = CLRT_OK;
  for (size_t i = 0; status == CLRT_OK && i < reader.vertex_count; ++i) {
    clrt_ply_vertex vertex;
    status = clrt_ply_next(&reader, &vertex, &err);
  }
  if (status == CLRT_OK)
    clrt_ply_finish(&reader, &err);
  clrt_ply_close(&reader);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (memory_file < 0) {
    memory_file = memfd_create("fuzz.ply", 0);
    if (memory_file < 0)
      abort();
    snprintf(memory_path, sizeof memory_path, "/proc/self/fd/%d", memory_file);
  }
  if (ftruncate(memory_file, 0) != 0 || pwrite(memory_file, data, size, 0) != (ssize_t)size)
    abort();
  read_all();
  return 0;
}
