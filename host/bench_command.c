/* `clrt bench`: measure (every process, under mpirun), then the root's
 * table and files; or two result files compared. */
#include "clrt_commands.h"

#include "clrt_cluster.h"
#include "clrt_file.h"
#include "clrt_stop.h"

/* The table and the files, from the root's results. */
static clrt_status report_bench(const clrt_bench_options *options, const clrt_bench_results *results, FILE *out,
                                FILE *log, clrt_error *err) {
  clrt_bench_print_table(results, out);
  clrt_status status = CLRT_OK;
  if (options->json_path && (status = clrt_bench_write_json(results, options->json_path, err)) == CLRT_OK)
    fprintf(log, "clrt: wrote %s\n", options->json_path);
  if (status == CLRT_OK && options->csv_path &&
      (status = clrt_bench_write_csv(results, options->csv_path, err)) == CLRT_OK)
    fprintf(log, "clrt: wrote %s\n", options->csv_path);
  if (status == CLRT_OK && options->chart_path &&
      (status = clrt_bench_write_chart(results, options->chart_path, err)) == CLRT_OK)
    fprintf(log, "clrt: wrote %s\n", options->chart_path);
  return status;
}

/* The files the report goes to, checked before anything is measured. */
static clrt_status check_result_files(const clrt_bench_options *options, clrt_error *err) {
  const char *options_named[] = {"--json", "--csv", "--chart"};
  const char *paths[] = {options->json_path, options->csv_path, options->chart_path};
  clrt_status status = CLRT_OK;
  for (size_t i = 0; status == CLRT_OK && i < sizeof paths / sizeof paths[0]; ++i)
    if (paths[i])
      status = clrt_file_check_destination(options_named[i], paths[i], err);
  return status;
}

/* Under mpirun every process measures (clrt_bench.h); the root reports. */
clrt_status clrt_bench_command(const clrt_bench_options *options, FILE *out, FILE *log, clrt_error *err) {
  bool root = clrt_cluster_rank() == 0;
  if (options->compare_paths[0]) /* two files, nothing measured: the root's alone */
    return root ? clrt_bench_compare(options->compare_paths[0], options->compare_paths[1], out, err) : CLRT_OK;
  clrt_status checked = clrt_cluster_agree(root ? check_result_files(options, err) : CLRT_OK, err);
  if (checked != CLRT_OK)
    return checked;
  clrt_bench_results results;
  clrt_stop_catch();
  clrt_status status = clrt_bench_run(options, log, &results, err);
  if (status == CLRT_OK && root)
    status = report_bench(options, &results, out, log, err);
  clrt_bench_results_free(&results);
  return clrt_cluster_agree(status, err);
}
