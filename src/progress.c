/* progress: the progress line's drawing thread. */
#include "progress.h"

#include "buf.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct progress {
    FILE *out;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t stop_signal;
    int stopping;               /* guarded by lock */
    _Atomic(const char *) name; /* the phase */
    atomic_size_t done, total;
    /* the drawing thread's own: what the line on the screen shows */
    int drawn;
    const char *drawn_name;
    size_t drawn_done;
};

static void draw(progress *p) {
    const char *name = atomic_load(&p->name);
    size_t done = atomic_load(&p->done), total = atomic_load(&p->total);
    if (!name || (p->drawn && name == p->drawn_name && done == p->drawn_done))
        return;
    p->drawn_name = name;
    p->drawn_done = done;
    if (total)
        fprintf(p->out, "\r\033[Kclinicgen: %s %zu of %zu", name, done < total ? done : total,
                total);
    else
        fprintf(p->out, "\r\033[Kclinicgen: %s", name);
    fflush(p->out);
    p->drawn = 1;
}

/* Waits until ms milliseconds from now or until stopped; returns 1 if stopped. */
static int wait_ms(progress *p, long ms) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->lock);
    while (!p->stopping && pthread_cond_timedwait(&p->stop_signal, &p->lock, &until) == 0)
        ;
    int stopped = p->stopping;
    pthread_mutex_unlock(&p->lock);
    return stopped;
}

static void *run(void *arg) {
    progress *p = arg;
    if (wait_ms(p, PROGRESS_DELAY_MS))
        return NULL;
    do
        draw(p);
    while (!wait_ms(p, 100));
    if (p->drawn) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
    }
    return NULL;
}

progress *progress_start(FILE *out, int enabled) {
    if (!enabled || !isatty(fileno(out)))
        return NULL;
    progress *p = xcalloc(1, sizeof *p);
    p->out = out;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->stop_signal, NULL);
    if (pthread_create(&p->thread, NULL, run, p) != 0) {
        pthread_cond_destroy(&p->stop_signal);
        pthread_mutex_destroy(&p->lock);
        free(p);
        return NULL;
    }
    return p;
}

void progress_phase(progress *p, const char *name, size_t total) {
    if (!p)
        return;
    atomic_store(&p->total, 0);
    atomic_store(&p->done, 0);
    atomic_store(&p->name, name);
    atomic_store(&p->total, total);
}

void progress_add(progress *p, size_t steps) {
    if (p)
        atomic_fetch_add(&p->done, steps);
}

void progress_stop(progress *p) {
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_signal(&p->stop_signal);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->stop_signal);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
