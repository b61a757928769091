/* Command-line parsing for `clrt render`, `clrt bench`, `clrt compare` and
 * `clrt devices`. */
#include "clrt_cli.h"

#include <stdlib.h>
#include <string.h>

#include "clrt_image.h"
#include "clrt_movie.h"
#include "clrt_number.h"
#include "clrt_pattern.h"
#include "clrt_png.h"
#include "clrt_scene.h"

/* The largest duration accepted (a day in seconds): more is surely a typo.
 * The highest frame rate a movie gets. */
enum { CLRT_MAX_DURATION = 86400, CLRT_MAX_FPS = 240 };

static const char USAGE[] =
    "usage: clrt render SCENE.json -o OUT.png [options]\n"
    "       clrt bench [SCENE.json ...] [bench options]\n"
    "       clrt compare REFERENCE IMAGE\n"
    "       clrt devices\n"
    "       clrt trajectory PATTERN.ply [--particles N] [--frames N] [--seed S]\n"
    "       clrt --help | --version\n"
    "\n"
    "render options:\n"
    "  -o, --output FILE     the image to write (required); its extension picks the format:\n"
    "                        .png, .jpg, .bmp, .tga, or .exr and .hdr (linear colour)\n"
    "  --width W             image width in pixels, 1..16384 (overrides the scene)\n"
    "  --height H            image height in pixels, 1..16384 (overrides the scene)\n"
    "  --samples N           samples per pixel, 1..4096 (overrides the scene)\n"
    "  --max-depth D         mirror and glass bounces, 0..64 (overrides the scene)\n"
    "  --png-level N         PNG compression, 0 (none, fastest) to 9 (smallest); default 6\n"
    "  --time S              progressive: passes of samples until S seconds are spent (whole\n"
    "                        passes only), at most --samples (default 4096) a pixel\n"
    "  --noise X             progressive: passes until each 16x16 region's relative standard\n"
    "                        error is at most X (0.01 = 1%), at most --samples (default 4096)\n"
    "  --device SPEC         P:D from 'clrt devices', gpu, cpu, or part of a device name;\n"
    "                        'all' or a comma list (0:0,0:1) renders on several at once\n"
    "                        (default: the first GPU, else the first CPU)\n"
    "  --tiles N             cut the image into N horizontal strips\n"
    "  --tile-size WxH       cut the image into WxH tiles (default on one device: the tiling\n"
    "                        'clrt bench --tile-sweep' stored for it, else 256x256 on a CPU,\n"
    "                        512x512 to 1024x1024 on a GPU by its compute units; on several:\n"
    "                        guided strips)\n"
    "  --tile-timeout S      a tile running S seconds longer than its work can take at the\n"
    "                        device's measured speed counts as a hung device; under mpirun, a\n"
    "                        process silent for S seconds counts as stopped or hung (default 60)\n"
    "  --checkpoint FILE     keep finished tiles (progressive: finished passes) in FILE as the\n"
    "                        render goes; removed once the picture is written\n"
    "  --resume FILE         finish the render FILE holds, after any kind of death: the same\n"
    "                        picture as one uninterrupted render (same scene and options)\n"
    "  --keep-partial        if no device can render some tiles, still write the image,\n"
    "                        with those tiles magenta (the exit status is still 1)\n"
    "  --fast-math           build the kernel with -cl-fast-relaxed-math: faster on some\n"
    "                        GPUs, but the picture is no longer exactly reproducible\n"
    "  --denoise             filter the noise out of the picture (edge-aware, guided by the\n"
    "                        albedo, normal and depth passes) before it is written\n"
    "  --passes LIST         with -o FILE.exr: also write the albedo, normal and depth passes\n"
    "                        (a comma list of them, or all) as layers of the file\n"
    "  --exr-float           with -o FILE.exr: 32-bit float channels (default: half)\n"
    "  --png-16              with -o FILE.png: 16 bits a channel (default: 8)\n"
    "  --arrays WHERE        where the scene's arrays live on the device: constant, global,\n"
    "                        or auto (default: constant memory on a CPU when they fit, global\n"
    "                        on a GPU, whose constant cache serialises scattered reads)\n"
    "  --frames A..B[:STEP]  render frames A to B of a sequence (every STEP-th): sphere files with\n"
    "                        a frame pattern (frame_%04d.ply) and camera paths move with them;\n"
    "                        -o names each frame's picture (out_%04d.png) or a movie (.mp4, .webm,\n"
    "                        encoded by ffmpeg)\n"
    "  --fps N               a movie's frames per second (default 30)\n"
    "  --refit               a frame with as many spheres as the one before refits its BVH rather\n"
    "                        than build one (faster to make, slower to trace as they move apart)\n"
    "  --split frames|tiles  under mpirun: whole frames to each process, or every frame's tiles to\n"
    "                        every process (default: frames when each process gets two or more)\n"
    "  -q, --quiet           print nothing but errors and warnings\n"
    "\n"
    "The scene file (JSON: image, camera, materials, spheres, lights) and every option are\n"
    "described in 'man clrt'; every scene key and the rest in the documentation installed in\n"
    "share/doc/clrt (the source's README.md and docs/); scenes/ has examples.\n"
    "\n"
    "bench options (without scenes: the built-in suite):\n"
    "  --device SPEC|all     devices to measure, as for render; 'all' also measures them together\n"
    "  --runs N              timed frames per measurement, at least (default 5)\n"
    "  --warmup N            untimed frames first (default 1)\n"
    "  --min-time S          keep timing frames for at least S seconds (default 1)\n"
    "  --tile-sweep          measure tilings from 1 strip to one per row, and squares; store\n"
    "                        each device's best for clrt render\n"
    "  --max-enqueue-ms MS   on GPUs, keep one tile's kernel under MS (default 100)\n"
    "  --fast-math, --arrays WHERE   as for render\n"
    "  --json FILE, --csv FILE, --chart FILE.svg   write the results\n"
    "  --compare A.json B.json   compare two --json files side by side (renders nothing)\n"
    "\n"
    "compare: PSNR and SSIM of IMAGE against REFERENCE (PNG, JPEG, BMP, TGA, or EXR through\n"
    "  the sRGB curve), as the denoiser's quality is measured\n"
    "\n"
    "trajectory: writes frames 0 to N-1 (default 120) of a particle trajectory to try sequences on,\n"
    "  a binary PLY file a frame named by PATTERN (traj/frame_%04d.ply): N particles (default\n"
    "  20000; --seed S, default 1) of a spiral disc, with x y z speed temperature mass id\n"
    "\n"
    "exit status: 0 success, 1 device or runtime failure, 2 usage or scene error,\n"
    "             128 + the signal when stopped: 130 Ctrl-C, 143 SIGTERM, 129 SIGHUP\n";

void clrt_cli_print_usage(FILE *out) { fputs(USAGE, out); }

static clrt_status usage_error(clrt_error *err, const char *format, const char *a, const char *b) {
  char detail[CLRT_ERROR_MESSAGE_SIZE / 2];
  snprintf(detail, sizeof detail, format, a, b);
  return clrt_fail(err, CLRT_ERR_INPUT, "%s (see 'clrt --help')", detail);
}

/* A decimal integer in [min, max], the whole string, digits only. */
static clrt_status parse_unsigned(const char *option, const char *text, unsigned min, unsigned max, unsigned *out,
                                  clrt_error *err) {
  unsigned value;
  if (!clrt_number_unsigned(text, max, &value) || value < min)
    return clrt_fail(err, CLRT_ERR_INPUT, "%s: expected a whole number in %u..%u, got '%s'", option, min, max, text);
  *out = value;
  return CLRT_OK;
}

static clrt_status parse_override(const char *option, const char *text, unsigned min, unsigned max, clrt_override *out,
                                  clrt_error *err) {
  out->set = true;
  return parse_unsigned(option, text, min, max, &out->value, err);
}

/* A duration in `unit`, a decimal number above 0 (or 0 itself, when
 * allowed). */
static clrt_status parse_duration(const char *option, const char *text, const char *unit, bool allow_zero, double *out,
                                  clrt_error *err) {
  double value = 0.0;
  bool number = clrt_number_decimal(text, &value);
  bool low = allow_zero ? !(value >= 0.0) : !(value > 0.0);
  if (!number || low || value > CLRT_MAX_DURATION)
    return clrt_fail(err, CLRT_ERR_INPUT, "%s: expected %s, %s 0 and at most %d, got '%s'", option, unit,
                     allow_zero ? "at least" : "more than", CLRT_MAX_DURATION, text);
  *out = value;
  return CLRT_OK;
}

/* --noise: a relative standard error, more than 0 and at most 1. */
static clrt_status parse_noise(const char *text, double *out, clrt_error *err) {
  double value = 0.0;
  if (!clrt_number_decimal(text, &value) || !(value > 0.0) || value > 1.0)
    return clrt_fail(err, CLRT_ERR_INPUT,
                     "--noise: expected a relative standard error more than 0 and at most 1 (0.01 is 1%%), got '%s'",
                     text);
  *out = value;
  return CLRT_OK;
}

static clrt_status parse_tile_size(const char *text, clrt_options *options, clrt_error *err) {
  unsigned width, height;
  if (!clrt_number_size(text, CLRT_MAX_IMAGE_SIDE, &width, &height))
    return clrt_fail(err, CLRT_ERR_INPUT, "--tile-size: expected WxH with sides in 1..%d, like 64x64, got '%s'",
                     CLRT_MAX_IMAGE_SIDE, text);
  options->tile_width = width;
  options->tile_height = height;
  return CLRT_OK;
}

/* --arrays auto|constant|global. */
static clrt_status parse_array_memory(const char *value, clrt_array_memory *out, clrt_error *err) {
  static const clrt_array_memory all[] = {CLRT_ARRAYS_AUTO, CLRT_ARRAYS_CONSTANT, CLRT_ARRAYS_GLOBAL};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i)
    if (strcmp(value, clrt_array_memory_name(all[i])) == 0) {
      *out = all[i];
      return CLRT_OK;
    }
  return usage_error(err, "--arrays %s: say auto, constant or global%s", value, "");
}

/* --checkpoint FILE starts one, --resume FILE finishes it: one of them. */
static clrt_status parse_checkpoint(const char *name, const char *value, clrt_options *o, clrt_error *err) {
  if (o->checkpoint_path)
    return usage_error(err, "%s: the checkpoint is already '%s' (--resume FILE goes on keeping FILE)", name,
                       o->checkpoint_path);
  if (value[0] == '\0')
    return usage_error(err, "%s needs a file name%s", name, "");
  o->checkpoint_path = value;
  o->resume = strcmp(name, "--resume") == 0;
  return CLRT_OK;
}

/* A frame number as --frames reads it: digits only, at most this. */
#define CLRT_MAX_FRAME_NUMBER 1000000000L

static const char *frame_number(const char *text, long *out) {
  long value = 0;
  const char *c = text;
  for (; *c >= '0' && *c <= '9' && value <= CLRT_MAX_FRAME_NUMBER; ++c)
    value = value * 10 + (*c - '0');
  *out = value;
  return c > text && value <= CLRT_MAX_FRAME_NUMBER ? c : NULL;
}

/* --frames A..B or A..B:STEP: frames A to B inclusive, every STEP-th. */
static clrt_status parse_frames(const char *text, clrt_sequence *out, clrt_error *err) {
  const char *at = frame_number(text, &out->first);
  out->step = 1;
  if (at && at[0] == '.' && at[1] == '.')
    at = frame_number(at + 2, &out->last);
  else
    at = NULL;
  if (at && *at == ':')
    at = frame_number(at + 1, &out->step);
  else if (at && *at)
    at = NULL;
  if (!at || *at || out->step < 1 || out->last < out->first) {
    out->step = 0;
    return clrt_fail(err, CLRT_ERR_INPUT,
                     "--frames: expected FIRST..LAST or FIRST..LAST:STEP, whole numbers with FIRST <= LAST and STEP "
                     ">= 1 (as in 0..99 or 0..99:2), got '%s'",
                     text);
  }
  return CLRT_OK;
}

/* --passes: a comma list of albedo, normal and depth, or all. */
static clrt_status parse_passes(const char *text, unsigned *passes, clrt_error *err) {
  static const struct {
    const char *name;
    unsigned bit;
  } names[] = {{"albedo", CLRT_PASS_ALBEDO},
               {"normal", CLRT_PASS_NORMAL},
               {"depth", CLRT_PASS_DEPTH},
               {"all", CLRT_PASS_ALBEDO | CLRT_PASS_NORMAL | CLRT_PASS_DEPTH}};
  *passes = 0;
  for (const char *word = text; *word;) {
    size_t length = strcspn(word, ",");
    bool found = false;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !found; ++i)
      if (length == strlen(names[i].name) && strncmp(word, names[i].name, length) == 0) {
        *passes |= names[i].bit;
        found = true;
      }
    if (!found)
      return clrt_fail(err, CLRT_ERR_INPUT, "--passes: unknown pass '%.*s' in '%s'; use albedo, normal, depth or all",
                       (int)length, word, text);
    word += length + (word[length] == ',');
  }
  if (!*passes)
    return clrt_fail(err, CLRT_ERR_INPUT, "--passes: name at least one of albedo, normal, depth (or all)");
  return CLRT_OK;
}

/* Options that take a value: `--name VALUE` or `--name=VALUE`. */
static clrt_status apply_valued_option(const char *name, const char *value, clrt_options *o, clrt_error *err) {
  if (strcmp(name, "-o") == 0 || strcmp(name, "--output") == 0) {
    o->output_path = value;
    return CLRT_OK;
  }
  if (strcmp(name, "--device") == 0) {
    o->device_spec = value;
    return CLRT_OK;
  }
  if (strcmp(name, "--width") == 0)
    return parse_override(name, value, 1, CLRT_MAX_IMAGE_SIDE, &o->width, err);
  if (strcmp(name, "--height") == 0)
    return parse_override(name, value, 1, CLRT_MAX_IMAGE_SIDE, &o->height, err);
  if (strcmp(name, "--samples") == 0)
    return parse_override(name, value, 1, CLRT_MAX_SAMPLES, &o->samples, err);
  if (strcmp(name, "--max-depth") == 0)
    return parse_override(name, value, 0, CLRT_MAX_DEPTH_LIMIT, &o->max_depth, err);
  if (strcmp(name, "--png-level") == 0)
    return parse_override(name, value, CLRT_PNG_MIN_LEVEL, CLRT_PNG_MAX_LEVEL, &o->png_level, err);
  if (strcmp(name, "--tiles") == 0)
    return parse_unsigned(name, value, 1, CLRT_MAX_IMAGE_SIDE, &o->strip_count, err);
  if (strcmp(name, "--tile-size") == 0)
    return parse_tile_size(value, o, err);
  if (strcmp(name, "--tile-timeout") == 0)
    return parse_duration(name, value, "seconds", false, &o->tile_timeout_s, err);
  if (strcmp(name, "--time") == 0)
    return parse_duration(name, value, "seconds", false, &o->time_s, err);
  if (strcmp(name, "--noise") == 0)
    return parse_noise(value, &o->noise, err);
  if (strcmp(name, "--arrays") == 0)
    return parse_array_memory(value, &o->array_memory, err);
  if (strcmp(name, "--checkpoint") == 0 || strcmp(name, "--resume") == 0)
    return parse_checkpoint(name, value, o, err);
  if (strcmp(name, "--passes") == 0)
    return parse_passes(value, &o->passes, err);
  if (strcmp(name, "--frames") == 0)
    return parse_frames(value, &o->frames, err);
  if (strcmp(name, "--split") == 0 && (strcmp(value, "frames") == 0 || strcmp(value, "tiles") == 0)) {
    o->split = value[0] == 'f' ? CLRT_SPLIT_FRAMES : CLRT_SPLIT_TILES;
    return CLRT_OK;
  }
  if (strcmp(name, "--split") == 0)
    return usage_error(err, "--split %s: say frames or tiles%s", value, "");
  if (strcmp(name, "--fps") == 0)
    return parse_unsigned(name, value, 1, CLRT_MAX_FPS, &o->fps, err);
  return usage_error(err, "unknown option '%s'%s", name, "");
}

/* `clrt bench` options that take a value. */
static clrt_status apply_bench_option(const char *name, const char *value, clrt_bench_options *b, clrt_error *err) {
  unsigned count = 0;
  clrt_status status = CLRT_OK;
  if (strcmp(name, "--device") == 0)
    b->device_spec = value;
  else if (strcmp(name, "--runs") == 0 && (status = parse_unsigned(name, value, 1, 100000, &count, err)) == CLRT_OK)
    b->runs = count;
  else if (strcmp(name, "--warmup") == 0 && (status = parse_unsigned(name, value, 0, 1000, &count, err)) == CLRT_OK)
    b->warmup = count;
  else if (strcmp(name, "--min-time") == 0)
    status = parse_duration(name, value, "seconds", true, &b->min_time_s, err);
  else if (strcmp(name, "--max-enqueue-ms") == 0)
    status = parse_duration(name, value, "milliseconds", false, &b->max_enqueue_ms, err);
  else if (strcmp(name, "--json") == 0)
    b->json_path = value;
  else if (strcmp(name, "--csv") == 0)
    b->csv_path = value;
  else if (strcmp(name, "--chart") == 0)
    b->chart_path = value;
  else if (strcmp(name, "--arrays") == 0)
    status = parse_array_memory(value, &b->array_memory, err);
  else if (strcmp(name, "--runs") && strcmp(name, "--warmup"))
    status = usage_error(err, "bench: unknown option '%s'%s", name, "");
  return status;
}

static bool bench_takes_value(const char *name) {
  static const char *const valued[] = {"--device", "--runs", "--warmup", "--min-time", "--max-enqueue-ms",
                                       "--json",   "--csv",  "--chart",  "--arrays"};
  for (size_t i = 0; i < sizeof valued / sizeof valued[0]; ++i)
    if (strcmp(name, valued[i]) == 0)
      return true;
  return false;
}

/* Handles argv[*index] of `clrt bench`. */
static clrt_status parse_bench_argument(int argc, char **argv, int *index, clrt_options *o, clrt_error *err) {
  const char *arg = argv[*index];
  clrt_bench_options *b = &o->bench;
  if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
    o->command = CLRT_COMMAND_HELP;
  else if (strcmp(arg, "--tile-sweep") == 0)
    b->tile_sweep = true;
  else if (strcmp(arg, "--fast-math") == 0)
    b->fast_math = true;
  else if (strcmp(arg, "--compare") == 0) {
    if (*index + 2 >= argc)
      return usage_error(err, "--compare needs two files: --compare A.json B.json%s%s", "", "");
    b->compare_paths[0] = argv[++*index];
    b->compare_paths[1] = argv[++*index];
  } else if (arg[0] != '-') {
    b->scene_paths[b->scene_count++] = arg;
  } else {
    const char *equals = strchr(arg, '=');
    char name[64];
    snprintf(name, sizeof name, "%.*s", equals ? (int)(equals - arg) : (int)strlen(arg), arg);
    if (!bench_takes_value(name))
      return usage_error(err, "bench: unknown option '%s'%s", name, "");
    if (!equals && *index + 1 >= argc)
      return usage_error(err, "option '%s' needs a value%s", name, "");
    return apply_bench_option(name, equals ? equals + 1 : argv[++*index], b, err);
  }
  return CLRT_OK;
}

static clrt_status parse_bench(int argc, char **argv, clrt_options *o, clrt_error *err) {
  o->command = CLRT_COMMAND_BENCH;
  o->bench = (clrt_bench_options){.runs = CLRT_BENCH_DEFAULT_RUNS,
                                  .warmup = CLRT_BENCH_DEFAULT_WARMUP,
                                  .min_time_s = CLRT_BENCH_DEFAULT_MIN_TIME_S,
                                  .max_enqueue_ms = CLRT_BENCH_DEFAULT_MAX_ENQUEUE_MS};
  o->bench.scene_paths = calloc((size_t)argc, sizeof *o->bench.scene_paths);
  if (!o->bench.scene_paths)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory");
  for (int i = 2; i < argc; ++i) {
    clrt_status status = parse_bench_argument(argc, argv, &i, o, err);
    if (status != CLRT_OK)
      return status;
  }
  if (o->bench.chart_path && !strstr(o->bench.chart_path, ".svg"))
    return usage_error(err, "--chart %s: charts are SVG; name the file .svg%s", o->bench.chart_path, "");
  return CLRT_OK;
}

void clrt_cli_free(clrt_options *options) {
  free(options->bench.scene_paths);
  options->bench.scene_paths = NULL;
}

static bool takes_value(const char *name) {
  static const char *const valued[] = {"-o",          "--output",    "--device", "--width",     "--height",
                                       "--samples",   "--max-depth", "--tiles",  "--tile-size", "--tile-timeout",
                                       "--png-level", "--time",      "--noise",  "--arrays",    "--checkpoint",
                                       "--resume",    "--passes",    "--frames", "--fps",       "--split"};
  for (size_t i = 0; i < sizeof valued / sizeof valued[0]; ++i)
    if (strcmp(name, valued[i]) == 0)
      return true;
  return false;
}

/* Handles argv[*index], advancing past a separate value if it takes one. */
static clrt_status parse_render_argument(int argc, char **argv, int *index, clrt_options *o, clrt_error *err) {
  const char *arg = argv[*index];
  if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
    o->quiet = true;
    return CLRT_OK;
  }
  if (strcmp(arg, "--keep-partial") == 0) {
    o->keep_partial = true;
    return CLRT_OK;
  }
  if (strcmp(arg, "--fast-math") == 0) {
    o->fast_math = true;
    return CLRT_OK;
  }
  if (strcmp(arg, "--denoise") == 0) {
    o->denoise = true;
    return CLRT_OK;
  }
  if (strcmp(arg, "--exr-float") == 0) {
    o->exr_float = true;
    return CLRT_OK;
  }
  if (strcmp(arg, "--png-16") == 0) {
    o->png_16 = true;
    return CLRT_OK;
  }
  if (strcmp(arg, "--refit") == 0) {
    o->refit = true;
    return CLRT_OK;
  }
  if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
    o->command = CLRT_COMMAND_HELP;
    return CLRT_OK;
  }
  if (arg[0] != '-' || arg[1] == '\0') {
    if (o->scene_path)
      return usage_error(err, "unexpected argument '%s' (the scene is already '%s')", arg, o->scene_path);
    o->scene_path = arg;
    return CLRT_OK;
  }
  const char *equals = strchr(arg, '=');
  char name[64];
  snprintf(name, sizeof name, "%.*s", equals ? (int)(equals - arg) : (int)strlen(arg), arg);
  if (!takes_value(name))
    return usage_error(err, "unknown option '%s'%s", name, "");
  if (equals)
    return apply_valued_option(name, equals + 1, o, err);
  if (*index + 1 >= argc)
    return usage_error(err, "option '%s' needs a value%s", name, "");
  return apply_valued_option(name, argv[++*index], o, err);
}

/* What a sequence cannot do yet, each refused by name. */
static const char *unsupported_in_sequence(const clrt_options *o) {
  return o->checkpoint_path ? (o->resume ? "--resume" : "--checkpoint")
         : o->time_s > 0.0  ? "--time"
         : o->noise > 0.0   ? "--noise"
         : o->keep_partial  ? "--keep-partial"
         : o->denoise       ? "--denoise"
         : o->passes        ? "--passes"
         : o->exr_float     ? "--exr-float"
         : o->png_16        ? "--png-16"
                            : NULL;
}

/* --frames: -o names a movie or a picture per frame. */
static clrt_status check_sequence_options(const clrt_options *o, clrt_error *err) {
  bool movie = clrt_movie_named(o->output_path);
  if (o->fps && !movie)
    return usage_error(err, "--fps is for a movie (-o FILE.mp4 or .webm), not %s%s", o->output_path, "");
  if (!o->frames.step && (o->fps || o->refit || o->split))
    return usage_error(err, "%s needs --frames FIRST..LAST%s", o->fps ? "--fps" : o->refit ? "--refit" : "--split", "");
  if (!o->frames.step)
    return CLRT_OK;
  const char *unsupported = unsupported_in_sequence(o);
  if (unsupported)
    return usage_error(err,
                       "%s cannot be used with --frames: a sequence's frames are rendered in one go to 8-bit "
                       "pictures or a movie%s",
                       unsupported, "");
  if (movie)
    return CLRT_OK;
  clrt_image_format format;
  if (clrt_pattern_kind_of(o->output_path) != CLRT_PATTERN_ONE)
    return usage_error(err,
                       "--frames: -o %s must hold the frame's number, as in frame_%%04d.png, or be a movie (.mp4, "
                       ".webm)%s",
                       o->output_path, "");
  if (clrt_image_format_of(o->output_path, &format, NULL) != CLRT_OK || clrt_image_format_is_linear(format))
    return usage_error(err,
                       "--frames: -o %s: a sequence's frames are .png, .jpg, .bmp or .tga pictures, or a movie "
                       "(.mp4, .webm)%s",
                       o->output_path, "");
  return CLRT_OK;
}

static clrt_status check_render_options(const clrt_options *o, clrt_error *err) {
  if (o->command != CLRT_COMMAND_RENDER)
    return CLRT_OK;
  if (!o->scene_path)
    return usage_error(err, "render: missing the scene file, as in 'clrt render scene.json -o out.png'%s%s", "", "");
  if (!o->output_path)
    return usage_error(err, "render: missing the output file: add -o OUT.png%s%s", "", "");
  if (o->strip_count && o->tile_width)
    return usage_error(err, "--tiles and --tile-size cannot be used together%s%s", "", "");
  if ((o->time_s > 0.0 || o->noise > 0.0) && (o->strip_count || o->tile_width))
    return usage_error(err,
                       "%s cannot be used with --tiles or --tile-size: progressive passes are cut along 16x16 "
                       "regions%s",
                       o->time_s > 0.0 ? "--time" : "--noise", "");
  if (o->checkpoint_path && strcmp(o->checkpoint_path, o->output_path) == 0)
    return usage_error(err, "%s is both the output and the checkpoint: name the checkpoint another file%s",
                       o->output_path, "");
  clrt_status status = check_sequence_options(o, err);
  if (status != CLRT_OK || o->frames.step)
    return status;
  clrt_image_format format;
  bool known = clrt_image_format_of(o->output_path, &format, NULL) == CLRT_OK;
  if (o->png_level.set && (!known || format != CLRT_FORMAT_PNG))
    return usage_error(err, "--png-level is for .png output, not %s%s", o->output_path, "");
  if (o->png_16 && (!known || format != CLRT_FORMAT_PNG))
    return usage_error(err, "--png-16 is for .png output, not %s%s", o->output_path, "");
  if ((o->passes || o->exr_float) && (!known || format != CLRT_FORMAT_EXR))
    return usage_error(err,
                       "%s needs an OpenEXR output (-o FILE.exr), not %s: only EXR holds layers and float "
                       "channels",
                       o->passes ? "--passes" : "--exr-float", o->output_path);
  return CLRT_OK;
}

static clrt_status parse_render(int argc, char **argv, clrt_options *o, clrt_error *err) {
  o->command = CLRT_COMMAND_RENDER;
  for (int i = 2; i < argc; ++i) {
    clrt_status status = parse_render_argument(argc, argv, &i, o, err);
    if (status != CLRT_OK)
      return status;
  }
  return check_render_options(o, err);
}

/* `clrt trajectory PATTERN [--particles N] [--frames N] [--seed S] [-q]`. */
static clrt_status parse_trajectory_argument(int argc, char **argv, int *index, clrt_trajectory_options *t,
                                             clrt_error *err) {
  const char *arg = argv[*index];
  if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
    t->quiet = true;
    return CLRT_OK;
  }
  if (arg[0] != '-') {
    if (t->pattern)
      return usage_error(err, "trajectory: unexpected argument '%s' (the pattern is already '%s')", arg, t->pattern);
    t->pattern = arg;
    return CLRT_OK;
  }
  if (*index + 1 >= argc)
    return usage_error(err, "trajectory: option '%s' needs a value%s", arg, "");
  const char *value = argv[++*index];
  if (strcmp(arg, "--particles") == 0)
    return parse_unsigned(arg, value, 1, CLRT_TRAJECTORY_MAX_PARTICLES, &t->particles, err);
  if (strcmp(arg, "--frames") == 0)
    return parse_unsigned(arg, value, 1, CLRT_TRAJECTORY_MAX_FRAMES, &t->frames, err);
  if (strcmp(arg, "--seed") == 0)
    return parse_unsigned(arg, value, 0, 4294967295u, &t->seed, err);
  return usage_error(err, "trajectory: unknown option '%s'%s", arg, "");
}

static clrt_status parse_trajectory(int argc, char **argv, clrt_options *o, clrt_error *err) {
  o->command = CLRT_COMMAND_TRAJECTORY;
  o->trajectory = (clrt_trajectory_options){
      .particles = CLRT_TRAJECTORY_DEFAULT_PARTICLES, .frames = CLRT_TRAJECTORY_DEFAULT_FRAMES, .seed = 1};
  for (int i = 2; i < argc; ++i) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      o->command = CLRT_COMMAND_HELP;
      return CLRT_OK;
    }
    clrt_status status = parse_trajectory_argument(argc, argv, &i, &o->trajectory, err);
    if (status != CLRT_OK)
      return status;
  }
  if (!o->trajectory.pattern)
    return usage_error(err, "trajectory: missing the frames' files, as in 'clrt trajectory traj/frame_%%04d.ply'%s%s",
                       "", "");
  return CLRT_OK;
}

clrt_status clrt_cli_parse(int argc, char **argv, clrt_options *o, clrt_error *err) {
  memset(o, 0, sizeof *o);
  if (argc < 2)
    return usage_error(err, "missing a command: render, bench, compare, devices or trajectory%s%s", "", "");
  const char *command = argv[1];
  if (strcmp(command, "-h") == 0 || strcmp(command, "--help") == 0 || strcmp(command, "help") == 0) {
    o->command = CLRT_COMMAND_HELP;
    return CLRT_OK;
  }
  if (strcmp(command, "-V") == 0 || strcmp(command, "--version") == 0) {
    o->command = CLRT_COMMAND_VERSION;
    return CLRT_OK;
  }
  if (strcmp(command, "devices") == 0) {
    o->command = CLRT_COMMAND_DEVICES;
    if (argc > 2)
      return usage_error(err, "devices: unexpected argument '%s'%s", argv[2], "");
    return CLRT_OK;
  }
  if (strcmp(command, "compare") == 0) {
    o->command = CLRT_COMMAND_COMPARE;
    if (argc != 4)
      return usage_error(err, "compare: expected two pictures, as in 'clrt compare REFERENCE.exr IMAGE.png'%s%s", "",
                         "");
    o->compare_paths[0] = argv[2];
    o->compare_paths[1] = argv[3];
    return CLRT_OK;
  }
  if (strcmp(command, "render") == 0)
    return parse_render(argc, argv, o, err);
  if (strcmp(command, "trajectory") == 0)
    return parse_trajectory(argc, argv, o, err);
  if (strcmp(command, "bench") == 0)
    return parse_bench(argc, argv, o, err);
  return usage_error(err, "unknown command '%s': expected render, bench, compare, devices or trajectory%s", command,
                     "");
}
