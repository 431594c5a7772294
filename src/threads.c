/* threads: threads_run, the pipeline's fork and join. */
#include "threads.h"

#include "buf.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

void threads_run(int jobs, void *(*fn)(void *), void *arg) {
    pthread_t *threads = xcalloc(jobs > 1 ? (size_t)jobs : 1, sizeof *threads);
    int started = 0;
    while (started + 1 < jobs && pthread_create(&threads[started], NULL, fn, arg) == 0)
        started++;
    fn(arg);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
}

int threads_default_jobs(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (n > 64 ? 64 : (int)n);
}
