/* Movies through an ffmpeg child process (clrt_movie.h). */
#define _GNU_SOURCE /* pipe2 */
#include "clrt_movie.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clrt_file.h"
#include "clrt_stop.h"

extern char **environ;

/* H.264 at CRF 18 and VP9 at CRF 30 look clean to the eye on rendered
 * frames; yuv420p is what every player plays. x264's veryfast preset,
 * since ffmpeg shares the machine with the render: at medium, its
 * trellis quantisation alone took 6% of a 2-core machine's time on
 * 1280x720 frames of a million particles. */
static const char *const MP4_CODEC[] = {"-c:v",      "libx264",    "-preset", "veryfast", "-crf", "18",
                                        "-movflags", "+faststart", "-f",      "mp4",      NULL};
static const char *const WEBM_CODEC[] = {"-c:v",    "libvpx-vp9", "-crf", "30",   "-b:v", "0",
                                         "-row-mt", "1",          "-f",   "webm", NULL};
enum { MOST_ARGUMENTS = 40, ERROR_TAIL = 512 };

struct clrt_movie {
  char *path, *temporary;
  char *log; /* ffmpeg's messages, for an error */
  pid_t child;
  int input; /* the write end of ffmpeg's stdin */
  size_t frame_bytes;
  unsigned frames;
};

static bool ends_with(const char *text, const char *end) {
  size_t n = strlen(text), m = strlen(end);
  return n >= m && !strcmp(text + n - m, end);
}

bool clrt_movie_named(const char *path) { return ends_with(path, ".mp4") || ends_with(path, ".webm"); }

static bool on_path(const char *program) {
  const char *path = getenv("PATH");
  char candidate[4096];
  for (const char *dir = path ? path : ""; dir && *dir;) {
    const char *end = strchr(dir, ':');
    int length = end ? (int)(end - dir) : (int)strlen(dir);
    snprintf(candidate, sizeof candidate, "%.*s/%s", length, dir, program);
    if (access(candidate, X_OK) == 0)
      return true;
    dir = end ? end + 1 : NULL;
  }
  return false;
}

clrt_status clrt_movie_check(const char *path, unsigned width, unsigned height, clrt_error *err) {
  if (!on_path("ffmpeg"))
    return clrt_fail(err, CLRT_ERR_INPUT,
                     "%s: a movie is encoded by ffmpeg, which is not on PATH: install it (sudo apt-get install "
                     "ffmpeg), or write the frames as pictures (-o frame_%%04d.png)",
                     path);
  if (width % 2 || height % 2)
    return clrt_fail(err, CLRT_ERR_INPUT,
                     "%s: a movie's frames need an even width and height (4:2:0 colour), not %ux%u: give --width %u "
                     "--height %u",
                     path, width, height, width + width % 2, height + height % 2);
  return clrt_file_check_destination("-o", path, err);
}

static void free_movie(clrt_movie *m) {
  if (m->log) {
    unlink(m->log);
    free(m->log);
  }
  free(m->temporary);
  free(m->path);
  free(m);
}

/* The arguments: raw RGB frames on stdin, the codec, the temporary file. */
static void movie_arguments(const clrt_movie *m, unsigned width, unsigned height, unsigned fps, char *size, char *rate,
                            const char **argv) {
  snprintf(size, 32, "%ux%u", width, height);
  snprintf(rate, 16, "%u", fps);
  const char *head[] = {"ffmpeg",   "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f",
                        "rawvideo", "-pix_fmt", "rgb24",        "-s",        size,    "-r", rate,
                        "-i",       "pipe:0",   "-pix_fmt",     "yuv420p",   NULL};
  size_t n = 0;
  for (size_t i = 0; head[i]; ++i)
    argv[n++] = head[i];
  const char *const *codec = ends_with(m->path, ".webm") ? WEBM_CODEC : MP4_CODEC;
  for (size_t i = 0; codec[i]; ++i)
    argv[n++] = codec[i];
  argv[n++] = m->temporary;
  argv[n] = NULL;
}

/* ffmpeg with its stdin the read end of a pipe, its messages to a file. */
static clrt_status spawn_ffmpeg(clrt_movie *m, const char **argv, clrt_error *err) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot make a pipe to ffmpeg: %s", m->path, strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, m->log, O_WRONLY | O_TRUNC, 0);
  int rc = posix_spawnp(&m->child, "ffmpeg", &actions, NULL, (char *const *)argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[0]);
  if (rc != 0) {
    close(fds[1]);
    m->child = 0;
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot start ffmpeg: %s", m->path, strerror(rc));
  }
  m->input = fds[1];
  return CLRT_OK;
}

/* A file for ffmpeg's messages, and the temporary movie, beside it. */
static clrt_status make_files(clrt_movie *m, clrt_error *err) {
  int fd = clrt_file_temporary(m->path, &m->temporary);
  if (fd < 0)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot create a temporary file beside it: %s", m->path,
                     strerror(errno));
  close(fd);
  clrt_stop_remove_on_signal(m->temporary);
  /* In $TMPDIR (else /tmp), under a name mkstemp makes unique. */
  const char *folder = getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp";
  char log_name[4096];
  snprintf(log_name, sizeof log_name, "%s/clrt-ffmpeg-%s", folder, "XXXXXX");
  fd = mkstemp(log_name);
  if (fd < 0)
    return clrt_fail(err, CLRT_ERR_RUNTIME, "cannot create a file for ffmpeg's messages in %s: %s", folder,
                     strerror(errno));
  close(fd);
  m->log = strdup(log_name);
  return m->log ? CLRT_OK : clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory");
}

clrt_status clrt_movie_open(const char *path, unsigned width, unsigned height, unsigned fps, clrt_movie **movie,
                            clrt_error *err) {
  clrt_movie *m = calloc(1, sizeof *m);
  *movie = NULL;
  if (!m || !(m->path = strdup(path))) {
    free(m);
    return clrt_fail(err, CLRT_ERR_RUNTIME, "out of memory");
  }
  m->input = -1;
  m->frame_bytes = (size_t)width * height * 3;
  signal(SIGPIPE, SIG_IGN); /* a dead ffmpeg is an error from write, not the end of clrt */
  const char *argv[MOST_ARGUMENTS];
  char size[32], rate[16];
  clrt_status status = make_files(m, err);
  if (status == CLRT_OK) {
    movie_arguments(m, width, height, fps, size, rate, argv);
    status = spawn_ffmpeg(m, argv, err);
  }
  if (status != CLRT_OK) {
    clrt_movie_discard(m);
    return status;
  }
  *movie = m;
  return CLRT_OK;
}

/* The last line ffmpeg wrote, for an error message. */
static void ffmpeg_said(const clrt_movie *m, char *out, size_t size) {
  snprintf(out, size, "(it said nothing)");
  FILE *file = m->log ? fopen(m->log, "r") : NULL;
  char line[ERROR_TAIL];
  while (file && fgets(line, sizeof line, file))
    if (line[strspn(line, " \t\r\n")]) {
      line[strcspn(line, "\r\n")] = '\0';
      snprintf(out, size, "\"%s\"", line);
    }
  if (file)
    fclose(file);
}

/* ffmpeg's end: true when it exited with 0. */
static bool wait_ffmpeg(clrt_movie *m) {
  int wstatus = 0;
  pid_t child = m->child;
  m->child = 0;
  while (child && waitpid(child, &wstatus, 0) < 0 && errno == EINTR)
    ;
  return child && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
}

static clrt_status ffmpeg_failed(clrt_movie *m, const char *what, clrt_error *err) {
  char said[ERROR_TAIL + 8];
  if (m->input >= 0)
    close(m->input);
  m->input = -1;
  wait_ffmpeg(m);
  ffmpeg_said(m, said, sizeof said);
  return clrt_fail(err, CLRT_ERR_RUNTIME, "%s: ffmpeg %s after %u frame(s): %s; no movie written", m->path, what,
                   m->frames, said);
}

clrt_status clrt_movie_add(clrt_movie *m, const uint8_t *rgb, clrt_error *err) {
  for (size_t done = 0; done < m->frame_bytes;) {
    ssize_t n = write(m->input, rgb + done, m->frame_bytes - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return ffmpeg_failed(m, "stopped taking frames", err);
    done += (size_t)n;
  }
  ++m->frames;
  return CLRT_OK;
}

/* What a plainly created file gets (the temporary was made 0600). */
static void plain_permissions(const char *path) {
  mode_t mask = umask(0);
  umask(mask);
  chmod(path, 0666 & ~mask);
}

clrt_status clrt_movie_finish(clrt_movie *m, clrt_error *err) {
  close(m->input);
  m->input = -1;
  clrt_status status = wait_ffmpeg(m) ? CLRT_OK : ffmpeg_failed(m, "failed", err);
  if (status == CLRT_OK) {
    plain_permissions(m->temporary);
    clrt_stop_remove_on_signal(NULL);
    if (rename(m->temporary, m->path) != 0)
      status = clrt_fail(err, CLRT_ERR_RUNTIME, "%s: cannot rename the finished movie into place: %s", m->path,
                         strerror(errno));
  }
  if (status == CLRT_OK) {
    free_movie(m);
    return CLRT_OK;
  }
  clrt_movie_discard(m);
  return status;
}

void clrt_movie_discard(clrt_movie *m) {
  if (!m)
    return;
  if (m->input >= 0)
    close(m->input);
  if (m->child) {
    kill(m->child, SIGTERM);
    wait_ffmpeg(m);
  }
  if (m->temporary) {
    clrt_stop_remove_on_signal(NULL);
    unlink(m->temporary);
  }
  free_movie(m);
}
