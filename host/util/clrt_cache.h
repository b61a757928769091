/* The user's cache folder and the files clrt keeps in it: compiled
 * program binaries (clrt_program.h) and the tile sweep's choices
 * (clrt_tiling.h).
 *
 * A program binary is code clrt hands to the OpenCL driver, so the folder
 * is used only when nobody but its owner, this user, can write into it;
 * and every entry carries a header (what it is, what it was built from,
 * its length and checksum) that is checked before use, because a file cut
 * short by a power cut or a bad disk crashes some drivers. */
#ifndef CLRT_CACHE_H
#define CLRT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* $CLRT_CACHE_DIR, else $XDG_CACHE_HOME/clrt, else ~/.cache/clrt;
 * CLRT_CACHE_DIR=off disables the cache. */
#define CLRT_CACHE_DIR_ENVIRONMENT "CLRT_CACHE_DIR"

/* The cache folder's path (no trailing slash), neither made nor checked;
 * false when the cache is off or there is no home to put it in. */
bool clrt_cache_dir_path(char *out, size_t size);

/* The cache folder, made (mode 0700, parents too) when missing, if it is
 * safe to use: a folder owned by this user that neither group nor others
 * may write. False when the cache is off or unusable; the reason an
 * unusable one is refused goes to `log` (clrt_warn_once). */
bool clrt_cache_dir(char *out, size_t size, FILE *log);

/* Entry `name` of the cache folder, if its header is intact and says it
 * was made from `key`: the payload (free it) and its size. False when it
 * is missing, damaged or made from something else; the caller then makes
 * it afresh and stores it again. */
bool clrt_cache_load(const char *directory, const char *name, uint64_t key, char **payload, size_t *size);

/* Stores entry `name` with its header, all or nothing (clrt_file_replace).
 * False on failure, which only costs rebuilding it next time. */
bool clrt_cache_store(const char *directory, const char *name, uint64_t key, const void *payload, size_t size);

#endif /* CLRT_CACHE_H */
