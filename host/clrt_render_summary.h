/* What `clrt render` says on the console: what it is about to render,
 * samples its integrator cut short, and how the render went (devices,
 * processes, rates). */
#ifndef CLRT_RENDER_SUMMARY_H
#define CLRT_RENDER_SUMMARY_H

#include <stdio.h>

#include "clrt_frame.h"
#include "clrt_render_job.h"

/* What is about to be rendered, so that a render without a terminal (no
 * bar) says at once how much work it has ahead. */
void clrt_render_summary_start(FILE *log, const clrt_render_job *job);

/* Samples the integrator cut short, in its own words (said even with
 * --quiet: the picture is not all there); nothing when there were none. */
void clrt_render_summary_cut_short(FILE *log, const clrt_render_job *job, const clrt_frame_outcome *outcome);

/* How it went: the picture, the devices, the times (the auxiliary
 * passes, the denoiser and the output's from `destination`) and rates; a
 * line per device when there were several, and a line per process in a
 * cluster. */
void clrt_render_summary_print(FILE *log, const clrt_render_job *job, const clrt_frame_outcome *outcome,
                               const clrt_render_destination *destination, double wall_ms);

/* A progressive render's passes: how many, the samples they took and the
 * noise they left. */
void clrt_render_summary_passes(FILE *log, const clrt_render_job *job, const clrt_passes_outcome *passes);

#endif /* CLRT_RENDER_SUMMARY_H */
