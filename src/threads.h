/*
 * threads: runs one function on several threads at once, the calling
 * thread being one of them, and waits for all; for the stages whose work
 * is split into items the threads take in turn (reading pages, building
 * them). When a thread cannot be started the others do its share.
 */
#ifndef CLINICGEN_THREADS_H
#define CLINICGEN_THREADS_H

/* Runs fn(arg) on jobs threads (at least one: this one). */
void threads_run(int jobs, void *(*fn)(void *), void *arg);

/* The number of cores online, from 1 to 64: the default for -j. */
int threads_default_jobs(void);

#endif
