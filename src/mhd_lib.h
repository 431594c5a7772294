/*
 * mhd_lib: libmicrohttpd, opened by clinicgen serve when it starts rather
 * than linked. Linked, it loads GnuTLS and eight more libraries into every
 * run of clinicgen, and their loading and start-up cost 4 ms of CPU, 40%
 * of the start of a run; only serve answers HTTP. Debian's libmicrohttpd12
 * is the library (libmicrohttpd-dev, which make installs, depends on it).
 *
 * An mhd_lib holds the library open and the functions serve_http calls,
 * each typed as <microhttpd.h> declares it; it is the caller's, read-only
 * once open, until mhd_lib_close.
 */
#ifndef CLINICGEN_MHD_LIB_H
#define CLINICGEN_MHD_LIB_H

#include "buf.h"

#include <microhttpd.h>

typedef struct mhd_lib {
    void *handle;
    __typeof__(&MHD_start_daemon) start_daemon;
    __typeof__(&MHD_stop_daemon) stop_daemon;
    __typeof__(&MHD_create_response_from_buffer) create_response_from_buffer;
    __typeof__(&MHD_create_response_from_callback) create_response_from_callback;
    __typeof__(&MHD_create_response_from_fd) create_response_from_fd;
    __typeof__(&MHD_add_response_header) add_response_header;
    __typeof__(&MHD_queue_response) queue_response;
    __typeof__(&MHD_destroy_response) destroy_response;
    __typeof__(&MHD_get_connection_values) get_connection_values;
} mhd_lib;

/* Returns 0, or -1 after saying why in error (lib is then closed). */
int mhd_lib_open(mhd_lib *lib, buf *error);
void mhd_lib_close(mhd_lib *lib);

#endif
