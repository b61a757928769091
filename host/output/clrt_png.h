/* PNG files written in parallel, while the picture is still rendering.
 *
 * The rows are cut into bands. As soon as the film has a band's rows, a
 * pool of threads filters them (per row, the PNG filter that makes the
 * bytes smallest) and deflates them with zlib, each band on its own (raw
 * deflate, ended by a sync flush), as pigz does. The bands' deflate
 * streams, joined in order behind one zlib header and ended by the Adler-32
 * of the whole, are the image's zlib stream: one valid PNG, written to the
 * file a band at a time as they come done in order. Only the bands done
 * out of order wait in memory, compressed. */
#ifndef CLRT_PNG_H
#define CLRT_PNG_H

#include <signal.h>
#include <stdint.h>

#include "clrt_error.h"

/* zlib's levels: 0 stores, 1 is fastest, 9 smallest. */
#define CLRT_PNG_MIN_LEVEL 0
#define CLRT_PNG_MAX_LEVEL 9
#define CLRT_PNG_DEFAULT_LEVEL 6

typedef struct clrt_png_encoder clrt_png_encoder;

typedef struct clrt_png_settings {
  int level;   /* zlib's */
  int threads; /* that compress bands */
  /* Not 0 once the file is given up (Ctrl-C): the threads compress
   * nothing more and clrt_png_finish fails at once. NULL: never. */
  const volatile sig_atomic_t *stop;
  /* Bits a channel: 8 (0 means 8 too) or 16 (--png-16: the picture's
   * channels then are big-endian 16-bit numbers, 6 bytes a pixel). */
  unsigned bit_depth;
} clrt_png_settings;

/* What a picture says of how it was made (clrt's version, the scene, the
 * samples, the devices, the time): PNG tEXt chunks, EXR attributes.
 * Keywords and text are printable ASCII. */
enum { CLRT_PICTURE_NOTES = 16 };
typedef struct clrt_picture_note {
  char key[40];
  char value[216];
} clrt_picture_note;
typedef struct clrt_picture_notes {
  clrt_picture_note items[CLRT_PICTURE_NOTES];
  unsigned count;
} clrt_picture_notes;

/* Starts a PNG of width x height RGB pixels (`picture`, rows of width * 3
 * bytes, or 6 for 16 bits, filled in by the caller) into the open file `fd`, and
 * the threads that compress its bands. `name` labels messages. */
clrt_status clrt_png_start(int fd, const char *name, unsigned width, unsigned height, const uint8_t *picture,
                           const clrt_png_settings *settings, clrt_png_encoder **encoder, clrt_error *err);

/* How many rows a band holds (the last may hold fewer). */
unsigned clrt_png_band_rows(const clrt_png_encoder *encoder);

/* Band `band`'s rows are final in the picture: compress it. Safe from any
 * thread, once per band. */
void clrt_png_band_ready(clrt_png_encoder *encoder, unsigned band);

/* After every band was made ready: waits for the last, writes the rest of
 * the file (with `notes` as tEXt chunks; NULL: none), and frees the
 * encoder (whatever the outcome). */
clrt_status clrt_png_finish(clrt_png_encoder *encoder, const clrt_picture_notes *notes, clrt_error *err);

/* Stops the threads and frees the encoder without finishing the file. */
void clrt_png_cancel(clrt_png_encoder *encoder);

#endif /* CLRT_PNG_H */
