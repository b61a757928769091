/* Facts about the machine a benchmark ran on: CPU, OS, OpenCL platforms. */
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

static void read_platforms(clrt_machine_facts *facts) {
  cl_platform_id platforms[8];
  cl_uint count = 0;
  if (clGetPlatformIDs(8, platforms, &count) != CL_SUCCESS)
    count = 0;
  for (cl_uint i = 0; i < count && i < 8; ++i) {
    char name[120] = "?", version[120] = "?";
    clGetPlatformInfo(platforms[i], CL_PLATFORM_NAME, sizeof name - 1, name, NULL);
    clGetPlatformInfo(platforms[i], CL_PLATFORM_VERSION, sizeof version - 1, version, NULL);
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
  read_platforms(facts);
}
