/* render_html: HTML5 output for every cmark-gfm node type. */
#include "render_html.h"

#include "text.h"

#include <cmark-gfm-core-extensions.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct renderer {
    const render_options *opt;
    buf *out;
    diag_list *d;
    int plain;            /* > 0 inside image alt text: text only */
    int footnote_index;   /* the footnote definition being written */
    int in_footnotes;     /* the footnote list is open */
    int *ref_counts;      /* references seen per footnote number */
    int max_footnote;
    int warned_raw_html;
} renderer;

static void cr(buf *out) {
    if (out->len && out->data[out->len - 1] != '\n')
        buf_putc(out, '\n');
}

static void text(renderer *r, const char *s) { buf_html_text(r->out, s, strlen(s)); }

/* GFM's tag filter: these tags are shown as text even in trusted HTML. */
static void raw_html(renderer *r, const char *s) {
    static const char *const filtered[] = {"title", "textarea", "style",    "xmp",      "iframe",
                                           "noembed", "noframes", "script", "plaintext"};
    size_t n = strlen(s), start = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '<')
            continue;
        size_t j = i + 1 + (s[i + 1] == '/');
        for (size_t k = 0; k < sizeof filtered / sizeof *filtered; k++) {
            size_t len = strlen(filtered[k]);
            if (!strncasecmp(s + j, filtered[k], len) &&
                strchr(" \t\n\r/>", s[j + len] ? s[j + len] : '>')) {
                buf_append(r->out, s + start, i - start);
                buf_puts(r->out, "&lt;");
                start = i + 1;
                break;
            }
        }
    }
    buf_append(r->out, s + start, n - start);
}

static void omit_raw_html(renderer *r, cmark_node *n) {
    if (r->warned_raw_html++)
        return;
    diag_warning(r->d, r->opt->display_path, cmark_node_get_start_line(n) + r->opt->line_offset,
                 cmark_node_get_start_column(n) > 0 ? cmark_node_get_start_column(n) : 0,
                 "raw HTML is left out of the page (set 'unsafe_html: true' in site.yaml only if "
                 "you trust every writer)");
}

static const char *cell_align(cmark_node *cell) {
    cmark_node *row = cmark_node_parent(cell);
    cmark_node *table = row ? cmark_node_parent(row) : NULL;
    if (!table)
        return NULL;
    int col = 0;
    for (cmark_node *c = cmark_node_first_child(row); c && c != cell; c = cmark_node_next(c))
        col++;
    if (col >= cmark_gfm_extensions_get_table_columns(table))
        return NULL;
    switch (cmark_gfm_extensions_get_table_alignments(table)[col]) {
    case 'l': return "align-left";
    case 'c': return "align-center";
    case 'r': return "align-right";
    default: return NULL;
    }
}

static int is_header_row(cmark_node *row) { return cmark_gfm_extensions_get_table_row_is_header(row); }

static void render_table_part(renderer *r, cmark_node *n, int entering, const char *type) {
    buf *out = r->out;
    if (!strcmp(type, "table")) {
        if (entering) {
            cr(out);
            buf_puts(out, "<div class=\"table-wrap\"><table>\n");
        } else {
            if (cmark_node_last_child(n) && !is_header_row(cmark_node_last_child(n)) &&
                cmark_node_first_child(n) != cmark_node_last_child(n))
                buf_puts(out, "</tbody>\n");
            buf_puts(out, "</table></div>\n");
        }
    } else if (!strcmp(type, "table_header") || !strcmp(type, "table_row")) {
        int header = is_header_row(n);
        if (entering) {
            cmark_node *prev = cmark_node_previous(n);
            if (header)
                buf_puts(out, "<thead>\n");
            else if (prev && is_header_row(prev))
                buf_puts(out, "<tbody>\n");
            buf_puts(out, "<tr>\n");
        } else {
            buf_puts(out, "</tr>\n");
            if (header)
                buf_puts(out, "</thead>\n");
        }
    } else if (!strcmp(type, "table_cell")) {
        int header = is_header_row(cmark_node_parent(n));
        if (entering) {
            const char *align = cell_align(n);
            buf_puts(out, header ? "<th scope=\"col\"" : "<td");
            if (align)
                buf_printf(out, " class=\"%s\"", align);
            buf_putc(out, '>');
        } else {
            buf_puts(out, header ? "</th>\n" : "</td>\n");
        }
    }
}

static void footnote_ref(renderer *r, cmark_node *n) {
    int num = atoi(cmark_node_get_literal(n));
    if (num < 1 || num > r->max_footnote)
        return;
    int k = ++r->ref_counts[num];
    buf_printf(r->out, "<sup class=\"footnote-ref\"><a href=\"#footnote-%d\" id=\"footnote-ref-%d",
               num, num);
    if (k > 1)
        buf_printf(r->out, "-%d", k);
    buf_printf(r->out, "\">%d</a></sup>", num);
}

static void footnote_backrefs(renderer *r) {
    int num = r->footnote_index;
    if (num < 1 || num > r->max_footnote)
        return;
    for (int k = 1; k <= r->ref_counts[num]; k++) {
        buf_printf(r->out, " <a href=\"#footnote-ref-%d", num);
        if (k > 1)
            buf_printf(r->out, "-%d", k);
        buf_printf(r->out, "\" class=\"footnote-backref\" aria-label=\"Back to reference %d\">"
                           "\xE2\x86\xA9</a>",
                   num);
    }
}

static int is_last_footnote_paragraph(cmark_node *n) {
    cmark_node *parent = cmark_node_parent(n);
    return parent && cmark_node_get_type(parent) == CMARK_NODE_FOOTNOTE_DEFINITION &&
           cmark_node_last_child(parent) == n;
}

static int in_tight_list(cmark_node *paragraph) {
    cmark_node *item = cmark_node_parent(paragraph);
    cmark_node *list = item ? cmark_node_parent(item) : NULL;
    return item && list && cmark_node_get_type(item) == CMARK_NODE_ITEM &&
           cmark_node_get_list_tight(list);
}

static void link_open(renderer *r, cmark_node *n) {
    const char *url = cmark_node_get_url(n);
    const char *title = cmark_node_get_title(n);
    buf_puts(r->out, "<a href=\"");
    if (url && !text_is_unsafe_url(url))
        text_append_href(r->out, url, strlen(url));
    buf_putc(r->out, '"');
    if (title && *title) {
        buf_puts(r->out, " title=\"");
        buf_html_attr(r->out, title, strlen(title));
        buf_putc(r->out, '"');
    }
    buf_putc(r->out, '>');
}

static void image(renderer *r, cmark_node *n, int entering) {
    if (entering) {
        const char *url = cmark_node_get_url(n);
        buf_puts(r->out, "<img src=\"");
        if (url && !text_is_unsafe_url(url))
            text_append_href(r->out, url, strlen(url));
        buf_puts(r->out, "\" alt=\"");
        r->plain++;
        return;
    }
    r->plain--;
    const char *title = cmark_node_get_title(n);
    buf_putc(r->out, '"');
    if (title && *title) {
        buf_puts(r->out, " title=\"");
        buf_html_attr(r->out, title, strlen(title));
        buf_putc(r->out, '"');
    }
    buf_puts(r->out, " loading=\"lazy\">");
}

static void code_block(renderer *r, cmark_node *n) {
    const char *info = cmark_node_get_fence_info(n);
    const char *lit = cmark_node_get_literal(n);
    cr(r->out);
    buf_puts(r->out, "<pre><code");
    size_t lang = info ? strcspn(info, " \t") : 0;
    if (lang) {
        buf_puts(r->out, " class=\"language-");
        buf_html_attr(r->out, info, lang);
        buf_putc(r->out, '"');
    }
    buf_putc(r->out, '>');
    text(r, lit ? lit : "");
    buf_puts(r->out, "</code></pre>\n");
}

static void heading(renderer *r, cmark_node *n, int entering) {
    int level = cmark_node_get_heading_level(n);
    if (!entering) {
        buf_printf(r->out, "</h%d>\n", level);
        return;
    }
    cr(r->out);
    const char *id = cmark_node_get_user_data(n);
    buf_printf(r->out, "<h%d", level);
    if (id) {
        buf_puts(r->out, " id=\"");
        buf_html_attr(r->out, id, strlen(id));
        buf_putc(r->out, '"');
    }
    buf_putc(r->out, '>');
}

static void list(renderer *r, cmark_node *n, int entering) {
    int ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
    if (!entering) {
        buf_puts(r->out, ordered ? "</ol>\n" : "</ul>\n");
        return;
    }
    cr(r->out);
    int start = cmark_node_get_list_start(n);
    if (ordered && start != 1)
        buf_printf(r->out, "<ol start=\"%d\">\n", start);
    else
        buf_puts(r->out, ordered ? "<ol>\n" : "<ul>\n");
}

static void footnote_definition(renderer *r, cmark_node *n, int entering) {
    if (!entering) {
        buf_puts(r->out, "</li>\n");
        if (!cmark_node_next(n) ||
            cmark_node_get_type(cmark_node_next(n)) != CMARK_NODE_FOOTNOTE_DEFINITION) {
            buf_puts(r->out, "</ol>\n</section>\n");
            r->in_footnotes = 0;
        }
        return;
    }
    if (!r->in_footnotes) {
        cr(r->out);
        buf_puts(r->out, "<section class=\"footnotes\" aria-label=\"References\">\n<ol>\n");
        r->in_footnotes = 1;
    }
    r->footnote_index++;
    buf_printf(r->out, "<li id=\"footnote-%d\">\n", r->footnote_index);
}

static void paragraph(renderer *r, cmark_node *n, int entering) {
    if (in_tight_list(n))
        return; /* tight list items hold their text without <p> */
    if (entering) {
        cr(r->out);
        buf_puts(r->out, "<p>");
        return;
    }
    if (is_last_footnote_paragraph(n))
        footnote_backrefs(r);
    buf_puts(r->out, "</p>\n");
}

static void render_block(renderer *r, cmark_node *n, int entering) {
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_BLOCK_QUOTE:
        cr(r->out);
        buf_puts(r->out, entering ? "<blockquote>\n" : "</blockquote>\n");
        break;
    case CMARK_NODE_LIST: list(r, n, entering); break;
    case CMARK_NODE_ITEM:
        if (entering) {
            cr(r->out);
            buf_puts(r->out, "<li>");
        } else {
            buf_puts(r->out, "</li>\n");
        }
        break;
    case CMARK_NODE_HEADING: heading(r, n, entering); break;
    case CMARK_NODE_CODE_BLOCK: code_block(r, n); break;
    case CMARK_NODE_HTML_BLOCK:
        if (!r->opt->unsafe_html) {
            omit_raw_html(r, n);
            break;
        }
        cr(r->out);
        raw_html(r, cmark_node_get_literal(n));
        cr(r->out);
        break;
    case CMARK_NODE_THEMATIC_BREAK:
        cr(r->out);
        buf_puts(r->out, "<hr>\n");
        break;
    case CMARK_NODE_PARAGRAPH: paragraph(r, n, entering); break;
    case CMARK_NODE_FOOTNOTE_DEFINITION: footnote_definition(r, n, entering); break;
    default: break;
    }
}

static void render_inline(renderer *r, cmark_node *n, int entering) {
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_TEXT: text(r, cmark_node_get_literal(n)); break;
    case CMARK_NODE_SOFTBREAK: buf_putc(r->out, '\n'); break;
    case CMARK_NODE_LINEBREAK: buf_puts(r->out, "<br>\n"); break;
    case CMARK_NODE_CODE:
        buf_puts(r->out, "<code>");
        text(r, cmark_node_get_literal(n));
        buf_puts(r->out, "</code>");
        break;
    case CMARK_NODE_HTML_INLINE:
        if (r->opt->unsafe_html)
            raw_html(r, cmark_node_get_literal(n));
        else
            omit_raw_html(r, n);
        break;
    case CMARK_NODE_EMPH: buf_puts(r->out, entering ? "<em>" : "</em>"); break;
    case CMARK_NODE_STRONG: buf_puts(r->out, entering ? "<strong>" : "</strong>"); break;
    case CMARK_NODE_LINK:
        if (entering)
            link_open(r, n);
        else
            buf_puts(r->out, "</a>");
        break;
    case CMARK_NODE_IMAGE: image(r, n, entering); break;
    case CMARK_NODE_FOOTNOTE_REFERENCE:
        if (entering)
            footnote_ref(r, n);
        break;
    default: {
        const char *type = cmark_node_get_type_string(n);
        if (!strcmp(type, "strikethrough"))
            buf_puts(r->out, entering ? "<del>" : "</del>");
        else
            render_table_part(r, n, entering, type);
    }
    }
}

/* Inside image alt text only the words count. */
static void render_plain(renderer *r, cmark_node *n, int entering) {
    cmark_node_type type = cmark_node_get_type(n);
    if (type == CMARK_NODE_IMAGE && !entering) {
        image(r, n, 0);
        return;
    }
    if (type == CMARK_NODE_IMAGE)
        r->plain++;
    if (!entering)
        return;
    if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE) {
        const char *lit = cmark_node_get_literal(n);
        buf_html_attr(r->out, lit, strlen(lit));
    } else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) {
        buf_putc(r->out, ' ');
    }
}

static int count_footnotes(cmark_node *root) {
    int n = 0;
    for (cmark_node *c = cmark_node_first_child(root); c; c = cmark_node_next(c))
        n += cmark_node_get_type(c) == CMARK_NODE_FOOTNOTE_DEFINITION;
    return n;
}

void render_html(cmark_node *root, const render_options *opt, buf *out, diag_list *d) {
    renderer r = {.opt = opt, .out = out, .d = d};
    r.max_footnote = count_footnotes(root);
    r.ref_counts = xcalloc((size_t)r.max_footnote + 1, sizeof *r.ref_counts);
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        int entering = ev == CMARK_EVENT_ENTER;
        if (n == root)
            continue;
        if (r.plain > 0)
            render_plain(&r, n, entering);
        else if (cmark_node_get_type(n) & CMARK_NODE_TYPE_BLOCK &&
                 cmark_node_get_type(n) < CMARK_NODE_TEXT &&
                 strncmp(cmark_node_get_type_string(n), "table", 5) != 0)
            render_block(&r, n, entering);
        else
            render_inline(&r, n, entering);
    }
    cmark_iter_free(it);
    free(r.ref_counts);
}
