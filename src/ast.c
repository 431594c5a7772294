/* ast: the arena, node edits, walking, and copying from cmark-gfm. */
#include "ast.h"

#include "buf.h"

#include <cmark-gfm-core-extensions.h>
#include <stdlib.h>
#include <string.h>

struct ast_arena_block {
    ast_arena_block *prev;
    size_t size;
    max_align_t data[];
};

enum { ARENA_BLOCK = 64 * 1024 };

void ast_doc_init(ast_doc *doc) {
    memset(doc, 0, sizeof *doc);
}

void ast_doc_free(ast_doc *doc) {
    ast_arena_block *b = doc->blocks;
    while (b) {
        ast_arena_block *prev = b->prev;
        free(b);
        b = prev;
    }
    memset(doc, 0, sizeof *doc);
}

ast_node *ast_new_text(ast_doc *doc, const char *s, size_t n) {
    ast_node *t = ast_new(doc, AST_TEXT);
    t->text = ast_strdup(doc, s, n);
    return t;
}

void *ast_alloc(ast_doc *doc, size_t n) {
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!doc->blocks || doc->used + n > doc->cap) {
        size_t size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
        ast_arena_block *b = xmalloc(sizeof *b + size);
        b->size = size;
        doc->bytes += sizeof *b + size;
        if (n > ARENA_BLOCK / 4 && doc->blocks) {
            /* a big string: its own block, behind the current one */
            b->prev = doc->blocks->prev;
            doc->blocks->prev = b;
            return b->data;
        }
        b->prev = doc->blocks;
        doc->blocks = b;
        doc->used = 0;
        doc->cap = size;
    }
    void *p = (char *)doc->blocks->data + doc->used;
    doc->used += n;
    return p;
}

ast_node *ast_new(ast_doc *doc, ast_type type) {
    ast_node *n = ast_alloc(doc, sizeof *n);
    memset(n, 0, sizeof *n);
    n->type = type;
    if (type == AST_HEADING)
        n->level = 1;
    if (type == AST_LIST) {
        n->start = 1;
        n->tight = 1;
    }
    return n;
}

const char *ast_strdup(ast_doc *doc, const char *s, size_t n) {
    char *p = ast_alloc(doc, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static const char *const type_names[AST_TYPE_COUNT] = {
    "Document", "Heading",    "Paragraph",          "BlockQuote",    "List",
    "Item",     "CodeBlock",  "HtmlBlock",          "ThematicBreak", "Table",
    "TableRow", "TableCell",  "FootnoteDefinition", "Div",           "Text",
    "Emph",     "Strong",     "Strikethrough",      "Link",          "Image",
    "Code",     "HtmlInline", "SoftBreak",          "LineBreak",     "FootnoteReference"};

const char *ast_type_name(ast_type t) {
    return t < AST_TYPE_COUNT ? type_names[t] : "?";
}

int ast_type_from_name(const char *name) {
    for (int t = 0; t < AST_TYPE_COUNT; t++) /* the first letter rules most out */
        if (type_names[t][0] == name[0] && !strcmp(type_names[t], name))
            return t;
    return -1;
}

int ast_can_contain(const ast_node *parent, const ast_node *child) {
    ast_type c = child->type;
    switch (parent->type) {
    case AST_DOCUMENT:
    case AST_BLOCK_QUOTE:
    case AST_ITEM:
    case AST_FOOTNOTE_DEFINITION:
    case AST_DIV:
        return ast_is_block(c) && c != AST_DOCUMENT && c != AST_ITEM && c != AST_TABLE_ROW &&
               c != AST_TABLE_CELL;
    case AST_LIST: return c == AST_ITEM;
    case AST_TABLE: return c == AST_TABLE_ROW;
    case AST_TABLE_ROW: return c == AST_TABLE_CELL;
    case AST_HEADING:
    case AST_PARAGRAPH:
    case AST_TABLE_CELL:
    case AST_EMPH:
    case AST_STRONG:
    case AST_STRIKETHROUGH:
    case AST_IMAGE: return !ast_is_block(c);
    case AST_LINK: return !ast_is_block(c) && c != AST_LINK;
    default: return 0;
    }
}

void ast_move_children(ast_node *to, ast_node *from) {
    ast_node *first = from->first;
    if (!first)
        return;
    for (ast_node *k = first; k; k = k->next)
        k->parent = to;
    first->prev = to->last;
    if (to->last)
        to->last->next = first;
    else
        to->first = first;
    to->last = from->last;
    from->first = from->last = NULL;
}

void ast_unlink(ast_node *n) {
    if (n->prev)
        n->prev->next = n->next;
    else if (n->parent)
        n->parent->first = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else if (n->parent)
        n->parent->last = n->prev;
    n->parent = n->prev = n->next = NULL;
}

/* Links an unattached node into parent after prev (first when prev is NULL). */
static void link_after(ast_node *parent, ast_node *prev, ast_node *node) {
    ast_node *next = prev ? prev->next : parent->first;
    node->parent = parent;
    node->prev = prev;
    node->next = next;
    if (prev)
        prev->next = node;
    else
        parent->first = node;
    if (next)
        next->prev = node;
    else
        parent->last = node;
}

int ast_append(ast_node *parent, ast_node *child) {
    if (!ast_can_contain(parent, child))
        return -1;
    ast_unlink(child);
    link_after(parent, parent->last, child);
    return 0;
}

int ast_insert_before(ast_node *sibling, ast_node *node) {
    ast_node *parent = sibling->parent;
    if (!parent || node == sibling || !ast_can_contain(parent, node))
        return -1;
    ast_unlink(node);
    link_after(parent, sibling->prev, node);
    return 0;
}

ast_node *ast_next(ast_node *root, ast_node *node, int *entering) {
    if (*entering && node->first) {
        *entering = 1;
        return node->first;
    }
    if (*entering) {
        *entering = 0; /* a leaf: exit it next */
        return node;
    }
    if (node == root)
        return NULL;
    if (node->next) {
        *entering = 1;
        return node->next;
    }
    *entering = 0;
    return node->parent;
}

static ast_node *copy_one(ast_doc *doc, const ast_node *n) {
    ast_node *c = ast_alloc(doc, sizeof *c);
    *c = *n;
    c->parent = c->first = c->last = c->prev = c->next = NULL;
    c->flags = 0;
    c->moved_to = NULL;
    if (n->alignments) {
        c->alignments = ast_alloc(doc, (size_t)n->n_columns + 1);
        memcpy(c->alignments, n->alignments, (size_t)n->n_columns);
    }
    return c; /* strings are shared: arena strings are never changed */
}

ast_node *ast_copy(ast_doc *doc, const ast_node *node) {
    ast_node *top = copy_one(doc, node), *current = top;
    int entering = 1;
    ast_node *root = (ast_node *)node;
    for (ast_node *n = ast_next(root, root, &entering); n; n = ast_next(root, n, &entering)) {
        if (n == root)
            break;
        if (!entering) {
            if (n->first)
                current = current->parent;
            continue;
        }
        ast_node *c = copy_one(doc, n);
        link_after(current, current->last, c);
        if (n->first)
            current = c;
    }
    return top;
}

char *ast_plain_text(const ast_node *node) {
    buf out = BUF_INIT;
    int entering = 1;
    ast_node *root = (ast_node *)node;
    for (ast_node *n = root; n; n = ast_next(root, n, &entering)) {
        if (!entering)
            continue;
        if ((n->type == AST_TEXT || n->type == AST_CODE) && n->text)
            buf_puts(&out, n->text);
        else if (n->type == AST_SOFT_BREAK || n->type == AST_LINE_BREAK)
            buf_putc(&out, ' ');
    }
    return buf_detach(&out);
}

/* ---- from cmark-gfm ---- */

static ast_type type_from_cmark(cmark_node *n) {
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_DOCUMENT: return AST_DOCUMENT;
    case CMARK_NODE_BLOCK_QUOTE: return AST_BLOCK_QUOTE;
    case CMARK_NODE_LIST: return AST_LIST;
    case CMARK_NODE_ITEM: return AST_ITEM;
    case CMARK_NODE_CODE_BLOCK: return AST_CODE_BLOCK;
    case CMARK_NODE_HTML_BLOCK: return AST_HTML_BLOCK;
    case CMARK_NODE_PARAGRAPH: return AST_PARAGRAPH;
    case CMARK_NODE_HEADING: return AST_HEADING;
    case CMARK_NODE_THEMATIC_BREAK: return AST_THEMATIC_BREAK;
    case CMARK_NODE_FOOTNOTE_DEFINITION: return AST_FOOTNOTE_DEFINITION;
    case CMARK_NODE_TEXT: return AST_TEXT;
    case CMARK_NODE_SOFTBREAK: return AST_SOFT_BREAK;
    case CMARK_NODE_LINEBREAK: return AST_LINE_BREAK;
    case CMARK_NODE_CODE: return AST_CODE;
    case CMARK_NODE_HTML_INLINE: return AST_HTML_INLINE;
    case CMARK_NODE_EMPH: return AST_EMPH;
    case CMARK_NODE_STRONG: return AST_STRONG;
    case CMARK_NODE_LINK: return AST_LINK;
    case CMARK_NODE_IMAGE: return AST_IMAGE;
    case CMARK_NODE_FOOTNOTE_REFERENCE: return AST_FOOTNOTE_REFERENCE;
    default: break;
    }
    const char *name = cmark_node_get_type_string(n);
    if (!strcmp(name, "table"))
        return AST_TABLE;
    if (!strcmp(name, "table_row") || !strcmp(name, "table_header"))
        return AST_TABLE_ROW;
    if (!strcmp(name, "table_cell"))
        return AST_TABLE_CELL;
    if (!strcmp(name, "strikethrough"))
        return AST_STRIKETHROUGH;
    return AST_TYPE_COUNT; /* unknown: dropped */
}

static const char *copy(ast_doc *doc, const char *s) {
    return s ? ast_strdup(doc, s, strlen(s)) : NULL;
}

static void copy_table(ast_doc *doc, ast_node *a, cmark_node *n) {
    a->n_columns = cmark_gfm_extensions_get_table_columns(n);
    a->alignments = ast_alloc(doc, (size_t)a->n_columns + 1);
    const uint8_t *src = cmark_gfm_extensions_get_table_alignments(n);
    for (int i = 0; i < a->n_columns; i++)
        a->alignments[i] = src[i] == 'l'   ? AST_ALIGN_LEFT
                           : src[i] == 'c' ? AST_ALIGN_CENTER
                           : src[i] == 'r' ? AST_ALIGN_RIGHT
                                           : AST_ALIGN_NONE;
}

static void copy_fields(ast_doc *doc, ast_node *a, cmark_node *n, int *footnotes) {
    switch (a->type) {
    case AST_HEADING: a->level = cmark_node_get_heading_level(n); break;
    case AST_LIST:
        a->ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
        a->start = cmark_node_get_list_start(n);
        a->tight = cmark_node_get_list_tight(n);
        break;
    case AST_CODE_BLOCK:
        a->info = copy(doc, cmark_node_get_fence_info(n));
        a->text = copy(doc, cmark_node_get_literal(n));
        break;
    case AST_TEXT:
    case AST_CODE:
    case AST_HTML_BLOCK:
    case AST_HTML_INLINE: a->text = copy(doc, cmark_node_get_literal(n)); break;
    case AST_LINK:
    case AST_IMAGE:
        a->url = copy(doc, cmark_node_get_url(n));
        a->title = copy(doc, cmark_node_get_title(n));
        break;
    case AST_FOOTNOTE_REFERENCE: a->number = atoi(cmark_node_get_literal(n)); break;
    case AST_FOOTNOTE_DEFINITION: a->number = ++*footnotes; break; /* kept in number order */
    case AST_TABLE: copy_table(doc, a, n); break;
    case AST_TABLE_ROW: a->header = cmark_gfm_extensions_get_table_row_is_header(n); break;
    default: break;
    }
}

int ast_is_leaf(ast_type t) {
    return t == AST_TEXT || t == AST_SOFT_BREAK || t == AST_LINE_BREAK || t == AST_CODE ||
           t == AST_HTML_INLINE || t == AST_HTML_BLOCK || t == AST_THEMATIC_BREAK ||
           t == AST_CODE_BLOCK || t == AST_FOOTNOTE_REFERENCE;
}

/* cmark_iter sends no EXIT event for these types. */
static int cmark_is_leaf(ast_type t) {
    return ast_is_leaf(t) && t != AST_FOOTNOTE_REFERENCE;
}

ast_node *ast_from_cmark(ast_doc *doc, cmark_node *root) {
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    ast_node *current = NULL, *top = NULL;
    int footnotes = 0, skipping = 0;
    /* cmark lets an autolink sit in a link's text ("[a <https://x.org>](y)");
     * links do not nest (ast_can_contain, HTML's <a>): the inner one is left
     * out and its text joins the outer link */
    cmark_node *outer_link = NULL;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (skipping) { /* inside a node type we do not know: left out */
            if (ev == CMARK_EVENT_EXIT)
                skipping--;
            else if (!cmark_is_leaf(type_from_cmark(n)))
                skipping++;
            continue;
        }
        int is_link = cmark_node_get_type(n) == CMARK_NODE_LINK;
        if (is_link && outer_link && n != outer_link)
            continue; /* enter or exit of a link inside a link */
        if (ev == CMARK_EVENT_EXIT) {
            if (n == outer_link)
                outer_link = NULL;
            current = current->parent;
            continue;
        }
        if (is_link)
            outer_link = n;
        ast_type type = type_from_cmark(n);
        if (type == AST_TYPE_COUNT) {
            skipping = 1;
            continue;
        }
        ast_node *a = ast_new(doc, type);
        a->line = cmark_node_get_start_line(n);
        a->col = cmark_node_get_start_column(n);
        copy_fields(doc, a, n, &footnotes);
        if (current)
            link_after(current, current->last, a);
        else
            top = a;
        if (!cmark_is_leaf(type))
            current = a;
    }
    cmark_iter_free(it);
    return top;
}
