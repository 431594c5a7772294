/*
 * http_path: what the path of a request to clinicgen serve names, decided
 * apart from the network so that it can be tested on its own:
 *
 * - http_path_parse percent-decodes a raw request path and refuses what
 *   could climb out of the site however it is spelt: "." and ".." segments
 *   (also as %2e%2e, or with %2f for the slash), backslashes (also %5c),
 *   NUL bytes (%00), other control bytes and malformed escapes;
 * - http_file_find finds the file a parsed path names below the output
 *   folder: symbolic links are resolved (realpath) and the result must stay
 *   inside the folder; a folder gives its index.html; hidden names
 *   (".clinicgen-output") are not served;
 * - http_path_encode writes a path back for a Location header;
 * - http_mime_type gives a file's Content-Type from its name.
 *
 * An http_path owns its string (http_path_free); http_file_find's *file is
 * the caller's to free. Nothing here keeps state: safe from any thread.
 */
#ifndef CLINICGEN_HTTP_PATH_H
#define CLINICGEN_HTTP_PATH_H

#include "buf.h"

typedef struct http_path {
    char *rel;    /* decoded segments joined by '/', without a leading or
                   * trailing slash; "" for the root; owned */
    int dir_form; /* the request path ended in '/' */
} http_path;

/* 0, or -1 when the path is refused (nothing to free then). */
int http_path_parse(const char *raw, http_path *out);
void http_path_free(http_path *p);

/* Strips the base path's segments (base_rel: "kb/en", or "" for a site
 * at the root) from p->rel. Returns 1 when p is inside the base (p->rel is
 * then replaced by the rest: "kb/en/faq" gives "faq", "kb/en" gives ""),
 * 0 when it is not (p is left as it was). */
int http_path_strip_base(http_path *p, const char *base_rel);

typedef enum {
    HTTP_FILE_FOUND,    /* *file: its real path, inside root */
    HTTP_FILE_REDIRECT, /* a folder asked for without its slash */
    HTTP_FILE_MISSING   /* nothing, or nothing that may be served */
} http_file_kind;

http_file_kind http_file_find(const char *root, const http_path *p, char **file);

/* Appends "/" + rel, percent-encoding every byte but letters, digits and
 * "-._~/!$&'()*+,;=:@". */
void http_path_encode(buf *out, const char *rel);

/* "text/html; charset=utf-8" and so on, by the name's extension (any
 * case); "application/octet-stream" for an unknown one. */
const char *http_mime_type(const char *name);

#endif
