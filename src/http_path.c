/* http_path: request paths decoded and checked, files found, MIME types. */
#include "http_path.h"

#include "fsutil.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes raw into out; -1 on a malformed escape or a byte that
 * no path of the site holds (NUL, other control bytes, backslash). */
static int decode(const char *raw, buf *out) {
    for (const char *s = raw; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '%') {
            int hi = hex_value(s[1]), lo = hi < 0 ? -1 : hex_value(s[2]);
            if (lo < 0)
                return -1;
            c = (unsigned char)(hi * 16 + lo);
            s += 2;
        }
        if (c < 0x20 || c == 0x7f || c == '\\')
            return -1;
        buf_putc(out, (char)c);
    }
    return 0;
}

/* Joins the segments of a decoded path, dropping empty ones; -1 on a "."
 * or ".." segment. */
static int join_segments(const char *path, buf *out) {
    const char *s = path;
    while (*s) {
        while (*s == '/')
            s++;
        size_t n = strcspn(s, "/");
        if (n == 0)
            break;
        if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return -1;
        if (out->len)
            buf_putc(out, '/');
        buf_append(out, s, n);
        s += n;
    }
    return 0;
}

int http_path_parse(const char *raw, http_path *out) {
    out->rel = NULL;
    out->dir_form = 0;
    if (!raw || raw[0] != '/')
        return -1;
    buf decoded = BUF_INIT, joined = BUF_INIT;
    int rc = decode(raw, &decoded);
    if (rc == 0)
        rc = join_segments(buf_cstr(&decoded), &joined);
    if (rc == 0) {
        out->dir_form = decoded.len > 0 && decoded.data[decoded.len - 1] == '/';
        out->rel = buf_detach(&joined);
    }
    buf_free(&decoded);
    buf_free(&joined);
    return rc;
}

void http_path_free(http_path *p) {
    free(p->rel);
    p->rel = NULL;
}

int http_path_strip_base(http_path *p, const char *base_rel) {
    size_t n = strlen(base_rel);
    if (n == 0)
        return 1;
    if (strncmp(p->rel, base_rel, n) != 0 || (p->rel[n] != '\0' && p->rel[n] != '/'))
        return 0;
    char *rest = xstrdup(p->rel[n] ? p->rel + n + 1 : "");
    free(p->rel);
    p->rel = rest;
    return 1;
}

static int is_inside(const char *path, const char *root) {
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return 1;
    return !strncmp(path, root, n) && (path[n] == '/' || path[n] == '\0');
}

/* A segment starting with '.' (the output folder's marker file, or a
 * writer's hidden file) is not served. */
static int has_hidden_segment(const char *rel) {
    for (const char *s = rel; *s; s++)
        if (*s == '.' && (s == rel || s[-1] == '/'))
            return 1;
    return 0;
}

/* realpath of root/rel, or NULL when it does not exist or leads outside. */
static char *resolve_inside(const char *root, const char *rel, struct stat *st) {
    char *joined = fs_join(root, rel);
    char *real = realpath(joined, NULL);
    free(joined);
    if (real && (!is_inside(real, root) || stat(real, st) != 0)) {
        free(real);
        real = NULL;
    }
    return real;
}

http_file_kind http_file_find(const char *root, const http_path *p, char **file) {
    *file = NULL;
    if (has_hidden_segment(p->rel))
        return HTTP_FILE_MISSING;
    char *real_root = realpath(root, NULL);
    struct stat st;
    char *real = real_root ? resolve_inside(real_root, p->rel, &st) : NULL;
    http_file_kind kind = HTTP_FILE_MISSING;
    if (real && S_ISDIR(st.st_mode) && !p->dir_form) {
        kind = HTTP_FILE_REDIRECT;
    } else if (real && S_ISDIR(st.st_mode)) {
        char *rel = fs_join(p->rel, "index.html");
        char *found = resolve_inside(real_root, rel, &st);
        free(rel);
        if (found && S_ISREG(st.st_mode)) {
            *file = found;
            kind = HTTP_FILE_FOUND;
        } else {
            free(found);
        }
    } else if (real && S_ISREG(st.st_mode) && !p->dir_form) {
        *file = real;
        real = NULL;
        kind = HTTP_FILE_FOUND;
    }
    free(real);
    free(real_root);
    return kind;
}

void http_path_encode(buf *out, const char *rel) {
    static const char hex[] = "0123456789ABCDEF";
    static const char safe[] = "-._~/!$&'()*+,;=:@";
    buf_putc(out, '/');
    for (const unsigned char *s = (const unsigned char *)rel; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            strchr(safe, *s)) {
            buf_putc(out, (char)*s);
        } else {
            buf_putc(out, '%');
            buf_putc(out, hex[*s >> 4]);
            buf_putc(out, hex[*s & 15]);
        }
    }
}

static const struct {
    const char *ext, *type;
} MIME_TYPES[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"map", "application/json; charset=utf-8"},
    {"webmanifest", "application/manifest+json; charset=utf-8"},
    {"xml", "application/xml; charset=utf-8"},
    {"rss", "application/rss+xml; charset=utf-8"},
    {"atom", "application/atom+xml; charset=utf-8"},
    {"svg", "image/svg+xml; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"gif", "image/gif"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"pdf", "application/pdf"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
    {"mp3", "audio/mpeg"},
    {"wasm", "application/wasm"},
};

const char *http_mime_type(const char *name) {
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash ? slash + 1 : name, '.');
    if (dot)
        for (size_t i = 0; i < sizeof MIME_TYPES / sizeof MIME_TYPES[0]; i++)
            if (!strcasecmp(dot + 1, MIME_TYPES[i].ext))
                return MIME_TYPES[i].type;
    return "application/octet-stream";
}
