/* live: the build state shared with request threads, and the browser script. */
#include "live.h"

#include "buf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct live {
    pthread_mutex_t lock;
    pthread_cond_t changed; /* on CLOCK_MONOTONIC */
    unsigned long build;    /* builds published so far */
    int ok;
    int closed;
    char *json; /* the state, owned */
    char server[48];
};

live *live_new(void) {
    live *l = xcalloc(1, sizeof *l);
    pthread_mutex_init(&l->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&l->changed, &attr);
    pthread_condattr_destroy(&attr);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(l->server, sizeof l->server, "%lx-%lx-%lx", (unsigned long)now.tv_sec,
             (unsigned long)now.tv_nsec, (unsigned long)getpid());
    l->json = xstrdup("{}");
    return l;
}

/* The errors as diag_print writes them, one JSON string per line. */
static size_t append_errors(buf *json, const diag_list *messages) {
    char *text = NULL;
    size_t size = 0, shown = 0;
    FILE *f = open_memstream(&text, &size);
    if (f) {
        diag_print(messages, f, 0);
        fclose(f);
    }
    for (const char *line = text; line && *line && shown < LIVE_MAX_ERRORS; shown++) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (shown)
            buf_putc(json, ',');
        buf_json_string(json, line, n);
        line += n + (end != NULL);
    }
    free(text);
    return shown;
}

static char *state_json(const char *server, unsigned long build, int ok,
                        const diag_list *messages) {
    buf json = BUF_INIT;
    buf_printf(&json, "{\"server\":\"%s\",\"build\":%lu,\"ok\":%s,\"summary\":", server, build,
               ok ? "true" : "false");
    buf summary = BUF_INIT;
    size_t errors = messages ? messages->errors : 0;
    if (ok)
        buf_puts(&summary, "The site was built.");
    else if (errors)
        buf_printf(&summary,
                   "The build failed with %zu error%s. This page is from the last build that "
                   "worked; it reloads when the errors are fixed.",
                   errors, errors == 1 ? "" : "s");
    else
        buf_puts(&summary, "The build failed (the terminal says why). This page is from the last "
                           "build that worked.");
    buf_json_string(&json, buf_cstr(&summary), summary.len);
    buf_free(&summary);
    buf_puts(&json, ",\"errors\":[");
    size_t shown = ok || !messages ? 0 : append_errors(&json, messages);
    if (shown && errors > shown)
        buf_printf(&json, ",\"... and %zu more (see the terminal)\"", errors - shown);
    buf_puts(&json, "]}");
    return buf_detach(&json);
}

void live_publish(live *l, int ok, const diag_list *messages) {
    pthread_mutex_lock(&l->lock);
    unsigned long build = l->build + 1;
    pthread_mutex_unlock(&l->lock);
    char *json = state_json(l->server, build, ok, messages); /* only this thread publishes */
    pthread_mutex_lock(&l->lock);
    free(l->json);
    l->json = json;
    l->build = build;
    l->ok = ok;
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->lock);
}

char *live_status_json(live *l, unsigned long *build, int *ok) {
    pthread_mutex_lock(&l->lock);
    char *json = xstrdup(l->json);
    if (build)
        *build = l->build;
    if (ok)
        *ok = l->ok;
    pthread_mutex_unlock(&l->lock);
    return json;
}

int live_wait(live *l, unsigned long seen, int timeout_ms) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    int result = 0;
    pthread_mutex_lock(&l->lock);
    for (;;) {
        if (l->closed) {
            result = -1;
            break;
        }
        if (l->build != seen) {
            result = 1;
            break;
        }
        if (pthread_cond_timedwait(&l->changed, &l->lock, &until) != 0)
            break; /* ETIMEDOUT */
    }
    pthread_mutex_unlock(&l->lock);
    return result;
}

void live_close(live *l) {
    pthread_mutex_lock(&l->lock);
    l->closed = 1;
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->lock);
}

void live_free(live *l) {
    if (!l)
        return;
    pthread_cond_destroy(&l->changed);
    pthread_mutex_destroy(&l->lock);
    free(l->json);
    free(l);
}

/* The browser end. Styles are set through the CSSOM (element.style), which
 * a Content-Security-Policy without 'unsafe-inline' allows. */
static const char SCRIPT[] =
    "/* clinicgen serve: reloads this page after each build and shows a failed\n"
    "   build's errors over it. Added to pages only while serving. */\n"
    "(function () {\n"
    "  \"use strict\";\n"
    "  var ID = \"clinicgen-build-errors\";\n"
    "  var seen = null;\n"
    "  /* the last state heard, for whoever debugs (and for the tests) */\n"
    "  function note(state) { seen = stamp(state); window.__clinicgen = state; }\n"
    "  function stamp(state) { return state.server + \"/\" + state.build; }\n"
    "  function hide() {\n"
    "    var old = document.getElementById(ID);\n"
    "    if (old) old.parentNode.removeChild(old);\n"
    "  }\n"
    "  function el(tag, text, style) {\n"
    "    var e = document.createElement(tag);\n"
    "    if (text) e.textContent = text;\n"
    "    Object.keys(style || {}).forEach(function (k) { e.style[k] = style[k]; });\n"
    "    return e;\n"
    "  }\n"
    "  function show(state) {\n"
    "    hide();\n"
    "    var box = el(\"section\", \"\", {\n"
    "      position: \"fixed\", top: \"0\", left: \"0\", right: \"0\", maxHeight: \"100vh\",\n"
    "      overflow: \"auto\", zIndex: \"2147483647\", boxSizing: \"border-box\",\n"
    "      padding: \"1rem 1.5rem\", background: \"#1f1f1f\", color: \"#f5f5f5\",\n"
    "      borderBottom: \"4px solid #e5484d\", textAlign: \"left\",\n"
    "      font: \"15px/1.5 system-ui, sans-serif\"\n"
    "    });\n"
    "    box.id = ID;\n"
    "    box.setAttribute(\"role\", \"alert\");\n"
    "    box.setAttribute(\"aria-label\", \"Build errors\");\n"
    "    box.appendChild(el(\"h2\", \"clinicgen: the build failed\",\n"
    "      { margin: \"0 0 .5rem\", font: \"bold 18px/1.3 system-ui, sans-serif\", color: "
    "\"#ff9592\" }));\n"
    "    box.appendChild(el(\"p\", state.summary, { margin: \"0 0 .75rem\" }));\n"
    "    box.appendChild(el(\"pre\", state.errors.join(\"\\n\"), {\n"
    "      margin: \"0 0 .75rem\", whiteSpace: \"pre-wrap\", overflowWrap: \"anywhere\",\n"
    "      font: \"14px/1.5 ui-monospace, Menlo, Consolas, monospace\", color: \"#fff\"\n"
    "    }));\n"
    "    var close = el(\"button\", \"Hide\", { font: \"inherit\", padding: \".25rem .75rem\" });\n"
    "    close.type = \"button\";\n"
    "    close.addEventListener(\"click\", hide);\n"
    "    box.appendChild(close);\n"
    "    (document.body || document.documentElement).appendChild(box);\n"
    "  }\n"
    "  var events = null;\n"
    "  function disconnect() { if (events) events.close(); events = null; }\n"
    "  function connect() {\n"
    "    events = new EventSource(\"/__clinicgen/events\");\n"
    "    events.addEventListener(\"hello\", function (e) {\n"
    "      var state = JSON.parse(e.data);\n"
    "      if (seen !== null && seen !== stamp(state)) { disconnect(); location.reload(); return; "
    "}\n"
    "      note(state);\n"
    "      if (state.ok) hide(); else show(state);\n"
    "    });\n"
    "    events.addEventListener(\"reload\", function () { disconnect(); location.reload(); });\n"
    "    events.addEventListener(\"build-error\", function (e) {\n"
    "      var state = JSON.parse(e.data);\n"
    "      note(state);\n"
    "      show(state);\n"
    "    });\n"
    "  }\n"
    "  /* A browser opens at most six connections to a server: a tab in the\n"
    "     background lets its stream go, and on coming back the hello tells\n"
    "     whether a build happened meanwhile. */\n"
    "  document.addEventListener(\"visibilitychange\", function () {\n"
    "    if (document.visibilityState === \"hidden\") disconnect();\n"
    "    else if (!events) connect();\n"
    "  });\n"
    "  if (document.visibilityState !== \"hidden\") connect();\n"
    "})();\n";

const char *live_script(size_t *len) {
    *len = sizeof SCRIPT - 1;
    return SCRIPT;
}
