/* markdown: parsing with cmark-gfm, heading ids, outline, link rewriting. */
#include "markdown.h"

#include "buf.h"
#include "strmap.h"
#include "text.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const extension_names[] = {"table", "strikethrough", "autolink", "tagfilter"};

void markdown_init(void) { cmark_gfm_core_extensions_ensure_registered(); }

cmark_node *markdown_parse(const char *text, size_t len) {
    cmark_parser *parser = cmark_parser_new(CMARK_OPT_FOOTNOTES | CMARK_OPT_VALIDATE_UTF8);
    for (size_t i = 0; i < sizeof extension_names / sizeof *extension_names; i++)
        cmark_parser_attach_syntax_extension(parser,
                                             cmark_find_syntax_extension(extension_names[i]));
    cmark_parser_feed(parser, text, len);
    cmark_node *root = cmark_parser_finish(parser);
    cmark_parser_free(parser);
    return root;
}

char *markdown_plain_text(cmark_node *node) {
    buf out = BUF_INIT;
    cmark_iter *it = cmark_iter_new(node);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER)
            continue;
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
            buf_puts(&out, cmark_node_get_literal(n));
            break;
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
            buf_putc(&out, ' ');
            break;
        default:
            break;
        }
    }
    cmark_iter_free(it);
    return buf_detach(&out);
}

char *markdown_opening_heading(const char *body, size_t len) {
    /* Only the first block matters: parse up to the first blank line. */
    size_t start = 0;
    while (start < len && (body[start] == '\n' || body[start] == '\r' || body[start] == ' '))
        start++;
    size_t end = start;
    while (end < len) {
        const char *nl = memchr(body + end, '\n', len - end);
        if (!nl)
            break;
        end = (size_t)(nl - body) + 1;
        size_t i = end;
        while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r'))
            i++;
        if (i >= len || body[i] == '\n')
            break;
    }
    if (!memchr(body + start, '\n', len - start))
        end = len;
    cmark_node *root = markdown_parse(body + start, end - start);
    cmark_node *first = cmark_node_first_child(root);
    char *title = NULL;
    if (first && cmark_node_get_type(first) == CMARK_NODE_HEADING &&
        cmark_node_get_heading_level(first) == 1) {
        title = markdown_plain_text(first);
        if (!*title) {
            free(title);
            title = NULL;
        }
    }
    cmark_node_free(root);
    return title;
}

static void drop_opening_heading(md_doc *doc, const md_source *src, diag_list *d) {
    cmark_node *first = cmark_node_first_child(doc->root);
    if (!first || cmark_node_get_type(first) != CMARK_NODE_HEADING ||
        cmark_node_get_heading_level(first) != 1)
        return;
    char *text = markdown_plain_text(first);
    if (src->title && strcmp(text, src->title) != 0)
        diag_warning(d, src->display_path, cmark_node_get_start_line(first) + src->line_offset, 1,
                     "the body opens with the heading '%s' but the title is '%s'; the heading "
                     "is left out so the page has one title",
                     text, src->title);
    free(text);
    cmark_node_free(first);
}

static void assign_heading_ids(md_doc *doc, const char *const *reserved) {
    strmap used = STRMAP_INIT;
    for (size_t i = 0; reserved && reserved[i]; i++)
        strmap_put(&used, reserved[i], &used);
    size_t cap = 0;
    cmark_iter *it = cmark_iter_new(doc->root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_HEADING)
            continue;
        char *text = markdown_plain_text(n);
        char *slug = text_slugify(text, strlen(text));
        char *id = xstrdup(*slug ? slug : "section");
        for (int k = 1; strmap_get(&used, id); k++) {
            free(id);
            id = xasprintf("%s-%d", *slug ? slug : "section", k);
        }
        free(slug);
        strmap_put(&used, id, &used);
        if (doc->n_headings == cap)
            doc->headings = xrealloc(doc->headings, (cap = cap ? cap * 2 : 8) * sizeof(md_heading));
        md_heading *h = &doc->headings[doc->n_headings++];
        h->level = cmark_node_get_heading_level(n);
        h->id = id;
        h->text = text;
    }
    cmark_iter_free(it);
    strmap_free(&used);
    /* Attach only now: the array may have moved while it grew. */
    size_t i = 0;
    it = cmark_iter_new(doc->root);
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) == CMARK_NODE_HEADING)
            cmark_node_set_user_data(n, doc->headings[i++].id);
    }
    cmark_iter_free(it);
}

static char *percent_decode(const char *s, size_t n) {
    buf out = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
            isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            buf_putc(&out, (char)strtol(hex, NULL, 16));
            i += 2;
        } else {
            buf_putc(&out, s[i]);
        }
    }
    return buf_detach(&out);
}

/* Returns 0, or -1 after reporting a link that finds nothing. */
static int rewrite_link(cmark_node *n, const md_source *src, const link_resolver *links,
                        diag_list *d) {
    const char *url = cmark_node_get_url(n);
    int line = cmark_node_get_start_line(n) + src->line_offset;
    int col = cmark_node_get_start_column(n);
    if (!url || !*url || url[0] == '#' || url[0] == '?')
        return 0;
    if (text_is_unsafe_url(url)) {
        diag_error(d, src->display_path, line, col > 0 ? col : 0,
                   "the link '%s' is refused: script and file URLs are not allowed", url);
        return -1;
    }
    if (text_url_has_scheme(url) || !links || !links->resolve)
        return 0;
    size_t path_len = strcspn(url, "#?");
    char *target = percent_decode(url, path_len);
    char *error = NULL;
    char *resolved = links->resolve(links->ctx, links->page_dir, target, &error);
    free(target);
    if (!resolved) {
        diag_error(d, src->display_path, line, col > 0 ? col : 0, "%s", error);
        free(error);
        return -1;
    }
    char *full = xasprintf("%s%s", resolved, url + path_len);
    cmark_node_set_url(n, full);
    free(full);
    free(resolved);
    return 0;
}

static int rewrite_links(md_doc *doc, const md_source *src, const link_resolver *links,
                         diag_list *d) {
    int rc = 0;
    cmark_iter *it = cmark_iter_new(doc->root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type type = cmark_node_get_type(n);
        if (ev == CMARK_EVENT_ENTER && (type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE))
            rc |= rewrite_link(n, src, links, d);
    }
    cmark_iter_free(it);
    return rc;
}

int markdown_prepare(md_doc *doc, const md_source *src, const link_resolver *links,
                     const char *const *reserved_ids, diag_list *d) {
    drop_opening_heading(doc, src, d);
    assign_heading_ids(doc, reserved_ids);
    return rewrite_links(doc, src, links, d);
}

void md_doc_free(md_doc *doc) {
    if (doc->root)
        cmark_node_free(doc->root);
    for (size_t i = 0; i < doc->n_headings; i++) {
        free(doc->headings[i].id);
        free(doc->headings[i].text);
    }
    free(doc->headings);
    memset(doc, 0, sizeof *doc);
}
