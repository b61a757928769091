/* Movies: a sequence's frames fed raw to Debian's ffmpeg, run as a child
 * process, which encodes them (H.264 in .mp4, VP9 in .webm) into a
 * temporary file beside the movie; renamed into place once every frame
 * is in, removed otherwise: never a partial movie under its name. */
#ifndef CLRT_MOVIE_H
#define CLRT_MOVIE_H

#include <stdbool.h>
#include <stdint.h>

#include "clrt_error.h"

typedef struct clrt_movie clrt_movie;

/* Whether `path` names a movie: it ends in .mp4 or .webm. */
bool clrt_movie_named(const char *path);

/* Before anything renders: ffmpeg is on PATH, and the frame's sides are
 * even (the players' 4:2:0 colour needs them so). One-line input errors
 * that say how to fix them. */
clrt_status clrt_movie_check(const char *path, unsigned width, unsigned height, clrt_error *err);

/* Starts ffmpeg on a temporary file beside `path`. */
clrt_status clrt_movie_open(const char *path, unsigned width, unsigned height, unsigned fps, clrt_movie **movie,
                            clrt_error *err);

/* The next frame: width × height × 3 bytes of 8-bit sRGB, rows from the
 * top. */
clrt_status clrt_movie_add(clrt_movie *movie, const uint8_t *rgb, clrt_error *err);

/* Ends the stream, waits for ffmpeg and renames the movie into place (on
 * failure, removes it, and the error quotes ffmpeg's last words). Frees
 * the movie. */
clrt_status clrt_movie_finish(clrt_movie *movie, clrt_error *err);

/* Stops ffmpeg and removes the temporary file. Frees the movie; NULL is
 * fine. */
void clrt_movie_discard(clrt_movie *movie);

#endif /* CLRT_MOVIE_H */
