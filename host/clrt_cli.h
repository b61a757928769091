/* The command line: subcommands and options, parsed and range-checked. */
#ifndef CLRT_CLI_H
#define CLRT_CLI_H

#include <stdio.h>

#include "clrt_error.h"
#include "clrt_options.h"

/* Parses argv (argv[0] is the program). Errors are usage errors. */
clrt_status clrt_cli_parse(int argc, char **argv, clrt_options *options, clrt_error *err);

void clrt_cli_print_usage(FILE *out);

void clrt_cli_free(clrt_options *options);

#endif /* CLRT_CLI_H */
