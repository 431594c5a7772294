/*
 * watch: notices changes to a project's sources (inotify), so that
 * clinicgen serve rebuilds on save.
 *
 * A watcher watches content/, templates/, themes/, filters/ and static/
 * below the project folder, every folder in them (a folder made or moved
 * in later is watched from then on, one moved out or deleted no longer),
 * and site.yaml. The project folder itself is watched for site.yaml and
 * for those folders, so an editor that saves by writing a new file and
 * renaming it over the old one is seen, and so is a folder such as
 * templates/ made after serve started. Symbolic links to folders are
 * followed; a folder reached twice (a link back up) is watched once.
 * Names that are no source are ignored: hidden files (editors' swap files,
 * .git), "#name#" and "name~" backups, and vim's "4913" probe.
 *
 * A watcher owns its inotify descriptor and the table of watched folders;
 * watch_free releases both. One thread uses a watcher.
 */
#ifndef CLINICGEN_WATCH_H
#define CLINICGEN_WATCH_H

#include "buf.h"

typedef struct watcher watcher;

/* NULL with errno set when inotify cannot start; folders that cannot be
 * watched (the system's limit of watches reached) are warned about on
 * standard error, once. */
watcher *watch_open(const char *project_dir);
/* The descriptor to poll for reading. */
int watch_fd(const watcher *w);
/* Reads every pending event without blocking. Returns 1 when one of them
 * changes a source (*changed is then set to the last such path below the
 * project folder: an editor's temporary file renamed over the page gives
 * the page), 0 when none does, -1 with errno set on a read error. */
int watch_read(watcher *w, buf *changed);
void watch_free(watcher *w);

#endif
