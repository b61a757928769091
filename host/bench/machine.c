/* Facts about the machine a benchmark ran on: its name, CPU, OS, OpenCL
 * platforms. */
#include "clrt_bench.h"

#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "clrt_opencl.h"

/* The value of the first line of `path` starting with `key`, after the
 * separator, into out; false when absent. */
static bool read_field(const char *path, const char *key, char separator, char *out, size_t size) {
  FILE *file = fopen(path, "r");
  if (!file)
    return false;
  char line[512];
  bool found = false;
  while (!found && fgets(line, sizeof line, file)) {
    char *value = strchr(line, separator);
    if (strncmp(line, key, strlen(key)) != 0 || !value)
      continue;
    value += 1;
    while (*value == ' ' || *value == '\t' || *value == '"')
      ++value;
    value[strcspn(value, "\"\n")] = '\0';
    snprintf(out, size, "%s", value);
    found = true;
  }
  fclose(file);
  return found;
}

/* A platform string, or what went wrong reading it (the record says so
 * rather than failing the benchmark). */
static void platform_text(cl_platform_id platform, cl_platform_info what, char *out, size_t size) {
  cl_int rc = clGetPlatformInfo(platform, what, size - 1, out, NULL);
  out[size - 1] = '\0';
  if (rc != CL_SUCCESS)
    snprintf(out, size, "unreadable: %s", clrt_cl_error_name(rc));
}

static void read_platforms(clrt_machine_facts *facts) {
  enum { MAX_RECORDED = sizeof facts->platforms / sizeof facts->platforms[0] };
  cl_platform_id platforms[MAX_RECORDED];
  cl_uint count = 0;
  if (clGetPlatformIDs(MAX_RECORDED, platforms, &count) != CL_SUCCESS)
    count = 0;
  for (cl_uint i = 0; i < count && i < MAX_RECORDED; ++i) {
    char name[120], version[120];
    platform_text(platforms[i], CL_PLATFORM_NAME, name, sizeof name);
    platform_text(platforms[i], CL_PLATFORM_VERSION, version, sizeof version);
    snprintf(facts->platforms[facts->platform_count++], CLRT_BENCH_TEXT, "%s (%s)", name, version);
  }
}

void clrt_machine_facts_read(clrt_machine_facts *facts) {
  memset(facts, 0, sizeof *facts);
  if (!read_field("/proc/cpuinfo", "model name", ':', facts->cpu, sizeof facts->cpu))
    snprintf(facts->cpu, sizeof facts->cpu, "unknown");
  char pretty[200] = "unknown";
  read_field("/etc/os-release", "PRETTY_NAME", '=', pretty, sizeof pretty);
  struct utsname system;
  if (uname(&system) == 0)
    snprintf(facts->os, sizeof facts->os, "%.150s, %.40s %.60s", pretty, system.sysname, system.release);
  else
    snprintf(facts->os, sizeof facts->os, "%s", pretty);
  facts->cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (gethostname(facts->host, sizeof facts->host) != 0)
    snprintf(facts->host, sizeof facts->host, "unknown");
  facts->host[sizeof facts->host - 1] = '\0';
  read_platforms(facts);
}
