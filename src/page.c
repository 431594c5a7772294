/* page: front matter splitting, the content model's typed fields, URLs. */
#include "page.h"

#include "buf.h"
#include "cache.h"
#include "fsutil.h"
#include "hash.h"
#include "markdown.h"
#include "text.h"
#include "yaml_value.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Is the line starting at p exactly `marker` (trailing blanks and \r allowed)? */
static size_t fence_line_length(const char *p, const char *end, const char *marker) {
    size_t m = strlen(marker);
    if ((size_t)(end - p) < m || memcmp(p, marker, m) != 0)
        return 0;
    const char *q = p + m;
    while (q < end && (*q == ' ' || *q == '\t' || *q == '\r'))
        q++;
    if (q < end && *q != '\n')
        return 0;
    return (size_t)(q - p) + (q < end);
}

int page_split_front_matter(const char *text, size_t len, front_matter_split *out,
                            const char *display_path, diag_list *d) {
    const char *end = text + len;
    const char *p = text + text_bom_length(text, len);
    memset(out, 0, sizeof *out);
    out->body_offset = (size_t)(p - text);
    out->body_line = 1;
    size_t open = fence_line_length(p, end, "---");
    if (!open)
        return 0;
    const char *yaml = p + open;
    int line = 2;
    for (const char *q = yaml; q < end; line++) {
        size_t close = fence_line_length(q, end, "---");
        if (!close)
            close = fence_line_length(q, end, "...");
        if (close) {
            out->yaml = yaml;
            out->yaml_len = (size_t)(q - yaml);
            out->yaml_line = 2;
            out->body_offset = (size_t)(q + close - text);
            out->body_line = line + 1;
            return 0;
        }
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        q = nl ? nl + 1 : end;
    }
    diag_error(d, display_path, 1, 1,
               "front matter opened with '---' is never closed (add a '---' line after it)");
    return -1;
}

static int digits(const char *s, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int page_parse_date(const char *s, page_date *out) {
    if (strlen(s) < 10 || (s[4] != '-' && s[4] != '/') || s[7] != s[4])
        return -1;
    int y = digits(s, 4), m = digits(s + 5, 2), dd = digits(s + 8, 2);
    if (y < 0 || m < 0 || dd < 0 || (s[10] && s[10] != 'T' && s[10] != ' '))
        return -1;
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || dd < 1 || dd > days[m - 1])
        return -1;
    if (m == 2 && dd == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return -1;
    out->year = y;
    out->month = m;
    out->day = dd;
    return 0;
}

/* n's last `width` digits into out (n >= 0). */
static void put_digits(char *out, int n, int width) {
    for (int i = width - 1; i >= 0; i--, n /= 10)
        out[i] = (char)('0' + n % 10);
}

void page_format_date(const page_date *d, char *out, size_t size) {
    int y = d->year % 10000, m = d->month % 100, day = d->day % 100;
    if (size < 11 || y < 0 || m < 0 || day < 0) { /* not from page_parse_date */
        snprintf(out, size, "%04d-%02d-%02d", y, m, day);
        return;
    }
    /* by hand: listings format the dates of every page they show */
    put_digits(out, y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, day, 2);
    out[10] = '\0';
}

const char *page_kind_name(page_kind kind) {
    static const char *names[] = {"page", "procedure", "faq",    "concern", "home",     "section",
                                  "tags", "tag",       "search", "az",      "not-found"};
    return names[kind];
}

/* A scalar front matter field as text; lists and maps are errors. */
static char *front_text(page *p, const char *key, diag_list *d) {
    const value *v = value_map_get(p->front, key);
    if (!v || v->type == VALUE_NULL)
        return NULL;
    if (v->type == VALUE_LIST || v->type == VALUE_MAP) {
        diag_error(d, p->display_path, v->line, v->col, "'%s' must be text, not %s", key,
                   value_type_name(v->type));
        return NULL;
    }
    return xstrdup(v->text);
}

/* front_text, with "" as NULL: an empty summary or reviewer (as a page
 * new from an archetype has) is none, not an empty description or "by". */
static char *front_text_or_null(page *p, const char *key, diag_list *d) {
    char *text = front_text(p, key, d);
    if (text && !*text) {
        free(text);
        return NULL;
    }
    return text;
}

static void front_date(page *p, const char *key, page_date *out, diag_list *d) {
    const value *v = value_map_get(p->front, key);
    if (!v || v->type == VALUE_NULL)
        return;
    if (!v->text)
        diag_error(d, p->display_path, v->line, v->col,
                   "'%s' must be a real date written YYYY-MM-DD (or YYYY/MM/DD), not %s", key,
                   value_type_name(v->type));
    else if (page_parse_date(v->text, out) != 0)
        diag_error(d, p->display_path, v->line, v->col,
                   "'%s' must be a real date written YYYY-MM-DD (or YYYY/MM/DD), not '%s'", key,
                   v->text);
}

/* A list of terms (`tags`, `concerns`); one term alone may skip the list. */
static void front_terms(page *p, const char *key, const char *what, char ***terms, size_t *n_terms,
                        diag_list *d) {
    const value *v = value_map_get(p->front, key);
    if (!v || v->type == VALUE_NULL)
        return;
    size_t n = v->type == VALUE_LIST ? v->len : 1;
    *terms = xcalloc(n, sizeof **terms);
    for (size_t i = 0; i < n; i++) {
        const value *t = v->type == VALUE_LIST ? v->items[i] : v;
        if (!t->text || !*t->text || t->type == VALUE_NULL) {
            diag_error(d, p->display_path, t->line, t->col, "each %s must be a word or phrase",
                       what);
            continue;
        }
        (*terms)[(*n_terms)++] = xstrdup(t->text);
    }
}

static page_kind kind_from_name(const char *s) {
    for (page_kind k = KIND_PAGE; k <= KIND_CONCERN; k++)
        if (!strcmp(s, page_kind_name(k)))
            return k;
    return KIND_NOT_FOUND;
}

static page_kind kind_from_section(const char *section_path) {
    size_t n = strcspn(section_path, "/");
    if (n == 10 && !strncmp(section_path, "procedures", n))
        return KIND_PROCEDURE;
    if (n == 3 && !strncmp(section_path, "faq", n))
        return KIND_FAQ;
    if (n == 8 && !strncmp(section_path, "concerns", n))
        return KIND_CONCERN;
    return KIND_PAGE;
}

static void page_read_kind(page *p, diag_list *d) {
    const value *v = value_map_get(p->front, "kind");
    if (p->kind == KIND_HOME || p->kind == KIND_SECTION)
        return;
    p->kind = kind_from_section(p->section_path);
    if (!v || v->type == VALUE_NULL)
        return;
    page_kind k = v->text ? kind_from_name(v->text) : KIND_NOT_FOUND;
    if (k == KIND_NOT_FOUND)
        diag_error(d, p->display_path, v->line, v->col,
                   "'kind' must be procedure, faq, concern or page");
    else
        p->kind = k;
}

static void page_read_flags(page *p, diag_list *d) {
    const value *v = value_map_get(p->front, "draft");
    if (v && v->type == VALUE_BOOL)
        p->draft = v->boolean;
    else if (v && v->type != VALUE_NULL)
        diag_error(d, p->display_path, v->line, v->col, "'draft' must be true or false");
    v = value_map_get(p->front, "weight");
    if (v && v->type == VALUE_NUMBER)
        p->weight = v->number;
    else if (v && v->type != VALUE_NULL)
        diag_error(d, p->display_path, v->line, v->col, "'weight' must be a number");
}

static void page_read_fields(page *p, diag_list *d) {
    p->title = front_text(p, "title", d);
    if (p->title && !*p->title) { /* an empty title: fall back as if unset */
        free(p->title);
        p->title = NULL;
    }
    p->summary = front_text_or_null(p, "summary", d);
    p->reviewer = front_text_or_null(p, "reviewer", d);
    front_date(p, "date", &p->date, d);
    front_date(p, "updated", &p->updated, d);
    front_date(p, "reviewed", &p->reviewed, d);
    front_terms(p, "tags", "tag", &p->tags, &p->n_tags, d);
    front_terms(p, "concerns", "concern", &p->concerns, &p->n_concerns, d);
    const value *concerns = value_map_get(p->front, "concerns");
    if (concerns) {
        p->concerns_line = concerns->line;
        p->concerns_col = concerns->col;
    }
    page_read_kind(p, d);
    page_read_flags(p, d);
    /* read where they are used (the URL, the template): only their type here */
    free(front_text(p, "slug", d));
    free(front_text(p, "layout", d));
}

/* "chemical-peel.md" -> "Chemical peel" */
static char *title_from_file_name(const char *source) {
    const char *base = strrchr(source, '/');
    base = base ? base + 1 : source;
    if (!strcmp(base, "index.md") || !strcmp(base, "_index.md")) {
        char *dir = fs_dirname(source);
        char *t = *dir ? title_from_file_name(dir) : xstrdup("Home");
        free(dir);
        return t;
    }
    size_t n = strcspn(base, ".");
    char *t = xstrndup(base, n);
    for (char *c = t; *c; c++)
        if (*c == '-' || *c == '_')
            *c = ' ';
    t[0] = (char)toupper((unsigned char)t[0]);
    return t;
}

static void page_set_paths(page *p, const char *source) {
    const char *base = strrchr(source, '/');
    base = base ? base + 1 : source;
    p->dir = fs_dirname(source);
    int is_index = !strcmp(base, "_index.md");
    int is_bundle = !strcmp(base, "index.md");
    if (is_index)
        p->kind = *p->dir ? KIND_SECTION : KIND_HOME;
    p->section_path = (is_index || !is_bundle) ? xstrdup(p->dir) : fs_dirname(p->dir);
    if (is_index && *p->dir) {
        free(p->section_path);
        p->section_path = xstrdup(p->dir);
    }
}

/* URL of a source file: each folder slugified, then the file's own slug. */
static char *url_from_source(const char *source, const value *slug) {
    buf url = BUF_INIT;
    const char *part = text_append_folder_slugs(&url, source);
    int listing = !strcmp(part, "_index.md") || !strcmp(part, "index.md");
    if (!listing) {
        const char *name = slug && slug->text && *slug->text ? slug->text : part;
        size_t n = name == part ? strlen(part) - 3 : strlen(name);
        char *s = text_slugify(name, n);
        buf_printf(&url, "%s/", *s ? s : "page");
        free(s);
    }
    return buf_detach(&url);
}

void page_set_url(page *p, const char *url_path) {
    free(p->url_path);
    free(p->out_path);
    p->url_path =
        url_path ? xstrdup(url_path) : url_from_source(p->source, value_map_get(p->front, "slug"));
    p->out_path = xasprintf("%sindex.html", p->url_path);
}

/* The YAML between the --- lines as a map; NULL after adding errors. */
static value *front_from_split(const front_matter_split *split, const char *display_path,
                               diag_list *d) {
    value *front = NULL;
    if (split->yaml) {
        front =
            yaml_value_parse(split->yaml, split->yaml_len, display_path, split->yaml_line - 1, d);
        if (!front)
            return NULL;
    }
    if (front && front->type != VALUE_MAP && front->type != VALUE_NULL) {
        diag_error(d, display_path, front->line, front->col,
                   "front matter must be a map of fields (key: value), not %s",
                   value_type_name(front->type));
        value_free(front);
        return NULL;
    }
    if (!front || front->type == VALUE_NULL) {
        value_free(front);
        front = value_new(VALUE_MAP, split->yaml_line, 1);
    }
    return front;
}

value *page_parse_front_matter(const char *text, size_t len, const char *display_path,
                               front_matter_split *split, diag_list *d) {
    if (page_split_front_matter(text, len, split, display_path, d) != 0)
        return NULL;
    return front_from_split(split, display_path, d);
}

static int page_parse_front(page *p, const char *text, size_t len, diag_list *d) {
    front_matter_split split;
    if (page_split_front_matter(text, len, &split, p->display_path, d) != 0)
        return -1;
    p->body_offset = split.body_offset;
    p->body_line = split.body_line;
    p->front = front_from_split(&split, p->display_path, d);
    return p->front ? 0 : -1;
}

/* The text checks before parsing: encoding, then front matter, then the
 * body's limits. A page that fails one keeps skip_body set. */
static void page_read_text(page *p, const char *text, size_t len, diag_list *d) {
    if (text_check_encoding(text, len, p->display_path, 0, d) != 0) {
        p->skip_body = 1;
        p->front = value_new(VALUE_MAP, 1, 1);
        return;
    }
    if (page_parse_front(p, text, len, d) != 0)
        p->front = value_new(VALUE_MAP, 1, 1);
    else
        page_read_fields(p, d);
    if (markdown_check_limits(text + p->body_offset, len - p->body_offset, p->display_path,
                              p->body_line - 1, d) != 0)
        p->skip_body = 1;
}

/* The messages from first on, in line order (fields are read in a fixed
 * order, not the order the writer wrote them). Stable: few messages. */
static void sort_by_line(diag_list *d, size_t first) {
    for (size_t i = first + 1; i < d->len; i++) {
        diag m = d->items[i];
        size_t k = i;
        for (; k > first && (d->items[k - 1].line > m.line ||
                             (d->items[k - 1].line == m.line && d->items[k - 1].col > m.col));
             k--)
            d->items[k] = d->items[k - 1];
        d->items[k] = m;
    }
}

void page_start(page *p, const char *source, const char *display_path) {
    memset(p, 0, sizeof *p);
    p->source = xstrdup(source);
    p->display_path = xstrdup(display_path);
    page_set_paths(p, source);
}

static int page_load_source(page *p, const char *text, size_t len, const char *source,
                            const char *display_path, diag_list *d) {
    page_start(p, source, display_path);
    size_t errors = d->errors, first = d->len;
    page_read_text(p, text, len, d);
    sort_by_line(d, first);
    if (!p->title && !p->skip_body) {
        p->title = markdown_opening_heading(text + p->body_offset, len - p->body_offset);
        p->title_from_heading = p->title != NULL;
    }
    if (!p->title)
        p->title = title_from_file_name(source);
    page_set_url(p, NULL);
    p->text_hash = hash64(text, len, 0);
    p->model_hash =
        hash64(text, p->body_offset, hash64_u64((uint64_t)p->skip_body, hash64_str(p->title, 0)));
    return d->errors > errors ? -1 : 0;
}

int page_load_text(page *p, const char *text, size_t len, const char *display_path, diag_list *d) {
    const char *source = display_path;
    if (!strncmp(source, "./", 2))
        source += 2;
    if (!strncmp(source, "content/", 8))
        source += 8;
    return page_load_source(p, text, len, source, display_path, d);
}

int page_load(page *p, const char *content_dir, const char *source, const char *display_path,
              diag_list *d) {
    char *path = fs_join(content_dir, source);
    size_t len;
    struct stat st;
    char *text = fs_read_file_stat(path, PAGE_MAX_BYTES, &len, &st);
    uint64_t file_id = text ? cache_stat_identity(source, &st) : 0; /* as model_cache_restore */
    free(path);
    if (!text) {
        int err = errno;
        page_start(p, source, display_path);
        p->front = value_new(VALUE_MAP, 1, 1);
        p->title = title_from_file_name(source);
        p->skip_body = 1;
        page_set_url(p, NULL);
        if (err == EFBIG)
            diag_error(d, display_path, 0, 0,
                       "this page is %.1f MB; a page may be at most %d MB (split it into "
                       "several pages, and keep images in files of their own)",
                       (double)len / (1024.0 * 1024.0), PAGE_MAX_MB);
        else
            diag_error(d, display_path, 0, 0, "cannot read: %s", fs_strerror(err));
        return -1;
    }
    int rc = page_load_source(p, text, len, source, display_path, d);
    p->file_id = file_id;
    if (len <= PAGE_KEEP_TEXT_MAX && !p->skip_body) {
        p->small_text = text;
        p->small_text_len = len;
    } else {
        free(text);
    }
    return rc;
}

page *page_new_virtual(page_kind kind, const char *url_path, const char *title) {
    page *p = xcalloc(1, sizeof *p);
    p->kind = kind;
    p->front = value_new(VALUE_MAP, 0, 0);
    p->title = xstrdup(title);
    p->dir = xstrdup("");
    p->section_path = xstrdup(url_path);
    size_t n = strlen(p->section_path);
    if (n && p->section_path[n - 1] == '/')
        p->section_path[n - 1] = '\0';
    page_set_url(p, url_path);
    return p;
}

void page_list_push(page ***list, size_t *n, page *p) {
    *list = xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = p;
}

void page_free(page *p) {
    if (!p)
        return;
    page_free_fields(p);
    free(p);
}

void page_free_fields(page *p) {
    free(p->source);
    free(p->display_path);
    free(p->dir);
    free(p->url_path);
    free(p->out_path);
    free(p->section_path);
    value_free(p->front);
    free(p->front_packed);
    free(p->small_text);
    free(p->title);
    free(p->summary);
    free(p->reviewer);
    for (size_t i = 0; i < p->n_tags; i++)
        free(p->tags[i]);
    free(p->tags);
    for (size_t i = 0; i < p->n_concerns; i++)
        free(p->concerns[i]);
    free(p->concerns);
    free(p->children);
    free(p->subsections);
    free(p->concern_pages);
    free(p->treated_by);
    free(p->url);
    free(p->tag_pages);
    memset(p, 0, sizeof *p);
}
