/* The parallel, streaming PNG encoder (clrt_png.h), on zlib. */
#include "clrt_png.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* A band holds about this many bytes of rows: enough that the deflate
 * window restarting at each band costs little, small enough that bands
 * keep every thread busy and come done soon after their rows. */
#define CLRT_PNG_BAND_BYTES ((size_t)2 << 20)
/* zlib's largest window (raw deflate: no header of its own) and its
 * default memory level. */
#define CLRT_PNG_WINDOW_BITS 15
#define CLRT_PNG_MEMORY_LEVEL 8
/* Room beyond deflateBound for the sync flush's empty block. */
#define CLRT_PNG_FLUSH_SLACK 64

enum { RGB_CHANNELS = 3 };
enum { FILTER_NONE, FILTER_SUB, FILTER_UP, FILTER_AVERAGE, FILTER_PAETH, FILTER_COUNT };

typedef enum band_state { BAND_WAITING, BAND_QUEUED, BAND_DONE } band_state;

typedef struct band {
  band_state state;
  bool broken;         /* zlib failed on it */
  unsigned char *data; /* its deflate stream, until written */
  size_t size;
  uLong adler;       /* of its filtered rows */
  size_t raw_length; /* filtered rows' bytes */
} band;

/* A compressing thread's own buffers. */
typedef struct worker {
  struct clrt_png_encoder *encoder;
  pthread_t thread;
  bool started;
  unsigned char *filtered; /* a band's filtered rows */
  z_stream stream;
  bool stream_ready;
} worker;

struct clrt_png_encoder {
  int fd;
  const char *name;
  unsigned width, height, band_rows, band_count;
  size_t row_bytes;
  unsigned pixel_bytes; /* 3 (8-bit) or 6 (16-bit) */
  unsigned bit_depth;
  const uint8_t *picture;
  int level;
  band *bands;
  worker *workers;
  int worker_count;
  pthread_mutex_t lock; /* the queue, the bands' states, stopping */
  pthread_cond_t queued;
  unsigned *queue, queue_head, queue_tail;
  bool stopping;
  const volatile sig_atomic_t *stop; /* asked to give up: compress nothing more */
  pthread_mutex_t write_lock;        /* the file, in band order, and failures */
  unsigned next_write;
  uLong adler; /* of every band written so far */
  bool failed;
  char failure[CLRT_ERROR_MESSAGE_SIZE];
};

/* Failures are recorded by whoever writes (the write lock held, or every
 * thread stopped). */

/* ---- writing the file ---- */

static void fail_once(clrt_png_encoder *e, const char *what) {
  if (e->failed)
    return;
  e->failed = true;
  snprintf(e->failure, sizeof e->failure, "%s: writing the PNG failed: %s", e->name, what);
}

static void write_all(clrt_png_encoder *e, const void *data, size_t size) {
  const unsigned char *bytes = data;
  while (size > 0 && !e->failed) {
    ssize_t written = write(e->fd, bytes, size);
    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0) {
      fail_once(e, written < 0 ? strerror(errno) : "nothing written");
      return;
    }
    bytes += written;
    size -= (size_t)written;
  }
}

static void put_u32(unsigned char *out, uint32_t value) {
  out[0] = (unsigned char)(value >> 24);
  out[1] = (unsigned char)(value >> 16);
  out[2] = (unsigned char)(value >> 8);
  out[3] = (unsigned char)value;
}

/* A chunk: length, type, data, CRC of type and data. */
static void write_chunk(clrt_png_encoder *e, const char type[4], const void *data, size_t size) {
  unsigned char head[8], tail[4];
  put_u32(head, (uint32_t)size);
  memcpy(head + 4, type, 4);
  uLong crc = crc32(crc32(0L, Z_NULL, 0), (const Bytef *)type, 4);
  if (size)
    crc = crc32(crc, data, (uInt)size);
  put_u32(tail, (uint32_t)crc);
  write_all(e, head, sizeof head);
  write_all(e, data, size);
  write_all(e, tail, sizeof tail);
}

/* The signature, the header chunk, and the zlib stream's own header. */
static void write_start(clrt_png_encoder *e) {
  static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  unsigned char header[13];
  put_u32(header, e->width);
  put_u32(header + 4, e->height);
  header[8] = (unsigned char)e->bit_depth; /* bits a channel */
  header[9] = 2;                           /* RGB */
  header[10] = 0;                          /* deflate */
  header[11] = 0;                          /* adaptive filters */
  header[12] = 0;                          /* not interlaced */
  write_all(e, signature, sizeof signature);
  write_chunk(e, "IHDR", header, sizeof header);
  /* CMF: deflate with a 32K window; FLG: the level class, and a check that
   * makes CMF * 256 + FLG a multiple of 31. */
  unsigned cmf = 0x78, level_class = e->level < 2 ? 0 : e->level < 6 ? 1 : e->level == 6 ? 2 : 3;
  unsigned flg = level_class << 6;
  flg += 31 - (cmf * 256 + flg) % 31;
  unsigned char zlib_header[2] = {(unsigned char)cmf, (unsigned char)flg};
  write_chunk(e, "IDAT", zlib_header, sizeof zlib_header);
}

/* Writes the bands that are done and next in order. */
static void write_ready_bands(clrt_png_encoder *e) {
  pthread_mutex_lock(&e->write_lock);
  for (;;) {
    pthread_mutex_lock(&e->lock);
    bool ready = e->next_write < e->band_count && e->bands[e->next_write].state == BAND_DONE;
    pthread_mutex_unlock(&e->lock);
    if (!ready)
      break;
    band *b = &e->bands[e->next_write++];
    if (b->broken)
      fail_once(e, "zlib could not compress a band of rows (out of memory?)");
    if (b->size)
      write_chunk(e, "IDAT", b->data, b->size);
    e->adler = adler32_combine(e->adler, b->adler, (z_off_t)b->raw_length);
    free(b->data);
    b->data = NULL;
  }
  pthread_mutex_unlock(&e->write_lock);
}

/* ---- filtering ---- */

static unsigned char paeth(unsigned char a, unsigned char b, unsigned char c) {
  int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
  return pa <= pb && pa <= pc ? a : (pb <= pc ? b : c);
}

/* Byte i of a row under filter f: left, up and up-left neighbours (0
 * where there are none), `bpp` bytes a pixel. */
static unsigned char filtered_byte(int f, const uint8_t *row, const uint8_t *up, size_t i, size_t bpp) {
  unsigned char x = row[i], a = i >= bpp ? row[i - bpp] : 0, b = up ? up[i] : 0;
  unsigned char c = up && i >= bpp ? up[i - bpp] : 0;
  switch (f) {
  case FILTER_SUB:
    return (unsigned char)(x - a);
  case FILTER_UP:
    return (unsigned char)(x - b);
  case FILTER_AVERAGE:
    return (unsigned char)(x - ((a + b) >> 1));
  case FILTER_PAETH:
    return (unsigned char)(x - paeth(a, b, c));
  default:
    return x;
  }
}

/* The filter whose bytes, read as signed, sum smallest in size (libpng's
 * heuristic). `up` is NULL when the row above may not be final yet (a
 * band's first row): only None and Sub, which do not look at it, then. */
static int choose_filter(const uint8_t *row, const uint8_t *up, size_t row_bytes, size_t bpp, bool has_up) {
  unsigned long cost[FILTER_COUNT] = {0};
  int candidates = has_up ? FILTER_COUNT : FILTER_UP;
  for (size_t i = 0; i < row_bytes; ++i)
    for (int f = 0; f < candidates; ++f)
      cost[f] += (unsigned long)abs((signed char)filtered_byte(f, row, up, i, bpp));
  int best = 0;
  for (int f = 1; f < candidates; ++f)
    if (cost[f] < cost[best])
      best = f;
  return best;
}

/* Row r into out: its filter type byte, then its filtered bytes. */
static void filter_row(const clrt_png_encoder *e, unsigned r, bool band_start, unsigned char *out) {
  const uint8_t *row = e->picture + (size_t)r * e->row_bytes;
  /* The first row of the image has zeros above it; a band's first row
   * does not look above (that row may still be rendering). */
  const uint8_t *up = r > 0 && !band_start ? row - e->row_bytes : NULL;
  bool has_up = r == 0 || !band_start;
  int f = e->level == 0 ? FILTER_NONE : choose_filter(row, up, e->row_bytes, e->pixel_bytes, has_up);
  out[0] = (unsigned char)f;
  for (size_t i = 0; i < e->row_bytes; ++i)
    out[1 + i] = filtered_byte(f, row, up, i, e->pixel_bytes);
}

/* ---- compressing ---- */

static unsigned band_height(const clrt_png_encoder *e, unsigned index) {
  unsigned first = index * e->band_rows;
  return e->height - first < e->band_rows ? e->height - first : e->band_rows;
}

static bool deflate_band(worker *w, unsigned index, band *b) {
  clrt_png_encoder *e = w->encoder;
  bool last = index + 1 == e->band_count;
  uLong bound = deflateBound(&w->stream, (uLong)b->raw_length) + CLRT_PNG_FLUSH_SLACK;
  b->data = malloc(bound);
  if (!b->data || deflateReset(&w->stream) != Z_OK)
    return false;
  w->stream.next_in = w->filtered;
  w->stream.avail_in = (uInt)b->raw_length;
  w->stream.next_out = b->data;
  w->stream.avail_out = (uInt)bound;
  int rc = deflate(&w->stream, last ? Z_FINISH : Z_SYNC_FLUSH);
  if ((last ? rc != Z_STREAM_END : rc != Z_OK) || w->stream.avail_in != 0)
    return false;
  b->size = bound - w->stream.avail_out;
  unsigned char *fitted = realloc(b->data, b->size ? b->size : 1); /* it may wait for earlier bands */
  b->data = fitted ? fitted : b->data;
  return true;
}

static void compress_band(worker *w, unsigned index) {
  clrt_png_encoder *e = w->encoder;
  band *b = &e->bands[index];
  unsigned first = index * e->band_rows, rows = band_height(e, index);
  for (unsigned k = 0; k < rows; ++k)
    filter_row(e, first + k, k == 0, w->filtered + (size_t)k * (e->row_bytes + 1));
  b->raw_length = (size_t)rows * (e->row_bytes + 1);
  b->adler = adler32(adler32(0L, Z_NULL, 0), w->filtered, (uInt)b->raw_length);
  bool compressed = deflate_band(w, index, b);
  pthread_mutex_lock(&e->lock);
  b->broken = !compressed;
  b->state = BAND_DONE;
  pthread_mutex_unlock(&e->lock);
}

static bool asked_to_stop(const clrt_png_encoder *e) { return e->stop && *e->stop; }

/* The next band to compress; false when stopping with none left, or when
 * asked to give up. */
static bool next_job(clrt_png_encoder *e, unsigned *index) {
  pthread_mutex_lock(&e->lock);
  while (!e->stopping && e->queue_head == e->queue_tail)
    pthread_cond_wait(&e->queued, &e->lock);
  bool found = e->queue_head != e->queue_tail && !asked_to_stop(e);
  if (found)
    *index = e->queue[e->queue_head++];
  pthread_mutex_unlock(&e->lock);
  return found;
}

static void *worker_main(void *argument) {
  worker *w = argument;
  unsigned index;
  while (next_job(w->encoder, &index)) {
    compress_band(w, index);
    write_ready_bands(w->encoder);
  }
  return NULL;
}

/* ---- the encoder's life ---- */

static bool prepare_worker(clrt_png_encoder *e, worker *w) {
  w->encoder = e;
  w->filtered = malloc((size_t)e->band_rows * (e->row_bytes + 1));
  w->stream_ready = w->filtered && deflateInit2(&w->stream, e->level, Z_DEFLATED, -CLRT_PNG_WINDOW_BITS,
                                                CLRT_PNG_MEMORY_LEVEL, Z_DEFAULT_STRATEGY) == Z_OK;
  w->started = w->stream_ready && pthread_create(&w->thread, NULL, worker_main, w) == 0;
  return w->started;
}

static void stop_workers(clrt_png_encoder *e) {
  pthread_mutex_lock(&e->lock);
  e->stopping = true;
  pthread_cond_broadcast(&e->queued);
  pthread_mutex_unlock(&e->lock);
  for (int i = 0; i < e->worker_count; ++i)
    if (e->workers[i].started)
      pthread_join(e->workers[i].thread, NULL);
}

static void free_encoder(clrt_png_encoder *e) {
  for (int i = 0; i < e->worker_count; ++i) {
    if (e->workers[i].stream_ready)
      deflateEnd(&e->workers[i].stream);
    free(e->workers[i].filtered);
  }
  for (unsigned i = 0; e->bands && i < e->band_count; ++i)
    free(e->bands[i].data);
  pthread_mutex_destroy(&e->lock);
  pthread_mutex_destroy(&e->write_lock);
  pthread_cond_destroy(&e->queued);
  free(e->workers);
  free(e->bands);
  free(e->queue);
  free(e);
}

static clrt_png_encoder *new_encoder(int fd, const char *name, unsigned width, unsigned height, const uint8_t *picture,
                                     const clrt_png_settings *settings) {
  clrt_png_encoder *e = calloc(1, sizeof *e);
  if (!e)
    return NULL;
  *e = (clrt_png_encoder){.fd = fd,
                          .name = name,
                          .width = width,
                          .height = height,
                          .picture = picture,
                          .level = settings->level,
                          .stop = settings->stop,
                          .bit_depth = settings->bit_depth == 16 ? 16u : 8u,
                          .pixel_bytes = RGB_CHANNELS * (settings->bit_depth == 16 ? 2u : 1u)};
  e->row_bytes = (size_t)width * e->pixel_bytes;
  pthread_mutex_init(&e->lock, NULL);
  pthread_mutex_init(&e->write_lock, NULL);
  pthread_cond_init(&e->queued, NULL);
  size_t rows = CLRT_PNG_BAND_BYTES / e->row_bytes;
  e->band_rows = (unsigned)(rows < 1 ? 1 : rows > height ? height : rows);
  e->band_count = (height + e->band_rows - 1) / e->band_rows;
  int threads = settings->threads;
  e->worker_count = threads < 1 ? 1 : (unsigned)threads > e->band_count ? (int)e->band_count : threads;
  e->bands = calloc(e->band_count, sizeof *e->bands);
  e->queue = calloc(e->band_count, sizeof *e->queue);
  e->workers = calloc((size_t)e->worker_count, sizeof *e->workers);
  e->adler = adler32(0L, Z_NULL, 0);
  return e;
}

clrt_status clrt_png_start(int fd, const char *name, unsigned width, unsigned height, const uint8_t *picture,
                           const clrt_png_settings *settings, clrt_png_encoder **encoder, clrt_error *err) {
  clrt_png_encoder *e = new_encoder(fd, name, width, height, picture, settings);
  bool ready = e && e->bands && e->queue && e->workers;
  for (int i = 0; ready && i < e->worker_count; ++i)
    ready = prepare_worker(e, &e->workers[i]);
  if (!ready) {
    if (e) {
      stop_workers(e);
      free_encoder(e);
    }
    char limit[256];
    bool limited = clrt_address_space_hint(limit, sizeof limit);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot start the PNG encoder (out of memory or threads)%s%s", name,
                     limited ? ": " : "", limited ? limit : "");
  }
  write_start(e);
  *encoder = e;
  return CLRT_OK;
}

unsigned clrt_png_band_rows(const clrt_png_encoder *e) { return e->band_rows; }

void clrt_png_band_ready(clrt_png_encoder *e, unsigned index) {
  pthread_mutex_lock(&e->lock);
  if (index < e->band_count && e->bands[index].state == BAND_WAITING) {
    e->bands[index].state = BAND_QUEUED;
    e->queue[e->queue_tail++] = index;
    pthread_cond_signal(&e->queued);
  }
  pthread_mutex_unlock(&e->lock);
}

/* The picture's notes as tEXt chunks (keyword, NUL, text; Latin-1),
 * after the image data, where the render time is known. */
static void write_notes(clrt_png_encoder *e, const clrt_picture_notes *notes) {
  for (unsigned i = 0; notes && i < notes->count; ++i) {
    char chunk[sizeof notes->items[i].key + sizeof notes->items[i].value];
    size_t key = strlen(notes->items[i].key), value = strlen(notes->items[i].value);
    memcpy(chunk, notes->items[i].key, key + 1);
    memcpy(chunk + key + 1, notes->items[i].value, value);
    write_chunk(e, "tEXt", chunk, key + 1 + value);
  }
}

clrt_status clrt_png_finish(clrt_png_encoder *e, const clrt_picture_notes *notes, clrt_error *err) {
  stop_workers(e); /* they drain the queue first, unless asked to give up */
  write_ready_bands(e);
  if (asked_to_stop(e))
    fail_once(e, "stopped before it was complete");
  else if (e->next_write != e->band_count)
    fail_once(e, "a band of rows was never completed");
  unsigned char adler[4];
  put_u32(adler, (uint32_t)e->adler);
  write_chunk(e, "IDAT", adler, sizeof adler);
  write_notes(e, notes);
  write_chunk(e, "IEND", NULL, 0);
  clrt_status status = e->failed ? clrt_fail(err, CLRT_ERR_RUNTIME, "%s", e->failure) : CLRT_OK;
  free_encoder(e);
  return status;
}

void clrt_png_cancel(clrt_png_encoder *e) {
  pthread_mutex_lock(&e->lock);
  e->queue_head = e->queue_tail; /* drop what is waiting */
  pthread_mutex_unlock(&e->lock);
  stop_workers(e);
  free_encoder(e);
}
