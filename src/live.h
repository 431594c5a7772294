/*
 * live: the live-reload channel of clinicgen serve, both ends.
 *
 * The server end is a hub that the rebuild loop tells about each build
 * (live_publish: did it succeed, and its error messages) and that request
 * threads read: a snapshot of the state as JSON (live_status_json, for
 * /__clinicgen/status and each server-sent event), or a wait for the next
 * build (live_wait, for the event stream). The browser end is the script
 * that the server adds to every HTML page it serves (live_script): it
 * listens to the event stream, reloads the page after a build that
 * succeeded, and shows a failed build's errors (file:line:col: ...) over
 * the page, which stays the last one that built. It runs under a strict
 * Content-Security-Policy: an external file, no inline style.
 *
 * The state as JSON:
 *   {"server":"ID","build":N,"ok":true|false,"summary":"...","errors":["..."]}
 * ID changes when the server restarts, N with every build; a page that
 * reconnects to a server with another ID or N reloads.
 *
 * A hub is shared by threads (a mutex guards it) and owns its state;
 * live_close wakes every waiter for good (call it before stopping the
 * threads that wait), live_free releases it once nobody uses it.
 */
#ifndef CLINICGEN_LIVE_H
#define CLINICGEN_LIVE_H

#include "diag.h"

#include <stddef.h>

typedef struct live live;

live *live_new(void);
/* A build ended: ok or not, with its messages (copied; errors only are
 * shown, at most LIVE_MAX_ERRORS of them). Wakes every waiter. */
void live_publish(live *l, int ok, const diag_list *messages);
/* The current state as JSON (caller frees); *build gets its number, *ok
 * whether that build succeeded (either may be NULL). */
char *live_status_json(live *l, unsigned long *build, int *ok);
/* Waits until the build number is no longer seen, the hub closes or
 * timeout_ms pass: 1 a newer build, 0 the time is up, -1 closed. */
int live_wait(live *l, unsigned long seen, int timeout_ms);
void live_close(live *l);
void live_free(live *l);

enum { LIVE_MAX_ERRORS = 100 };

/* The browser script (static text, UTF-8 JavaScript). */
const char *live_script(size_t *len);

#endif
