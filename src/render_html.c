/* render_html: HTML5 output for every ast node type. */
#include "render_html.h"

#include "html_sanitize.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

typedef struct renderer {
    const render_options *opt;
    buf *out;
    diag_list *d;
    int plain;       /* > 0 inside image alt text: text only */
    int *ref_counts; /* references seen per footnote number */
    int max_footnote;
    int warned_raw_html;
    int warned_refused; /* unsafe_html: something in the raw HTML was refused */
    int column;         /* of the next cell in the current table row (cells hold no tables) */
    int in_link;        /* links open around the node: HTML does not nest <a> */
} renderer;

static void cr(buf *out) {
    if (out->len && out->data[out->len - 1] != '\n')
        buf_putc(out, '\n');
}

static void text(renderer *r, const char *s) {
    if (s)
        buf_html_text(r->out, s, strlen(s));
}

static void attr(renderer *r, const char *name, const char *value) {
    buf_putc(r->out, ' ');
    buf_puts(r->out, name);
    buf_puts(r->out, "=\"");
    buf_html_attr(r->out, value, strlen(value));
    buf_putc(r->out, '"');
}

static void html(renderer *r, const ast_node *n) {
    const char *s = n->text ? n->text : "";
    int line = n->line ? n->line + r->opt->line_offset : 0;
    if (r->opt->unsafe_html) {
        html_refusal why;
        if (html_sanitize(r->out, s, strlen(s), &why) && !r->warned_refused++)
            diag_warning(r->d, r->opt->display_path, line, n->col > 0 ? n->col : 0,
                         "raw HTML: %s is refused: pages carry no scripts, inline styles or "
                         "script URLs, even with 'unsafe_html: true'",
                         why.what);
        return;
    }
    while (*s == ' ' || *s == '\n')
        s++;
    if (!strncmp(s, "<!--", 4))
        return; /* a writer's comment: never shown, nothing to warn about */
    if (r->warned_raw_html++)
        return;
    diag_warning(r->d, r->opt->display_path, line, n->col > 0 ? n->col : 0,
                 "raw HTML is left out of the page (set 'unsafe_html: true' in site.yaml only if "
                 "you trust every writer)");
}

static void table_cell(renderer *r, const ast_node *n, int entering) {
    const ast_node *row = n->parent, *table = row ? row->parent : NULL;
    int header = row && row->header;
    if (!entering) {
        buf_puts(r->out, header ? "</th>\n" : "</td>\n");
        return;
    }
    int col = r->column++; /* counting the cells before it made wide tables quadratic */
    static const char *const classes[] = {NULL, "align-left", "align-center", "align-right"};
    const char *align = table && col < table->n_columns && table->alignments
                            ? classes[table->alignments[col] & 3]
                            : NULL;
    buf_puts(r->out, header ? "<th scope=\"col\"" : "<td");
    if (align)
        attr(r, "class", align);
    buf_putc(r->out, '>');
}

static void table_row(renderer *r, const ast_node *n, int entering) {
    if (!entering) {
        buf_puts(r->out, "</tr>\n");
        if (n->header)
            buf_puts(r->out, "</thead>\n");
        else if (!n->next)
            buf_puts(r->out, "</tbody>\n");
        return;
    }
    r->column = 0;
    if (n->header)
        buf_puts(r->out, "<thead>\n");
    else if (!n->prev || n->prev->header)
        buf_puts(r->out, "<tbody>\n");
    buf_puts(r->out, "<tr>\n");
}

static void footnote_ref(renderer *r, const ast_node *n) {
    int num = n->number;
    if (num < 1 || num > r->max_footnote)
        return;
    int k = ++r->ref_counts[num];
    if (r->in_link) /* inside a link's text: no <a> in <a>, the id still there */
        buf_printf(r->out, "<sup class=\"footnote-ref\" id=\"footnote-ref-%d", num);
    else
        buf_printf(r->out,
                   "<sup class=\"footnote-ref\"><a href=\"#footnote-%d\" id=\"footnote-ref-%d", num,
                   num);
    if (k > 1)
        buf_printf(r->out, "-%d", k);
    buf_printf(r->out, r->in_link ? "\">%d</sup>" : "\">%d</a></sup>", num);
}

static void footnote_backrefs(renderer *r, int num) {
    if (num < 1 || num > r->max_footnote)
        return;
    for (int k = 1; k <= r->ref_counts[num]; k++) {
        buf_printf(r->out, " <a href=\"#footnote-ref-%d", num);
        if (k > 1)
            buf_printf(r->out, "-%d", k);
        buf_printf(r->out,
                   "\" class=\"footnote-backref\" aria-label=\"Back to reference %d\">"
                   "\xE2\x86\xA9</a>",
                   num);
    }
}

static void footnote_definition(renderer *r, const ast_node *n, int entering) {
    if (!entering) {
        if (!n->last || n->last->type != AST_PARAGRAPH) { /* a list or code ends the note */
            cr(r->out);
            buf_puts(r->out, "<p>");
            footnote_backrefs(r, n->number);
            buf_puts(r->out, "</p>\n");
        }
        buf_puts(r->out, "</li>\n");
        if (!n->next || n->next->type != AST_FOOTNOTE_DEFINITION)
            buf_puts(r->out, "</ol>\n</section>\n");
        return;
    }
    if (!n->prev || n->prev->type != AST_FOOTNOTE_DEFINITION) {
        cr(r->out);
        buf_puts(r->out, "<section class=\"footnotes\" aria-label=\"References\">\n<ol>\n");
    }
    buf_printf(r->out, "<li id=\"footnote-%d\">\n", n->number);
}

static int in_tight_list(const ast_node *paragraph) {
    const ast_node *item = paragraph->parent;
    return item && item->type == AST_ITEM && item->parent && item->parent->tight;
}

static void paragraph(renderer *r, const ast_node *n, int entering) {
    if (in_tight_list(n))
        return; /* tight list items hold their text without <p> */
    if (entering) {
        cr(r->out);
        buf_puts(r->out, "<p>");
        return;
    }
    const ast_node *parent = n->parent;
    if (parent && parent->type == AST_FOOTNOTE_DEFINITION && parent->last == n)
        footnote_backrefs(r, parent->number);
    buf_puts(r->out, "</p>\n");
}

static void link_or_image(renderer *r, const ast_node *n, int entering) {
    const char *url = n->url && !text_is_unsafe_url(n->url) ? n->url : "";
    int nested = n->type == AST_LINK && (entering ? r->in_link++ > 0 : --r->in_link > 0);
    if (nested) {
        return; /* a link inside a link (a filter made it): its text only */
    } else if (n->type == AST_LINK && entering) {
        buf_puts(r->out, "<a href=\"");
        text_append_href(r->out, url, strlen(url));
        buf_putc(r->out, '"');
        if (n->title && *n->title)
            attr(r, "title", n->title);
        buf_putc(r->out, '>');
    } else if (n->type == AST_LINK) {
        buf_puts(r->out, "</a>");
    } else if (entering) {
        buf_puts(r->out, "<img src=\"");
        text_append_href(r->out, url, strlen(url));
        buf_puts(r->out, "\" alt=\"");
        r->plain++;
    } else {
        r->plain--;
        buf_putc(r->out, '"');
        if (n->title && *n->title)
            attr(r, "title", n->title);
        buf_puts(r->out, " loading=\"lazy\">");
    }
}

static void code_block(renderer *r, const ast_node *n) {
    cr(r->out);
    buf_puts(r->out, "<pre><code");
    size_t lang = n->info ? strcspn(n->info, " \t") : 0;
    if (lang) {
        buf_puts(r->out, " class=\"language-");
        buf_html_attr(r->out, n->info, lang);
        buf_putc(r->out, '"');
    }
    buf_putc(r->out, '>');
    text(r, n->text);
    buf_puts(r->out, "</code></pre>\n");
}

static void heading(renderer *r, const ast_node *n, int entering) {
    int level = n->level < 1 ? 1 : (n->level > 6 ? 6 : n->level);
    if (!entering) {
        buf_printf(r->out, "</h%d>\n", level);
        return;
    }
    cr(r->out);
    buf_printf(r->out, "<h%d", level);
    if (n->id)
        attr(r, "id", n->id);
    buf_putc(r->out, '>');
}

static void list(renderer *r, const ast_node *n, int entering) {
    if (!entering) {
        buf_puts(r->out, n->ordered ? "</ol>\n" : "</ul>\n");
        return;
    }
    cr(r->out);
    if (n->ordered && n->start != 1)
        buf_printf(r->out, "<ol start=\"%d\">\n", n->start);
    else
        buf_puts(r->out, n->ordered ? "<ol>\n" : "<ul>\n");
}

/* A Div: its element and class. An aside or section is labelled by its
 * first heading, or else by a heading just before it, so screen readers
 * announce it by name. */
static void div_block(renderer *r, const ast_node *n, int entering) {
    const char *element = n->element && *n->element ? n->element : "div";
    if (!entering) {
        buf_printf(r->out, "</%s>\n", element);
        return;
    }
    cr(r->out);
    buf_printf(r->out, "<%s", element);
    if (n->class_name && *n->class_name)
        attr(r, "class", n->class_name);
    if (!strcmp(element, "aside") || !strcmp(element, "section")) {
        const ast_node *h = n->first;
        while (h && h->type != AST_HEADING)
            h = h->next;
        if (!h && n->prev && n->prev->type == AST_HEADING)
            h = n->prev;
        if (h && h->id)
            attr(r, "aria-labelledby", h->id);
    }
    buf_puts(r->out, ">\n");
}

static void open_close(renderer *r, int entering, const char *open, const char *close) {
    buf_puts(r->out, entering ? open : close);
}

static void render_node(renderer *r, const ast_node *n, int entering) {
    switch (n->type) {
    case AST_DOCUMENT: break;
    case AST_BLOCK_QUOTE:
        cr(r->out);
        open_close(r, entering, "<blockquote>\n", "</blockquote>\n");
        break;
    case AST_LIST: list(r, n, entering); break;
    case AST_ITEM:
        if (entering)
            cr(r->out);
        open_close(r, entering, "<li>", "</li>\n");
        break;
    case AST_HEADING: heading(r, n, entering); break;
    case AST_CODE_BLOCK: code_block(r, n); break;
    case AST_HTML_BLOCK:
        cr(r->out);
        html(r, n);
        cr(r->out);
        break;
    case AST_THEMATIC_BREAK:
        cr(r->out);
        buf_puts(r->out, "<hr>\n");
        break;
    case AST_PARAGRAPH: paragraph(r, n, entering); break;
    case AST_TABLE:
        if (entering)
            cr(r->out);
        open_close(r, entering, "<div class=\"table-wrap\"><table>\n", "</table></div>\n");
        if (entering && n->caption && *n->caption) {
            buf_puts(r->out, "<caption>");
            buf_html_text(r->out, n->caption, strlen(n->caption));
            buf_puts(r->out, "</caption>\n");
        }
        break;
    case AST_TABLE_ROW: table_row(r, n, entering); break;
    case AST_TABLE_CELL: table_cell(r, n, entering); break;
    case AST_FOOTNOTE_DEFINITION: footnote_definition(r, n, entering); break;
    case AST_DIV: div_block(r, n, entering); break;
    case AST_TEXT: text(r, n->text); break;
    case AST_SOFT_BREAK: buf_putc(r->out, '\n'); break;
    case AST_LINE_BREAK: buf_puts(r->out, "<br>\n"); break;
    case AST_CODE:
        buf_puts(r->out, "<code>");
        text(r, n->text);
        buf_puts(r->out, "</code>");
        break;
    case AST_HTML_INLINE: html(r, n); break;
    case AST_EMPH: open_close(r, entering, "<em>", "</em>"); break;
    case AST_STRONG: open_close(r, entering, "<strong>", "</strong>"); break;
    case AST_STRIKETHROUGH: open_close(r, entering, "<del>", "</del>"); break;
    case AST_LINK:
    case AST_IMAGE: link_or_image(r, n, entering); break;
    case AST_FOOTNOTE_REFERENCE:
        if (entering)
            footnote_ref(r, n);
        break;
    case AST_TYPE_COUNT: break;
    }
}

/* Inside image alt text only the words count. */
static void render_plain(renderer *r, const ast_node *n, int entering) {
    if (n->type == AST_IMAGE) {
        r->plain += entering ? 1 : -1;
        if (!entering && r->plain == 0) {
            r->plain = 1;
            link_or_image(r, n, 0);
        }
        return;
    }
    if (!entering)
        return;
    if ((n->type == AST_TEXT || n->type == AST_CODE) && n->text)
        buf_html_attr(r->out, n->text, strlen(n->text));
    else if (n->type == AST_SOFT_BREAK || n->type == AST_LINE_BREAK)
        buf_putc(r->out, ' ');
}

static int count_footnotes(const ast_node *root) {
    int n = 0;
    for (const ast_node *c = root->first; c; c = c->next)
        if (c->type == AST_FOOTNOTE_DEFINITION && c->number > n)
            n = c->number;
    return n;
}

void render_html(const ast_node *root, const render_options *opt, buf *out, diag_list *d) {
    renderer r = {.opt = opt, .out = out, .d = d};
    r.max_footnote = count_footnotes(root);
    r.ref_counts = xcalloc((size_t)r.max_footnote + 1, sizeof *r.ref_counts);
    int entering = 1;
    ast_node *top = (ast_node *)root;
    for (ast_node *n = top; n; n = ast_next(top, n, &entering)) {
        if (!entering && ast_is_leaf(n->type))
            continue;
        if (r.plain > 0)
            render_plain(&r, n, entering);
        else
            render_node(&r, n, entering);
    }
    free(r.ref_counts);
}
