/* serve: build, serve, watch, rebuild; until SIGINT or SIGTERM. */
#include "serve.h"

#include "buf.h"
#include "config.h"
#include "diag.h"
#include "fsutil.h"
#include "live.h"
#include "serve_http.h"
#include "watch.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

/* Everything serve_run makes; stop() frees it. */
typedef struct server {
    const serve_options *opt;
    char *site_dir;
    char *base_path; /* the base_url's path, "/" or "/kb/" */
    int sig_fd;
    watcher *watch;
    live *hub;
    serve_http *http;
} server;

/* The base_url's path of the site just built, for the server. */
static void update_base(server *s) {
    site_config cfg;
    diag_list d = DIAG_LIST_INIT;
    if (config_load(&cfg, s->opt->build.project_dir, "", &d) == 0) {
        free(s->base_path);
        s->base_path = xstrdup(cfg.base_path);
        config_free(&cfg);
        if (s->http)
            serve_http_set_base(s->http, s->base_path);
    }
    diag_free(&d);
}

/* One build; its outcome goes to the open pages. */
static void rebuild(server *s) {
    diag_list report = DIAG_LIST_INIT;
    build_options b = s->opt->build;
    b.report = &report;
    int status = build_site(&b);
    live_publish(s->hub, status == 0, &report);
    diag_free(&report);
    if (status == 0)
        update_base(s);
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* How long to wait before building a burst of changes that began at
 * first and was last added to at last. */
static int debounce_left(long long first, long long last) {
    long long due = last + SERVE_QUIET_MS;
    if (due > first + SERVE_MAX_WAIT_MS)
        due = first + SERVE_MAX_WAIT_MS;
    long long left = due - now_ms();
    return left < 0 ? 0 : (int)left;
}

/* Reports the signal that stopped the loop. */
static void say_stopping(int sig_fd) {
    struct signalfd_siginfo info;
    const char *name = "a signal";
    if (read(sig_fd, &info, sizeof info) == (ssize_t)sizeof info)
        name = info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM";
    fprintf(stderr, "clinicgen: %s: stopping\n", name);
}

static void run(server *s) {
    buf changed = BUF_INIT;
    long long first = 0, last = 0;
    int pending = 0;
    for (;;) {
        struct pollfd fds[2] = {{s->sig_fd, POLLIN, 0}, {watch_fd(s->watch), POLLIN, 0}};
        int n = poll(fds, 2, pending ? debounce_left(first, last) : -1);
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "clinicgen: error: waiting for changes: %s\n", strerror(errno));
            break;
        }
        if (n > 0 && (fds[0].revents & POLLIN)) {
            say_stopping(s->sig_fd);
            break;
        }
        int r = n > 0 && (fds[1].revents & POLLIN) ? watch_read(s->watch, &changed) : 0;
        if (r < 0) {
            fprintf(stderr, "clinicgen: error: reading changes: %s\n", strerror(errno));
            break;
        }
        if (r > 0) {
            last = now_ms();
            first = pending ? first : last;
            pending = 1;
        }
        if (pending && debounce_left(first, last) == 0) {
            fprintf(stderr, "clinicgen: %s changed: building\n", buf_cstr(&changed));
            rebuild(s);
            pending = 0;
            buf_clear(&changed);
        }
    }
    buf_free(&changed);
}

/* Everything up to serving; 0, or 1 after saying what failed. */
static int start(server *s, const sigset_t *signals) {
    const build_options *b = &s->opt->build;
    s->sig_fd = signalfd(-1, signals, SFD_CLOEXEC | SFD_NONBLOCK);
    if (s->sig_fd < 0) {
        fprintf(stderr, "clinicgen: error: cannot set up Ctrl-C: %s\n", strerror(errno));
        return 1;
    }
    char *settings = fs_join(b->project_dir, "site.yaml");
    int is_project = fs_is_file(settings);
    free(settings);
    if (!is_project) {
        build_site(b); /* says what is missing, as clinicgen build does */
        return 1;
    }
    s->site_dir = b->out_dir ? xstrdup(b->out_dir) : fs_join(b->project_dir, "site");
    s->watch = watch_open(b->project_dir);
    if (!s->watch) {
        fprintf(stderr, "%s: error: cannot watch the project for changes: %s\n", b->project_dir,
                strerror(errno));
        return 1;
    }
    s->hub = live_new();
    buf url = BUF_INIT, error = BUF_INIT;
    int fd = serve_http_listen(s->opt->bind, s->opt->port, &url, &error);
    if (fd >= 0) {
        rebuild(s); /* connections wait in the socket's queue meanwhile */
        s->http = serve_http_start(fd, s->site_dir, s->hub, &error);
        if (!s->http)
            close(fd);
    }
    if (s->http) {
        serve_http_set_base(s->http, s->base_path ? s->base_path : "/");
        const char *base = s->base_path ? s->base_path + strspn(s->base_path, "/") : "";
        printf("clinicgen: serving %s%s (Ctrl-C to stop)\n", buf_cstr(&url), base);
        fflush(stdout);
    } else {
        fprintf(stderr, "clinicgen: error: %s\n", buf_cstr(&error));
    }
    buf_free(&url);
    buf_free(&error);
    return s->http ? 0 : 1;
}

static void stop(server *s) {
    if (s->hub)
        live_close(s->hub); /* event streams end, so their threads can */
    serve_http_stop(s->http);
    live_free(s->hub);
    watch_free(s->watch);
    if (s->sig_fd >= 0)
        close(s->sig_fd);
    free(s->site_dir);
    free(s->base_path);
}

int serve_run(const serve_options *opt) {
    /* Blocked before any thread starts, so that every thread inherits the
     * mask and only the signalfd sees them. They stay blocked: a second
     * Ctrl-C while stopping must not cut the clean stop short. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN); /* a browser that goes away mid-answer */
    server s = {.opt = opt, .sig_fd = -1};
    int status = start(&s, &signals);
    if (status == 0)
        run(&s);
    stop(&s);
    return status;
}
