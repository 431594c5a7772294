/*
 * serve_http: the web server of clinicgen serve (libmicrohttpd, opened
 * when it starts: mhd_lib.h), serving the output folder as a static host
 * would, plus the live-reload channel.
 *
 * - GET and HEAD only (405 otherwise); paths are decoded and checked by
 *   http_path (400 for a path that tries to climb out, 404 for a file
 *   outside the folder however it is reached); FOLDER/ serves
 *   FOLDER/index.html, FOLDER answers 301 to FOLDER/; a missing file
 *   answers 404 with the site's 404.html;
 * - the site is served under the path of its base_url (serve_http_set_base,
 *   "/kb/": "/" then redirects there);
 * - every file is opened by path per request, so each request sees the
 *   site that is in place then (the build swaps it by renaming);
 * - HTML gets <script src="/__clinicgen/reload.js" defer> before </head>
 *   on the way out, never on disk; /__clinicgen/reload.js is live's script,
 *   /__clinicgen/events the server-sent events (a "hello" with the state on
 *   connecting, then "reload" or "build-error" after each build, and a
 *   comment every 10 s to keep the stream open), /__clinicgen/status the
 *   state as JSON;
 * - every answer says Cache-Control: no-store (a preview is never stale),
 *   X-Content-Type-Options: nosniff and the strict Content-Security-Policy
 *   SERVE_CSP, so the preview fails where a strict host would.
 *
 * One thread per connection (an event stream waits in its own thread).
 * The server borrows the live hub and the folder's path, which must
 * outlive it; serve_http_stop closes every connection and frees the
 * server. Call live_close before it, so that event streams end.
 */
#ifndef CLINICGEN_SERVE_HTTP_H
#define CLINICGEN_SERVE_HTTP_H

#include "buf.h"
#include "live.h"

#define SERVE_CSP "default-src 'self'; img-src 'self' data: https:"

typedef struct serve_http serve_http;

/* A socket bound to addr (a name or a numeric IPv4 or IPv6 address) and
 * port (0: a free one), listening; its URL ("http://127.0.0.1:4000/", with
 * loopback for an address that means every address) is appended to url.
 * -1 with the reason appended to error. */
int serve_http_listen(const char *addr, int port, buf *url, buf *error);
/* Serves site_dir on the socket listen_fd (bound and listening), which
 * the server owns from then on, opening libmicrohttpd (mhd_lib.h). NULL
 * with the reason appended to error on failure (the caller closes it). */
serve_http *serve_http_start(int listen_fd, const char *site_dir, live *hub, buf *error);
/* The base_url's path, "/" or "/kb/"; requests outside it are 404. */
void serve_http_set_base(serve_http *h, const char *base_path);
void serve_http_stop(serve_http *h);

#endif
