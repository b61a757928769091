/* Sequences through the clrt binary (render --frames, trajectory): every
 * frame's files checked before anything is written, frames equal to
 * stills of the same frame and camera (key frames byte for byte), refits
 * and rebuilds giving the same pixels, movies with every frame. */
#define _GNU_SOURCE
#include "test_support.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static char folder[700];

typedef struct run_result {
  int exit_code;
  char *err; /* stderr (and stdout) */
} run_result;

/* Runs `clrt ARGS` in the test's folder, both streams captured. */
static run_result run_clrt(const char *format, ...) __attribute__((format(printf, 1, 2)));
static run_result run_clrt(const char *format, ...) {
  char args[4096], command[6144], log[800];
  va_list list;
  va_start(list, format);
  vsnprintf(args, sizeof args, format, list);
  va_end(list);
  snprintf(log, sizeof log, "%s/log", folder);
  snprintf(command, sizeof command, "cd '%s' && '%s' %s >'%s' 2>&1", folder, CLRT_BINARY, args, log);
  int status = system(command);
  assert_true(WIFEXITED(status));
  run_result r = {WEXITSTATUS(status), test_read_file(log, NULL)};
  return r;
}

static void run_ok(run_result r) {
  if (r.exit_code != 0)
    fail_msg("exit %d: %s", r.exit_code, r.err);
  free(r.err);
}

static void write_file(const char *name, const char *text) {
  char path[800];
  snprintf(path, sizeof path, "%s/%s", folder, name);
  FILE *file = fopen(path, "w");
  assert_non_null(file);
  fputs(text, file);
  assert_int_equal(fclose(file), 0);
}

/* How many files of the folder start with `prefix`. */
static int files_starting(const char *prefix) {
  DIR *dir = opendir(folder);
  assert_non_null(dir);
  int count = 0;
  for (struct dirent *e; (e = readdir(dir));)
    count += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
  closedir(dir);
  return count;
}

/* Two pictures with the same pixels (clrt compare says inf). */
static void assert_same_pixels(const char *a, const char *b) {
  run_result r = run_clrt("compare %s %s", a, b);
  if (r.exit_code != 0 || !strstr(r.err, "PSNR inf dB"))
    fail_msg("%s and %s differ: %s", a, b, r.err);
  free(r.err);
}

#define TRAJECTORY_SCENE                                                                                               \
  "{\"image\": {\"width\": 96, \"height\": 64, \"samples\": 2},"                                                       \
  " \"camera\": {\"look_from\": [0, 8, 14], \"look_at\": [0, 0, 0], \"vfov\": 50},"                                    \
  " \"materials\": {\"m\": {\"color\": [1, 1, 1]}}, \"lights\": [{\"position\": [4, 9, 6]}],"                          \
  " \"spheres\": [{\"file\": \"traj/f_%%03d.ply\", \"material\": \"m\","                                               \
  " \"radius\": {\"property\": \"mass\", \"scale\": 0.15},"                                                            \
  " \"color_map\": {\"property\": \"temperature\", \"map\": \"magma\", \"range\": [0, 1.2]}}]}"

static int setup(void **state) {
  (void)state;
  snprintf(folder, sizeof folder, "%s", test_temp_dir());
  char scene[2048];
  snprintf(scene, sizeof scene, TRAJECTORY_SCENE);
  write_file("traj.json", scene);
  run_ok(run_clrt("trajectory traj/f_%%03d.ply --particles 2000 --frames 6 -q"));
  return 0;
}

/* A missing frame (or a bad one) is found before anything renders: one
 * line naming it, exit 2, and no picture or movie written. */
static void test_a_missing_frame_writes_nothing(void **state) {
  (void)state;
  char from[800], to[800];
  snprintf(from, sizeof from, "%s/traj/f_003.ply", folder);
  snprintf(to, sizeof to, "%s/away.ply", folder);
  assert_int_equal(rename(from, to), 0);
  const char *outputs[] = {"-o miss_%02d.png", "-o miss.mp4"};
  for (int i = 0; i < 2; ++i) {
    run_result r = run_clrt("render traj.json --frames 0..5 %s", outputs[i]);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "traj/f_003.ply: cannot open the PLY file"));
    assert_ptr_equal(strchr(r.err, '\n'), r.err + strlen(r.err) - 1); /* one line */
    free(r.err);
    assert_int_equal(files_starting("miss"), 0);
  }
  write_file("traj/f_003.ply", "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nend_header\n1\n");
  run_result r = run_clrt("render traj.json --frames 0..5 -o miss_%%02d.png");
  assert_int_equal(r.exit_code, 2);
  assert_non_null(strstr(r.err, "f_003.ply: the vertex element has no 'y' property"));
  free(r.err);
  assert_int_equal(files_starting("miss"), 0);
  assert_int_equal(rename(to, from), 0);
}

/* Frame 4 of the sequence is the still of frame 4's file, and --refit
 * (the same tree refitted) gives the same pixels as building trees. */
static void test_frames_are_stills_and_refits_change_nothing(void **state) {
  (void)state;
  run_ok(run_clrt("render traj.json --frames 0..5 -o built_%%d.png -q"));
  run_ok(run_clrt("render traj.json --frames 0..5 -o refit_%%d.png --refit -q"));
  assert_int_equal(files_starting("built_"), 6);
  char scene[2048];
  snprintf(scene, sizeof scene, TRAJECTORY_SCENE);
  char *pattern = strstr(scene, "f_%03d");
  memcpy(pattern, "f_004", 5);
  memmove(pattern + 5, pattern + 6, strlen(pattern + 6) + 1);
  write_file("still.json", scene);
  run_ok(run_clrt("render still.json -o still_4.png -q"));
  assert_same_pixels("still_4.png", "built_4.png");
  for (int f = 0; f < 6; ++f) {
    char a[32], b[32];
    snprintf(a, sizeof a, "built_%d.png", f);
    snprintf(b, sizeof b, "refit_%d.png", f);
    assert_same_pixels(a, b);
  }
  run_result r = run_clrt("render traj.json --frames 0..5 -o refit_%%d.png --refit");
  assert_int_equal(r.exit_code, 0);
  assert_non_null(strstr(r.err, "BVH built 1 time(s), refitted 5"));
  assert_non_null(strstr(r.err, "6 frame(s) 0..5 step 1"));
  free(r.err);
}

/* On a key's frame the camera is that key's: the frame is the still with
 * that camera, byte for byte; between keys the frames differ. */
static void test_key_frames_are_the_keys_cameras(void **state) {
  (void)state;
  write_file("keys.json",
             "{\"image\": {\"width\": 80, \"height\": 60},"
             " \"camera\": {\"look_from\": [0, 2, 9], \"look_at\": [0, 0, 0], \"vfov\": 40,"
             " \"path\": {\"keys\": [{\"frame\": 0, \"look_from\": [0, 2, 9], \"look_at\": [0, 0, 0]},"
             " {\"frame\": 3, \"look_from\": [7, 3, 4], \"look_at\": [0.5, 0, 0], \"vfov\": 30}]}},"
             " \"materials\": {\"m\": {\"color\": [0.8, 0.4, 0.2]}}, \"lights\": [{\"position\": [3, 5, 4]}],"
             " \"spheres\": [{\"random\": {\"count\": 40, \"min\": [-2, -1, -2], \"max\": [2, 1, 2],"
             " \"radius\": [0.2, 0.4], \"colors\": true}, \"material\": \"m\"}]}");
  write_file("key3.json",
             "{\"image\": {\"width\": 80, \"height\": 60},"
             " \"camera\": {\"look_from\": [7, 3, 4], \"look_at\": [0.5, 0, 0], \"vfov\": 30},"
             " \"materials\": {\"m\": {\"color\": [0.8, 0.4, 0.2]}}, \"lights\": [{\"position\": [3, 5, 4]}],"
             " \"spheres\": [{\"random\": {\"count\": 40, \"min\": [-2, -1, -2], \"max\": [2, 1, 2],"
             " \"radius\": [0.2, 0.4], \"colors\": true}, \"material\": \"m\"}]}");
  run_ok(run_clrt("render keys.json --frames 0..3 -o key_%%d.png -q --tiles 3"));
  run_ok(run_clrt("render key3.json -o key3_still.png -q"));
  assert_same_pixels("key3_still.png", "key_3.png");
  run_result r = run_clrt("compare key_1.png key_2.png");
  assert_null(strstr(r.err, "PSNR inf dB"));
  free(r.err);
  /* The spheres stay: the scene is flattened once, the frames move the camera. */
  r = run_clrt("render keys.json --frames 0..3 -o key_%%d.png");
  assert_non_null(strstr(r.err, "BVH built 1 time(s), refitted 0"));
  free(r.err);
}

/* A movie holds every frame, at the rate asked for; a failed or refused
 * one leaves no file. */
static void test_movies(void **state) {
  (void)state;
  run_ok(run_clrt("render traj.json --frames 0..5 -o swirl.mp4 --fps 12 -q"));
  run_ok(run_clrt("render traj.json --frames 0..4 -o swirl.webm -q"));
  char command[1024];
  snprintf(command, sizeof command,
           "cd '%s' && for movie in swirl.mp4 swirl.webm; do ffprobe -v error -count_frames -select_streams v:0 "
           "-show_entries stream=width,height,r_frame_rate,nb_read_frames -of csv=p=0 $movie || exit 1; done > probe "
           "2>&1",
           folder);
  assert_int_equal(system(command), 0);
  char path[800];
  snprintf(path, sizeof path, "%s/probe", folder);
  char *probe = test_read_file(path, NULL);
  if (!strstr(probe, "96,64,12/1,6") || !strstr(probe, "96,64,30/1,5"))
    fail_msg("ffprobe says: %s", probe);
  free(probe);
  run_result r = run_clrt("render traj.json --frames 0..5 -o odd.mp4 --width 95");
  assert_int_equal(r.exit_code, 2);
  assert_non_null(strstr(r.err, "odd.mp4: a movie's frames need an even width and height"));
  free(r.err);
  r = run_clrt("render traj.json --frames 0..1 -o none.mp4 --tile-size 8x8 --width 64 --height 64 --device nothing");
  assert_int_not_equal(r.exit_code, 0);
  free(r.err);
  assert_int_equal(files_starting("odd"), 0);
  assert_int_equal(files_starting("none"), 0);
}

/* A device that fails in the middle of a sequence: an error naming the
 * frame, the pictures before it complete, no movie at all. */
static void test_a_failing_device_leaves_no_movie(void **state) {
  (void)state;
  clrt_device device;
  test_require_device(&device);
  char environment[256];
  /* Its third tile (frame 2's, one a frame) fails, and every retry. */
  snprintf(environment, sizeof environment, "CLRT_INJECT_FAULT='%s'",
           test_fault_rule(&device, "3,4,5,6,7,8,9,10,11,12,13,14,15,16"));
  for (int i = 0; i < 2; ++i) {
    char output[64];
    snprintf(output, sizeof output, "%s", i ? "broken_%d.png" : "broken.mp4");
    char args[512];
    snprintf(args, sizeof args, "render traj.json --frames 0..5 -o %s --tiles 1 --device %u:%u", output,
             device.platform_index, device.device_index);
    char command[2048];
    snprintf(command, sizeof command, "cd '%s' && %s '%s' %s > log 2>&1", folder, environment, CLRT_BINARY, args);
    int status = system(command);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    char path[800];
    snprintf(path, sizeof path, "%s/log", folder);
    char *log = test_read_file(path, NULL);
    if (!strstr(log, "frame 2: no device could render 1 tile(s)") ||
        !strstr(log, i ? "the frames before it are written" : "no movie written"))
      fail_msg("%s", log);
    free(log);
  }
  assert_int_equal(files_starting("broken.mp4"), 0);
  assert_int_equal(files_starting("broken_"), 2); /* frames 0 and 1 */
}

static void test_mistakes(void **state) {
  (void)state;
  static const struct {
    const char *args, *message;
  } cases[] = {
      {"render traj.json -o still.png", "spheres[0].file: is a frame pattern: render the frames with --frames"},
      {"render traj.json --frames 0..5 -o plain.png", "-o plain.png must hold the frame's number"},
      {"render traj.json --frames 5..1 -o f_%%d.png", "--frames: expected FIRST..LAST or FIRST..LAST:STEP"},
      {"render traj.json --frames 0..5 -o f_%%d.exr", "a sequence's frames are .png, .jpg, .bmp or .tga"},
      {"render traj.json --frames 0..5 -o f_%%d.png --denoise", "--denoise cannot be used with --frames"},
      {"render traj.json --frames 0..5 -o f_%%d.png --fps 10", "--fps is for a movie"},
      {"render traj.json -o f.png --refit", "--refit needs --frames FIRST..LAST"},
      {"trajectory plain.ply", "trajectory: plain.ply must hold the frame's number"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    run_result r = run_clrt(cases[i].args, "");
    if (r.exit_code != 2 || !strstr(r.err, cases[i].message))
      fail_msg("'%s': exit %d: %s", cases[i].args, r.exit_code, r.err);
    free(r.err);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_missing_frame_writes_nothing),
      cmocka_unit_test(test_frames_are_stills_and_refits_change_nothing),
      cmocka_unit_test(test_key_frames_are_the_keys_cameras),
      cmocka_unit_test(test_movies),
      cmocka_unit_test(test_a_failing_device_leaves_no_movie),
      cmocka_unit_test(test_mistakes),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
