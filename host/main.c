/* clrt: renders scenes of spheres and lights on OpenCL devices. */
#include <stdio.h>

#include "clrt_cli.h"
#include "clrt_cluster.h"
#include "clrt_commands.h"
#include "clrt_revision.h" /* generated at build time */
#include "clrt_stop.h"

int main(int argc, char **argv) {
  clrt_cluster_start(&argc, &argv);
  clrt_options options;
  clrt_error err = {{0}};
  clrt_status status = clrt_cli_parse(argc, argv, &options, &err);
  if (status == CLRT_OK) {
    switch (options.command) {
    case CLRT_COMMAND_HELP:
      clrt_cli_print_usage(stdout);
      break;
    case CLRT_COMMAND_VERSION:
      printf("clrt %s (%s)\n", CLRT_VERSION, CLRT_GIT_REVISION);
      break;
    case CLRT_COMMAND_DEVICES:
      status = clrt_devices_command(stdout, &err);
      break;
    case CLRT_COMMAND_COMPARE:
      status = clrt_compare_command(options.compare_paths[0], options.compare_paths[1], stdout, &err);
      break;
    case CLRT_COMMAND_RENDER:
      status = clrt_render_command(&options, stderr, &err);
      break;
    case CLRT_COMMAND_TRAJECTORY:
      status = clrt_trajectory_command(&options.trajectory, stderr, &err);
      break;
    case CLRT_COMMAND_BENCH:
      status = clrt_bench_command(&options.bench, stdout, stderr, &err);
      break;
    }
  }
  clrt_cli_free(&options);
  /* In a cluster the processes agree on the outcome: the root says it. */
  if (status != CLRT_OK && clrt_cluster_rank() == 0)
    fprintf(stderr, "clrt: error: %s\n", err.message);
  int exit_code = clrt_stop_exit_code(status);
  clrt_cluster_end(exit_code);
  return exit_code;
}
