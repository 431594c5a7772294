/*
 * progress: a one-line progress report for long builds on a terminal
 * ("clinicgen: rendering pages 4210 of 10017"), redrawn by its own thread
 * ten times a second and wiped when the build ends, so the messages and the
 * summary line that follow stand alone. Nothing is drawn for builds that end
 * within PROGRESS_DELAY_MS, or when the stream is not a terminal.
 *
 * The build owns the progress (progress_start / progress_stop); workers
 * call progress_add from any thread.
 */
#ifndef CLINICGEN_PROGRESS_H
#define CLINICGEN_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

enum { PROGRESS_DELAY_MS = 500 };

typedef struct progress progress;

/* enabled: the build may show progress (not -q); it is shown only if out is
 * a terminal. Returns NULL when it is not shown: every call takes NULL. */
progress *progress_start(FILE *out, int enabled);
/* A new phase: its name ("rendering pages") and how many steps it has (0:
 * not counted). The name must outlive the phase. */
void progress_phase(progress *p, const char *name, size_t total);
void progress_add(progress *p, size_t steps);
/* Wipes the line and frees p. */
void progress_stop(progress *p);

#endif
