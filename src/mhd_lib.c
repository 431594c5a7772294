/* mhd_lib: libmicrohttpd, looked up when serve starts. */
#include "mhd_lib.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

static const char LIBRARY[] = "libmicrohttpd.so.12";

_Static_assert(sizeof(void (*)(void)) == sizeof(void *), "function pointers fit dlsym's");

#define FUNCTION(field, name)                                                                      \
    { name, offsetof(mhd_lib, field) }
static const struct {
    const char *name;
    size_t offset; /* of its pointer in an mhd_lib */
} FUNCTIONS[] = {
    FUNCTION(start_daemon, "MHD_start_daemon"),
    FUNCTION(stop_daemon, "MHD_stop_daemon"),
    FUNCTION(create_response_from_buffer, "MHD_create_response_from_buffer"),
    FUNCTION(create_response_from_callback, "MHD_create_response_from_callback"),
    FUNCTION(create_response_from_fd, "MHD_create_response_from_fd"),
    FUNCTION(add_response_header, "MHD_add_response_header"),
    FUNCTION(queue_response, "MHD_queue_response"),
    FUNCTION(destroy_response, "MHD_destroy_response"),
    FUNCTION(get_connection_values, "MHD_get_connection_values"),
};

int mhd_lib_open(mhd_lib *lib, buf *error) {
    memset(lib, 0, sizeof *lib);
    lib->handle = dlopen(LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!lib->handle) {
        buf_printf(error, "clinicgen serve needs %s (Debian's libmicrohttpd12): %s", LIBRARY,
                   dlerror());
        return -1;
    }
    for (size_t i = 0; i < sizeof FUNCTIONS / sizeof *FUNCTIONS; i++) {
        void *found = dlsym(lib->handle, FUNCTIONS[i].name);
        if (!found) {
            buf_printf(error, "%s has no %s: clinicgen serve needs libmicrohttpd 0.9.71 or later",
                       LIBRARY, FUNCTIONS[i].name);
            mhd_lib_close(lib);
            return -1;
        }
        /* POSIX: the object pointer dlsym gives is the function's */
        memcpy((char *)lib + FUNCTIONS[i].offset, &found, sizeof found);
    }
    return 0;
}

void mhd_lib_close(mhd_lib *lib) {
    if (lib->handle)
        dlclose(lib->handle);
    memset(lib, 0, sizeof *lib);
}
