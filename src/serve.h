/*
 * serve: the `clinicgen serve` command, a live preview while writing.
 *
 * Builds the project into DIR/site, serves it (serve_http), watches the
 * sources (watch) and rebuilds when they change: a burst of events (an
 * editor's save, a checkout) becomes one build once SERVE_QUIET_MS pass
 * without another, or SERVE_MAX_WAIT_MS after the first. Each build's
 * outcome goes to the live hub, which reloads the open pages or shows them
 * the errors; a failed build leaves the previous site in place (build.h),
 * so it stays served. SIGINT or SIGTERM stops everything and frees it.
 *
 * The signals are blocked in every thread and read from a signalfd in the
 * main loop: no signal handler, no global state. serve_run owns everything
 * it makes and returns the exit status: 0 after a clean stop, 1 when the
 * server cannot start (the address is taken, say). The signals stay
 * blocked when it returns: the caller is expected to exit.
 */
#ifndef CLINICGEN_SERVE_H
#define CLINICGEN_SERVE_H

#include "build.h"

enum { SERVE_DEFAULT_PORT = 4000, SERVE_QUIET_MS = 100, SERVE_MAX_WAIT_MS = 1000 };

typedef struct serve_options {
    build_options build; /* project_dir, drafts, jobs; out_dir must be NULL */
    const char *bind;    /* "127.0.0.1" by default */
    int port;            /* 0: any free port */
} serve_options;

int serve_run(const serve_options *opt);

#endif
