/* serve_http: libmicrohttpd answering from the output folder and the hub. */
#include "serve_http.h"

#include "buf.h"
#include "fsutil.h"
#include "http_path.h"
#include "mhd_lib.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

enum { KEEPALIVE_MS = 10000, MAX_CONNECTIONS = 256, IDLE_TIMEOUT_S = 120 };

/* the server's own files, at a path no page takes (names starting with '_'
 * are no pages); they shadow a static file of the site there, if any */
static const char INTERNAL_DIR[] = "__clinicgen/";
static const char SCRIPT_TAG[] = "<script src=\"/__clinicgen/reload.js\" defer></script>";
static const char BUILT_IN_404[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title>"
    "</head><body><h1>Not found</h1><p>The site has no page here (and no 404.html).</p>"
    "</body></html>\n";

struct serve_http {
    mhd_lib mhd; /* the library, opened for the server */
    struct MHD_Daemon *daemon;
    const char *site_dir; /* borrowed */
    live *hub;            /* borrowed */
    pthread_mutex_t lock; /* guards base_rel */
    char *base_rel;       /* the base path without its slashes: "kb", or "" */
};

/* ---- answers ---- */

static enum MHD_Result queue(serve_http *h, struct MHD_Connection *c, unsigned status,
                             struct MHD_Response *r, const char *type) {
    if (!r)
        return MHD_NO;
    h->mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    h->mhd.add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    h->mhd.add_response_header(r, MHD_HTTP_HEADER_X_CONTENT_TYPE_OPTIONS, "nosniff");
    h->mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_SECURITY_POLICY, SERVE_CSP);
    enum MHD_Result rc = h->mhd.queue_response(c, status, r);
    h->mhd.destroy_response(r);
    return rc;
}

/* Takes data (malloc'd) over. */
static enum MHD_Result answer_owned(serve_http *h, struct MHD_Connection *c, unsigned status,
                                    char *data, size_t len, const char *type) {
    struct MHD_Response *r = h->mhd.create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!r)
        free(data);
    return queue(h, c, status, r, type);
}

static enum MHD_Result answer_text(serve_http *h, struct MHD_Connection *c, unsigned status,
                                   const char *text) {
    return answer_owned(h, c, status, xstrdup(text), strlen(text), "text/plain; charset=utf-8");
}

static enum MHD_Result answer_not_allowed(serve_http *h, struct MHD_Connection *c) {
    static const char text[] = "405 Method Not Allowed: clinicgen serve answers GET and HEAD\n";
    struct MHD_Response *r =
        h->mhd.create_response_from_buffer(sizeof text - 1, (void *)text, MHD_RESPMEM_PERSISTENT);
    if (r)
        h->mhd.add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    return queue(h, c, MHD_HTTP_METHOD_NOT_ALLOWED, r, "text/plain; charset=utf-8");
}

/* Appends a query argument as it came (paths and arguments reach us
 * undecoded: keep_escapes), escaping any byte a header cannot hold. */
static enum MHD_Result append_argument(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value) {
    (void)kind;
    buf *query = cls;
    buf_putc(query, query->len ? '&' : '?');
    for (int part = 0; part < 2; part++) {
        const char *s = part ? value : key;
        if (part && value)
            buf_putc(query, '=');
        for (; s && *s; s++) {
            unsigned char ch = (unsigned char)*s;
            if (ch <= 0x20 || ch >= 0x7f)
                buf_printf(query, "%%%02X", ch);
            else
                buf_putc(query, (char)ch);
        }
    }
    return MHD_YES;
}

/* Location: /BASE/REL/ and the request's query, if any. */
static enum MHD_Result answer_redirect(serve_http *h, struct MHD_Connection *c, unsigned status,
                                       const char *base_rel, const char *rel) {
    char *joined = !*base_rel ? xstrdup(rel) : *rel ? fs_join(base_rel, rel) : xstrdup(base_rel);
    buf location = BUF_INIT, query = BUF_INIT;
    http_path_encode(&location, joined);
    if (*joined)
        buf_putc(&location, '/');
    free(joined);
    h->mhd.get_connection_values(c, MHD_GET_ARGUMENT_KIND, append_argument, &query);
    buf_append(&location, query.data ? query.data : "", query.len);
    buf_free(&query);
    char *text = xasprintf("Moved to %s\n", buf_cstr(&location));
    struct MHD_Response *r =
        h->mhd.create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!r)
        free(text);
    else
        h->mhd.add_response_header(r, MHD_HTTP_HEADER_LOCATION, buf_cstr(&location));
    buf_free(&location);
    return queue(h, c, status, r, "text/plain; charset=utf-8");
}

/* The reload script goes before </head>, else before </body>, else at
 * the end. */
static const char *find_tag(const char *html, size_t len, const char *tag) {
    size_t n = strlen(tag);
    for (size_t i = 0; i + n <= len; i++)
        if (html[i] == '<' && !strncasecmp(html + i, tag, n))
            return html + i;
    return NULL;
}

static char *with_script(const char *html, size_t len, size_t *out_len) {
    const char *at = find_tag(html, len, "</head>");
    if (!at)
        at = find_tag(html, len, "</body>");
    size_t pos = at ? (size_t)(at - html) : len;
    buf out = BUF_INIT;
    buf_append(&out, html, pos);
    buf_puts(&out, SCRIPT_TAG);
    buf_append(&out, html + pos, len - pos);
    *out_len = out.len;
    return buf_detach(&out);
}

static enum MHD_Result answer_html(serve_http *h, struct MHD_Connection *c, unsigned status,
                                   const char *html, size_t len) {
    size_t out_len;
    char *out = with_script(html, len, &out_len);
    return answer_owned(h, c, status, out, out_len, "text/html; charset=utf-8");
}

/* A file found by http_file_find, opened now: the site in place now. */
static enum MHD_Result answer_file(serve_http *h, struct MHD_Connection *c, unsigned status,
                                   const char *path) {
    const char *type = http_mime_type(path);
    if (!strncmp(type, "text/html", 9)) {
        size_t len;
        char *html = fs_read_file(path, &len);
        if (!html)
            return answer_text(h, c, MHD_HTTP_NOT_FOUND, "404 Not Found\n");
        enum MHD_Result rc = answer_html(h, c, status, html, len);
        free(html);
        return rc;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return answer_text(h, c, MHD_HTTP_NOT_FOUND, "404 Not Found\n");
    }
    struct MHD_Response *r = h->mhd.create_response_from_fd((size_t)st.st_size, fd);
    if (!r)
        close(fd);
    return queue(h, c, status, r, type);
}

static enum MHD_Result answer_not_found(serve_http *h, struct MHD_Connection *c) {
    http_path p = {"404.html", 0};
    char *file;
    if (http_file_find(h->site_dir, &p, &file) == HTTP_FILE_FOUND) {
        enum MHD_Result rc = answer_file(h, c, MHD_HTTP_NOT_FOUND, file);
        free(file);
        return rc;
    }
    return answer_html(h, c, MHD_HTTP_NOT_FOUND, BUILT_IN_404, sizeof BUILT_IN_404 - 1);
}

static char *base_copy(serve_http *h) {
    pthread_mutex_lock(&h->lock);
    char *base = xstrdup(h->base_rel);
    pthread_mutex_unlock(&h->lock);
    return base;
}

static enum MHD_Result answer_site(serve_http *h, struct MHD_Connection *c, http_path *p) {
    char *base = base_copy(h);
    enum MHD_Result rc;
    char *file = NULL;
    if (!http_path_strip_base(p, base))
        rc = *p->rel ? answer_not_found(h, c) : answer_redirect(h, c, MHD_HTTP_FOUND, base, "");
    else
        switch (http_file_find(h->site_dir, p, &file)) {
        case HTTP_FILE_FOUND: rc = answer_file(h, c, MHD_HTTP_OK, file); break;
        case HTTP_FILE_REDIRECT:
            rc = answer_redirect(h, c, MHD_HTTP_MOVED_PERMANENTLY, base, p->rel);
            break;
        default: rc = answer_not_found(h, c);
        }
    free(file);
    free(base);
    return rc;
}

/* ---- the live-reload channel ---- */

/* One event stream: what is left to send of the current event. */
typedef struct sse_stream {
    live *hub;
    unsigned long seen; /* the build last told about */
    int started;
    buf pending;
    size_t sent;
} sse_stream;

/* The next event: "hello" first, then one per build, or a comment when
 * nothing happened for KEEPALIVE_MS. -1 when the server stops. */
static int sse_next(sse_stream *s) {
    buf_clear(&s->pending);
    s->sent = 0;
    if (s->started) {
        int r = live_wait(s->hub, s->seen, KEEPALIVE_MS);
        if (r < 0)
            return -1;
        if (r == 0) {
            buf_puts(&s->pending, ": waiting for changes\n\n");
            return 0;
        }
    }
    int ok;
    char *json = live_status_json(s->hub, &s->seen, &ok);
    const char *event = !s->started ? "hello" : ok ? "reload" : "build-error";
    if (!s->started)
        buf_puts(&s->pending, "retry: 1000\n");
    buf_printf(&s->pending, "event: %s\ndata: %s\n\n", event, json);
    free(json);
    s->started = 1;
    return 0;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *out, size_t max) {
    (void)pos;
    sse_stream *s = cls;
    if (s->sent == s->pending.len && sse_next(s) != 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = s->pending.len - s->sent;
    if (n > max)
        n = max;
    memcpy(out, s->pending.data + s->sent, n);
    s->sent += n;
    return (ssize_t)n;
}

static void sse_free(void *cls) {
    sse_stream *s = cls;
    buf_free(&s->pending);
    free(s);
}

static enum MHD_Result answer_events(serve_http *h, struct MHD_Connection *c) {
    sse_stream *s = xcalloc(1, sizeof *s);
    s->hub = h->hub;
    struct MHD_Response *r =
        h->mhd.create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_read, s, sse_free);
    if (!r)
        sse_free(s);
    return queue(h, c, MHD_HTTP_OK, r, "text/event-stream");
}

static enum MHD_Result answer_internal(serve_http *h, struct MHD_Connection *c, const char *name) {
    if (!strcmp(name, "reload.js")) {
        size_t len;
        const char *js = live_script(&len);
        struct MHD_Response *r =
            h->mhd.create_response_from_buffer(len, (void *)js, MHD_RESPMEM_PERSISTENT);
        return queue(h, c, MHD_HTTP_OK, r, "text/javascript; charset=utf-8");
    }
    if (!strcmp(name, "status")) {
        char *json = live_status_json(h->hub, NULL, NULL);
        return answer_owned(h, c, MHD_HTTP_OK, json, strlen(json),
                            "application/json; charset=utf-8");
    }
    if (!strcmp(name, "events"))
        return answer_events(h, c);
    return answer_text(h, c, MHD_HTTP_NOT_FOUND, "404 Not Found\n");
}

/* ---- requests ---- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **request) {
    (void)version;
    (void)upload;
    serve_http *h = cls;
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return answer_not_allowed(h, c);
    /* The first call comes with the headers: answering then would make
     * libmicrohttpd close the connection (the request might have a body
     * still to come). The next call, with the request read, answers. */
    if (!*request) {
        *request = h;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0; /* a body with a GET: ignored */
        return MHD_YES;
    }
    http_path p;
    if (http_path_parse(url, &p) != 0)
        return answer_text(h, c, MHD_HTTP_BAD_REQUEST, "400 Bad Request: this path is refused\n");
    enum MHD_Result rc;
    size_t n = sizeof INTERNAL_DIR - 1;
    if (!strncmp(p.rel, INTERNAL_DIR, n))
        rc = answer_internal(h, c, p.rel + n);
    else
        rc = answer_site(h, c, &p);
    http_path_free(&p);
    return rc;
}

/* Paths reach on_request as sent: http_path_parse decodes them, and
 * refuses what it must, before anything else looks at them. */
static size_t keep_escapes(void *cls, struct MHD_Connection *c, char *s) {
    (void)cls;
    (void)c;
    return strlen(s);
}

serve_http *serve_http_start(int listen_fd, const char *site_dir, live *hub, buf *error) {
    serve_http *h = xcalloc(1, sizeof *h);
    if (mhd_lib_open(&h->mhd, error) != 0) {
        free(h);
        return NULL;
    }
    h->site_dir = site_dir;
    h->hub = hub;
    h->base_rel = xstrdup("");
    pthread_mutex_init(&h->lock, NULL);
    h->daemon = h->mhd.start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_AUTO, 0, NULL,
        NULL, on_request, h, MHD_OPTION_LISTEN_SOCKET, listen_fd, MHD_OPTION_UNESCAPE_CALLBACK,
        keep_escapes, NULL, MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S, MHD_OPTION_END);
    if (!h->daemon) {
        buf_puts(error, "cannot start the web server");
        mhd_lib_close(&h->mhd);
        pthread_mutex_destroy(&h->lock);
        free(h->base_rel);
        free(h);
        return NULL;
    }
    return h;
}

void serve_http_set_base(serve_http *h, const char *base_path) {
    size_t n = strlen(base_path);
    while (n > 0 && base_path[n - 1] == '/')
        n--;
    size_t skip = strspn(base_path, "/");
    char *rel = xstrndup(base_path + (skip < n ? skip : n), skip < n ? n - skip : 0);
    pthread_mutex_lock(&h->lock);
    free(h->base_rel);
    h->base_rel = rel;
    pthread_mutex_unlock(&h->lock);
}

void serve_http_stop(serve_http *h) {
    if (!h)
        return;
    h->mhd.stop_daemon(h->daemon);
    mhd_lib_close(&h->mhd);
    pthread_mutex_destroy(&h->lock);
    free(h->base_rel);
    free(h);
}

/* ---- the listening socket ---- */

static void describe_url(const struct sockaddr_storage *ss, socklen_t len, buf *url) {
    char host[NI_MAXHOST], port[NI_MAXSERV];
    if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        buf_puts(url, "http://127.0.0.1/");
        return;
    }
    /* every address: the browser on this machine reaches it at loopback */
    if (!strcmp(host, "0.0.0.0"))
        strcpy(host, "127.0.0.1");
    else if (!strcmp(host, "::"))
        strcpy(host, "::1");
    int v6 = ss->ss_family == AF_INET6;
    buf_printf(url, "http://%s%s%s:%s/", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

int serve_http_listen(const char *addr, int port, buf *url, buf *error) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo *res = NULL;
    int e = getaddrinfo(addr, service, &hints, &res);
    if (e != 0) {
        buf_printf(error, "--bind %s: %s", addr, gai_strerror(e));
        return -1;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    int on = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 64) != 0) {
        buf_printf(error, "cannot listen on %s port %d: %s", addr, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        describe_url(&ss, len, url);
    return fd;
}
