/* Checkpoints of a render (clrt_checkpoint.h). */
#include "clrt_checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "clrt_clock.h"
#include "clrt_file.h"

static const char CHECKPOINT_MAGIC[8] = {'C', 'L', 'R', 'T', 'C', 'K', 'P', 'T'};
enum {
  CHECKPOINT_VERSION = 1,
  /* Read back as another number on a machine of the other byte order. */
  BYTE_ORDER_MARK = 0x01020304,
  TILE_TAG = 0x454c4954,  /* "TILE" */
  STATE_TAG = 0x54415453, /* "STAT" */
  SUMS_TAG = 0x534d5553,  /* "SUMS" */
  /* zlib's fastest: a tile is compressed on the thread that rendered it,
   * which a stronger level would hold back. */
  CHECKPOINT_ZLIB_LEVEL = 1,
};
/* Appended records are synced to disk at most this often: a power cut
 * loses at most the last second's tiles; a kill loses none. */
#define CHECKPOINT_SYNC_MS 1000.0

typedef struct file_header {
  char magic[8];
  uint32_t version, byte_order, kind;
  uint32_t width, height, pixel_bytes;
  uint8_t identity[CLRT_CHECKPOINT_IDENTITY_BYTES];
} file_header;

typedef struct record_header {
  uint32_t tag;
  uint32_t x, y, width, height; /* a tile's; zero for the passes' records */
  uint32_t crc;                 /* CRC-32 of this header (crc 0) and the stored bytes */
  uint64_t raw_bytes;           /* once uncompressed */
  uint64_t stored_bytes;        /* compressed, following the header */
} record_header;

struct clrt_checkpoint {
  char *path;
  char *part_path; /* passes: where the next one is written before the rename */
  int fd;          /* tiles: the file records are appended to; else -1 */
  file_header header;
  off_t end; /* tiles: where the next record goes */
  pthread_mutex_t lock;
  double synced_ms;
  uint8_t *covered; /* tiles, resumed: a bit per pixel the records restored */
  bool failed;
  clrt_error failure;
};

void clrt_checkpoint_identify(const clrt_identity_part *parts, size_t count,
                              uint8_t identity[CLRT_CHECKPOINT_IDENTITY_BYTES]) {
  struct sha256_ctx context;
  sha256_init(&context);
  for (size_t i = 0; i < count; ++i) {
    uint64_t size = parts[i].size; /* so that the parts' boundaries count */
    sha256_update(&context, sizeof size, (const uint8_t *)&size);
    sha256_update(&context, parts[i].size, parts[i].data);
  }
  sha256_digest(&context, CLRT_CHECKPOINT_IDENTITY_BYTES, identity);
}

static file_header header_of(const clrt_checkpoint_render *render) {
  file_header h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, CHECKPOINT_MAGIC, sizeof h.magic);
  h.version = CHECKPOINT_VERSION;
  h.byte_order = BYTE_ORDER_MARK;
  h.kind = (uint32_t)render->kind;
  h.width = render->film->width;
  h.height = render->film->height;
  h.pixel_bytes = (uint32_t)clrt_film_pixel_bytes(render->film);
  memcpy(h.identity, render->identity, sizeof h.identity);
  return h;
}

static clrt_checkpoint *new_checkpoint(const char *path, const clrt_checkpoint_render *render) {
  clrt_checkpoint *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  size_t length = strlen(path) + sizeof ".part";
  c->path = strdup(path);
  c->part_path = malloc(length);
  if (!c->path || !c->part_path) {
    free(c->path);
    free(c->part_path);
    free(c);
    return NULL;
  }
  snprintf(c->part_path, length, "%s.part", path);
  c->fd = -1;
  c->header = header_of(render);
  pthread_mutex_init(&c->lock, NULL);
  c->synced_ms = clrt_now_ms();
  return c;
}

static void free_checkpoint(clrt_checkpoint *c) {
  if (c->fd >= 0)
    close(c->fd);
  pthread_mutex_destroy(&c->lock);
  free(c->covered);
  free(c->path);
  free(c->part_path);
  free(c);
}

static clrt_status out_of_memory(const char *path, clrt_error *err) {
  return clrt_fail(err, CLRT_ERR_RUNTIME, "checkpoint %s: out of memory", path);
}

clrt_status clrt_checkpoint_create(const char *path, const clrt_checkpoint_render *render, clrt_checkpoint **out,
                                   clrt_error *err) {
  *out = NULL;
  clrt_status status = clrt_file_check_destination("--checkpoint", path, err);
  if (status != CLRT_OK)
    return status;
  if (access(path, F_OK) == 0)
    return clrt_fail(err, CLRT_ERR_INPUT,
                     "--checkpoint %s: the file exists, and may hold a render's work: '--resume %s' finishes that "
                     "render; remove the file to start over",
                     path, path);
  clrt_checkpoint *c = new_checkpoint(path, render);
  if (!c)
    return out_of_memory(path, err);
  /* Tiles are appended to the file itself (made here, never an existing
   * one); passes go to FILE.part first. */
  bool tiles = render->kind == CLRT_CHECKPOINT_TILES;
  const char *first = tiles ? path : c->part_path;
  int fd = open(first, O_WRONLY | O_CREAT | (tiles ? O_EXCL : O_TRUNC) | O_CLOEXEC, 0666);
  bool written = fd >= 0 && clrt_file_write_all(fd, &c->header, sizeof c->header) && fsync(fd) == 0;
  int saved = errno;
  if (fd >= 0 && !tiles)
    written = close(fd) == 0 && written && rename(c->part_path, path) == 0;
  else
    c->fd = fd;
  if (!written) {
    saved = saved ? saved : errno;
    if (fd >= 0) /* only what this made */
      unlink(first);
    free_checkpoint(c);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "--checkpoint %s: cannot write it (%s)", path, strerror(saved));
  }
  clrt_file_sync_folder(path);
  c->end = (off_t)sizeof c->header;
  *out = c;
  return CLRT_OK;
}

/* Reads exactly `size` bytes at `offset`; false at the file's end (or an
 * error: errno says). */
static bool read_at(int fd, void *data, size_t size, off_t offset) {
  char *next = data;
  while (size > 0) {
    ssize_t got = pread(fd, next, size, offset);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return false;
    next += got;
    size -= (size_t)got;
    offset += got;
  }
  return true;
}

/* The header read at `path` against the render's: which differs, said in
 * the user's terms. */
static clrt_status check_header(const char *path, const file_header *found, const file_header *wanted,
                                clrt_error *err) {
  if (memcmp(found->magic, CHECKPOINT_MAGIC, sizeof found->magic) != 0)
    return clrt_fail(err, CLRT_ERR_INPUT, "--resume %s: not a clrt checkpoint (no CLRTCKPT header)", path);
  if (found->version != CHECKPOINT_VERSION || found->byte_order != BYTE_ORDER_MARK)
    return clrt_fail(err, CLRT_ERR_INPUT,
                     "--resume %s: a checkpoint of another clrt version or machine (format %u); finish it there, "
                     "or start over with --checkpoint",
                     path, found->version);
  if (found->kind != wanted->kind)
    return clrt_fail(err, CLRT_ERR_INPUT, "--resume %s: it holds %s, and this render is %s: give %s as it was", path,
                     found->kind == CLRT_CHECKPOINT_PASSES ? "progressive passes" : "tiles",
                     wanted->kind == CLRT_CHECKPOINT_PASSES ? "progressive" : "in one go",
                     found->kind == CLRT_CHECKPOINT_PASSES ? "--time or --noise" : "the options");
  if (found->width != wanted->width || found->height != wanted->height || found->pixel_bytes != wanted->pixel_bytes)
    return clrt_fail(err, CLRT_ERR_INPUT,
                     "--resume %s: it holds a %ux%u picture of %s, not this render's %ux%u of %s: give the size and "
                     "output format it was started with",
                     path, found->width, found->height, found->pixel_bytes == 3 ? "8-bit levels" : "linear colour",
                     wanted->width, wanted->height, wanted->pixel_bytes == 3 ? "8-bit levels" : "linear colour");
  if (memcmp(found->identity, wanted->identity, sizeof found->identity) != 0)
    return clrt_fail(err, CLRT_ERR_INPUT,
                     "--resume %s: it belongs to another render (another scene, other options that change the "
                     "picture, or another clrt build): resume with the ones it was started with, or start over with "
                     "--checkpoint",
                     path);
  return CLRT_OK;
}

clrt_status clrt_checkpoint_open(const char *path, const clrt_checkpoint_render *render, clrt_checkpoint **out,
                                 clrt_error *err) {
  *out = NULL;
  clrt_checkpoint *c = new_checkpoint(path, render);
  if (!c)
    return out_of_memory(path, err);
  struct stat info;
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0 || fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    int saved = errno;
    if (fd >= 0)
      close(fd);
    free_checkpoint(c);
    if (fd >= 0)
      return clrt_fail(err, CLRT_ERR_INPUT, "--resume %s: not a regular file", path);
    return clrt_fail(err, CLRT_ERR_INPUT, "--resume %s: cannot open it (%s)%s", path, strerror(saved),
                     saved == ENOENT ? "; a render keeps one with --checkpoint FILE" : "");
  }
  file_header found;
  clrt_status status = read_at(fd, &found, sizeof found, 0)
                           ? check_header(path, &found, &c->header, err)
                           : clrt_fail(err, CLRT_ERR_INPUT, "--resume %s: not a clrt checkpoint (too short)", path);
  if (status != CLRT_OK) {
    close(fd);
    free_checkpoint(c);
    return status;
  }
  if (render->kind == CLRT_CHECKPOINT_TILES)
    c->fd = fd;
  else
    close(fd);
  c->end = (off_t)sizeof found;
  *out = c;
  return CLRT_OK;
}

/* ---- records ---- */

static uint32_t record_crc(record_header h, const void *stored) {
  h.crc = 0;
  uLong crc = crc32(0L, (const Bytef *)&h, sizeof h);
  return (uint32_t)crc32_z(crc, stored, (z_size_t)h.stored_bytes);
}

/* A record of `raw` compressed after its header, in one buffer: *size
 * bytes to write. NULL when out of memory. */
static uint8_t *make_record(uint32_t tag, const clrt_tile *tile, const void *raw, size_t raw_bytes, size_t *size) {
  uLong bound = compressBound((uLong)raw_bytes);
  uint8_t *record = malloc(sizeof(record_header) + bound);
  if (!record)
    return NULL;
  uLongf stored = bound;
  if (compress2(record + sizeof(record_header), &stored, raw, (uLong)raw_bytes, CHECKPOINT_ZLIB_LEVEL) != Z_OK) {
    free(record);
    return NULL;
  }
  record_header h = {tag, 0, 0, 0, 0, 0, raw_bytes, stored};
  if (tile)
    h.x = tile->x, h.y = tile->y, h.width = tile->width, h.height = tile->height;
  h.crc = record_crc(h, record + sizeof h);
  memcpy(record, &h, sizeof h);
  *size = sizeof h + stored;
  return record;
}

/* How reading a record went. */
typedef enum record_read { RECORD_WHOLE, RECORD_TORN, RECORD_DAMAGED, RECORD_NO_MEMORY } record_read;

/* The record at `offset` of a file of `file_bytes`: its header, and its
 * bytes uncompressed into *raw (malloc'd, at most max_raw bytes), or
 * into `into`, which holds exactly into_bytes. Cut short by the file's
 * end, it is torn (written when the render died); with a wrong size,
 * checksum or compressed stream, damaged. */
static record_read read_record(int fd, off_t offset, off_t file_bytes, size_t max_raw, void *into, size_t into_bytes,
                               record_header *h, void **raw) {
  *raw = NULL;
  if (!read_at(fd, h, sizeof *h, offset))
    return RECORD_TORN;
  uint64_t room = (uint64_t)(file_bytes - offset) - sizeof *h; /* the header was read: it fits */
  if (h->stored_bytes > room)
    return RECORD_TORN;
  if (into ? h->raw_bytes != into_bytes : h->raw_bytes > max_raw)
    return RECORD_DAMAGED;
  uint8_t *stored = malloc(h->stored_bytes ? h->stored_bytes : 1);
  uint8_t *out = into ? into : malloc(h->raw_bytes ? h->raw_bytes : 1);
  record_read result = !stored || !out ? RECORD_NO_MEMORY : RECORD_WHOLE;
  if (result == RECORD_WHOLE && !read_at(fd, stored, h->stored_bytes, offset + (off_t)sizeof *h))
    result = RECORD_TORN;
  if (result == RECORD_WHOLE && record_crc(*h, stored) != h->crc)
    result = RECORD_DAMAGED;
  uLongf size = (uLongf)h->raw_bytes;
  if (result == RECORD_WHOLE &&
      (uncompress(out, &size, stored, (uLong)h->stored_bytes) != Z_OK || size != h->raw_bytes))
    result = RECORD_DAMAGED;
  free(stored);
  if (result == RECORD_WHOLE && !into)
    *raw = out;
  else if (!into)
    free(out);
  return result;
}

/* ---- tiles ---- */

static bool bit(const uint8_t *bits, size_t i) { return bits[i / 8] >> (i % 8) & 1u; }

/* Whether a record's tile lies in the picture, not over pixels restored
 * already; marks it covered. */
static bool cover(clrt_checkpoint *c, const record_header *h) {
  unsigned width = c->header.width, height = c->header.height;
  if (h->tag != TILE_TAG || !h->width || !h->height || h->x >= width || h->y >= height || h->width > width - h->x ||
      h->height > height - h->y || h->raw_bytes != (uint64_t)h->width * h->height * c->header.pixel_bytes)
    return false;
  for (unsigned row = 0; row < h->height; ++row)
    for (unsigned x = 0; x < h->width; ++x)
      if (bit(c->covered, (size_t)(h->y + row) * width + h->x + x))
        return false;
  for (unsigned row = 0; row < h->height; ++row)
    for (unsigned x = 0; x < h->width; ++x) {
      size_t i = (size_t)(h->y + row) * width + h->x + x;
      c->covered[i / 8] |= (uint8_t)(1u << (i % 8));
    }
  return true;
}

static clrt_status damaged(const clrt_checkpoint *c, off_t offset, const char *what, clrt_error *err) {
  return clrt_fail(err, CLRT_ERR_INPUT,
                   "--resume %s: the record at byte %lld is %s: the file cannot be resumed; start over with "
                   "--checkpoint",
                   c->path, (long long)offset, what);
}

clrt_status clrt_checkpoint_restore_tiles(clrt_checkpoint *c, clrt_film *film, size_t *pixels, size_t *dropped_bytes,
                                          clrt_error *err) {
  *pixels = 0;
  *dropped_bytes = 0;
  struct stat info;
  if (fstat(c->fd, &info) != 0)
    return clrt_fail(err, CLRT_ERR_INPUT, "--resume %s: %s", c->path, strerror(errno));
  size_t picture = (size_t)c->header.width * c->header.height;
  c->covered = calloc(picture / 8 + 1, 1);
  if (!c->covered)
    return out_of_memory(c->path, err);
  off_t offset = c->end;
  for (;;) {
    record_header h;
    void *raw;
    record_read read = read_record(c->fd, offset, info.st_size, picture * c->header.pixel_bytes, NULL, 0, &h, &raw);
    /* Torn by the death, or damaged: past the last second synced, a power
     * cut may leave garbage or zeros. The tiles of whatever follows are
     * rendered again; every record restored passed its checksum. */
    if (read == RECORD_TORN || read == RECORD_DAMAGED)
      break;
    if (read == RECORD_NO_MEMORY)
      return out_of_memory(c->path, err);
    if (!cover(c, &h)) { /* checksummed, yet not this picture's: no tear makes that */
      free(raw);
      return damaged(c, offset, "a tile outside the picture or over another", err);
    }
    clrt_tile tile = {h.x, h.y, h.width, h.height};
    clrt_film_restore_tile(film, &tile, raw);
    free(raw);
    *pixels += (size_t)tile.width * tile.height;
    offset += (off_t)sizeof h + (off_t)h.stored_bytes;
  }
  /* The next record follows the last whole one. */
  *dropped_bytes = (size_t)(info.st_size - offset);
  if (offset < info.st_size && ftruncate(c->fd, offset) != 0)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "--resume %s: cannot cut what follows its last whole record (%s)", c->path,
                     strerror(errno));
  c->end = offset;
  return CLRT_OK;
}

/* Pixels of `tile` covered: all, none, or some. */
static size_t covered_in(const clrt_checkpoint *c, const clrt_tile *tile) {
  size_t count = 0;
  for (unsigned row = 0; row < tile->height; ++row)
    for (unsigned x = 0; x < tile->width; ++x)
      count += bit(c->covered, (size_t)(tile->y + row) * c->header.width + tile->x + x);
  return count;
}

/* The uncovered runs of a tile's rows, each a rectangle extended
 * downwards while the next row has the very same run. */
static bool add_uncovered(const clrt_checkpoint *c, const clrt_tile *tile, clrt_tile_plan *plan, size_t *capacity) {
  size_t first = plan->count; /* this tile's rectangles start here */
  for (unsigned row = 0; row < tile->height; ++row) {
    unsigned y = tile->y + row;
    for (unsigned x = 0; x < tile->width;) {
      size_t base = (size_t)y * c->header.width + tile->x;
      if (bit(c->covered, base + x)) {
        ++x;
        continue;
      }
      unsigned start = x;
      while (x < tile->width && !bit(c->covered, base + x))
        ++x;
      clrt_tile run = {tile->x + start, y, x - start, 1};
      bool extended = false;
      for (size_t i = first; i < plan->count && !extended; ++i) {
        clrt_tile *above = &plan->tiles[i];
        if (above->x == run.x && above->width == run.width && above->y + above->height == y) {
          above->height++;
          extended = true;
        }
      }
      if (!extended && !clrt_tiles_append(plan, capacity, run))
        return false;
    }
  }
  return true;
}

clrt_status clrt_checkpoint_missing_plan(const clrt_checkpoint *c, const clrt_tile_plan *cut, clrt_tile_plan *missing,
                                         clrt_error *err) {
  memset(missing, 0, sizeof *missing);
  size_t capacity = 0;
  bool ok = true;
  for (size_t i = 0; ok && i < cut->count; ++i) {
    const clrt_tile *tile = &cut->tiles[i];
    size_t covered = c->covered ? covered_in(c, tile) : 0;
    if (covered == 0)
      ok = clrt_tiles_append(missing, &capacity, *tile);
    else if (covered < (size_t)tile->width * tile->height)
      ok = add_uncovered(c, tile, missing, &capacity);
  }
  if (!ok) {
    clrt_tiles_free(missing);
    return out_of_memory(c->path, err);
  }
  clrt_tiles_measure(missing);
  return CLRT_OK;
}

/* A write failed: no more records (what follows a torn one would be
 * lost), the file cut back to its last whole record, the error kept. */
static void fail_writes(clrt_checkpoint *c, const char *what) {
  int saved = errno;
  c->failed = true;
  if (c->fd >= 0 && ftruncate(c->fd, c->end) != 0)
    saved = saved ? saved : errno;
  clrt_fail(&c->failure, CLRT_ERR_RUNTIME, "checkpoint %s: %s (%s); the render went on without it", c->path, what,
            saved ? strerror(saved) : "out of memory");
}

/* The film's listener: a tile it stored, appended as a record. */
static void keep_tile(void *context, const clrt_film *film, const clrt_tile *tile) {
  clrt_checkpoint *c = context;
  size_t raw_bytes = (size_t)tile->width * tile->height * clrt_film_pixel_bytes(film);
  uint8_t *raw = malloc(raw_bytes);
  size_t size = 0;
  uint8_t *record = NULL;
  if (raw) {
    clrt_film_copy_tile(film, tile, raw);
    record = make_record(TILE_TAG, tile, raw, raw_bytes, &size);
  }
  free(raw);
  pthread_mutex_lock(&c->lock);
  if (!c->failed) {
    errno = 0;
    bool written = record != NULL;
    for (size_t done = 0; written && done < size;) {
      ssize_t wrote = pwrite(c->fd, record + done, size - done, c->end + (off_t)done);
      written = wrote > 0 || (wrote < 0 && errno == EINTR);
      done += wrote > 0 ? (size_t)wrote : 0;
    }
    if (written) {
      c->end += (off_t)size;
      if (clrt_now_ms() - c->synced_ms >= CHECKPOINT_SYNC_MS) {
        fdatasync(c->fd);
        c->synced_ms = clrt_now_ms();
      }
    } else {
      fail_writes(c, "a tile could not be written");
    }
  }
  pthread_mutex_unlock(&c->lock);
  free(record);
}

void clrt_checkpoint_follow(clrt_checkpoint *c, clrt_film *film) {
  film->tile_stored = keep_tile;
  film->tile_stored_context = c;
}

/* ---- passes ---- */

static size_t sums_bytes(const clrt_film *film) { return (size_t)film->width * film->height * sizeof *film->sums; }

clrt_status clrt_checkpoint_save_passes(clrt_checkpoint *c, const void *state, size_t state_bytes,
                                        const clrt_film *film, clrt_error *err) {
  if (c->failed)
    return CLRT_OK;
  size_t state_size = 0, sums_size = 0;
  uint8_t *state_record = make_record(STATE_TAG, NULL, state, state_bytes, &state_size);
  uint8_t *sums_record = state_record ? make_record(SUMS_TAG, NULL, film->sums, sums_bytes(film), &sums_size) : NULL;
  errno = 0;
  int fd = sums_record ? open(c->part_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666) : -1;
  bool written = fd >= 0 && clrt_file_write_all(fd, &c->header, sizeof c->header) &&
                 clrt_file_write_all(fd, state_record, state_size) && clrt_file_write_all(fd, sums_record, sums_size) &&
                 fsync(fd) == 0;
  int saved = errno;
  written = fd >= 0 && close(fd) == 0 && written;
  written = written && rename(c->part_path, c->path) == 0;
  free(state_record);
  free(sums_record);
  if (!written) {
    errno = saved ? saved : errno;
    if (fd >= 0)
      unlink(c->part_path);
    fail_writes(c, "a pass could not be written");
    return CLRT_OK;
  }
  clrt_file_sync_folder(c->path);
  (void)err;
  return CLRT_OK;
}

clrt_status clrt_checkpoint_load_passes(clrt_checkpoint *c, void *state, size_t state_bytes, clrt_film *film,
                                        bool *restored, clrt_error *err) {
  *restored = false;
  int fd = open(c->path, O_RDONLY | O_CLOEXEC);
  struct stat info;
  if (fd < 0 || fstat(fd, &info) != 0) {
    int saved = errno;
    if (fd >= 0)
      close(fd);
    return clrt_fail(err, CLRT_ERR_INPUT, "--resume %s: %s", c->path, strerror(saved));
  }
  record_header h;
  void *none;
  off_t offset = (off_t)sizeof c->header;
  if (info.st_size == offset) { /* started, but no pass finished */
    close(fd);
    return CLRT_OK;
  }
  record_read read = read_record(fd, offset, info.st_size, 0, state, state_bytes, &h, &none);
  if (read == RECORD_WHOLE && h.tag == STATE_TAG) {
    offset += (off_t)sizeof h + (off_t)h.stored_bytes;
    read = read_record(fd, offset, info.st_size, 0, film->sums, sums_bytes(film), &h, &none);
    read = read == RECORD_WHOLE && h.tag != SUMS_TAG ? RECORD_DAMAGED : read;
  } else if (read == RECORD_WHOLE) {
    read = RECORD_DAMAGED;
  }
  close(fd);
  if (read == RECORD_NO_MEMORY)
    return out_of_memory(c->path, err);
  /* A passes checkpoint is replaced whole: any tear is damage. */
  if (read != RECORD_WHOLE)
    return damaged(c, offset, "damaged (its size or checksum is wrong)", err);
  *restored = true;
  return CLRT_OK;
}

/* ---- the end ---- */

const clrt_error *clrt_checkpoint_failure(const clrt_checkpoint *c) { return c->failed ? &c->failure : NULL; }

const char *clrt_checkpoint_path(const clrt_checkpoint *c) { return c->path; }

void clrt_checkpoint_close(clrt_checkpoint *c, bool remove) {
  if (!c)
    return;
  if (remove) {
    unlink(c->path);
    unlink(c->part_path);
  } else if (c->fd >= 0) {
    fdatasync(c->fd);
  }
  free_checkpoint(c);
}
