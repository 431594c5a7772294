/* markdown: parsing with cmark-gfm, heading ids, outline, link rewriting. */
#include "markdown.h"

#include "buf.h"
#include "md_arena.h"
#include "strmap.h"
#include "text.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const extension_names[] = {"table", "strikethrough", "autolink", "tagfilter"};

void markdown_init(void) {
    cmark_gfm_core_extensions_ensure_registered();
}

static ast_node *parse(ast_doc *doc, const char *text, size_t len, int valid_utf8);

static void parse_doc(md_doc *doc, const char *text, size_t len, int valid_utf8) {
    memset(doc, 0, sizeof *doc);
    ast_doc_init(&doc->ast);
    doc->ast.root = parse(&doc->ast, text, len, valid_utf8);
}

void markdown_parse(md_doc *doc, const char *text, size_t len) {
    parse_doc(doc, text, len, 0);
}

void markdown_parse_valid(md_doc *doc, const char *text, size_t len) {
    parse_doc(doc, text, len, 1);
}

static int holds_blocks(ast_type t) {
    return t == AST_DOCUMENT || t == AST_BLOCK_QUOTE || t == AST_LIST || t == AST_ITEM ||
           t == AST_FOOTNOTE_DEFINITION || t == AST_DIV;
}

/* Pandoc's table captions: a paragraph "Table: Prices per session" right
 * after a table becomes the table's caption. Walks blocks only. */
static void attach_table_captions(ast_doc *doc, ast_node *root) {
    static const char prefix[] = "Table: ";
    int entering = 1;
    for (ast_node *n = root; n; n = ast_next(root, n, &entering)) {
        if (!entering)
            continue;
        ast_node *after = n->next;
        if (n->type == AST_TABLE && after && after->type == AST_PARAGRAPH && after->first &&
            after->first->type == AST_TEXT &&
            !strncmp(after->first->text, prefix, sizeof prefix - 1)) {
            char *text = ast_plain_text(after);
            n->caption =
                ast_strdup(doc, text + sizeof prefix - 1, strlen(text) - sizeof prefix + 1);
            free(text);
            ast_unlink(after);
        }
        if (!holds_blocks(n->type))
            entering = 0; /* its inlines hold no tables */
    }
}

ast_node *markdown_parse_into(ast_doc *doc, const char *text, size_t len) {
    return parse(doc, text, len, 0);
}

static ast_node *parse(ast_doc *doc, const char *text, size_t len, int valid_utf8) {
    md_arena arena; /* cmark's tree lives only until it is copied into ours */
    md_arena_begin(&arena);
    /* cmark-gfm's own check (bad bytes become U+FFFD) reads every byte on
     * its slow path; valid text, which is nearly all of it (pages are
     * checked when read), skips it: text_find_bad_byte refuses what it
     * would replace (NUL, overlong forms, surrogates, past U+10FFFF). */
    int options = CMARK_OPT_FOOTNOTES;
    if (!valid_utf8 && text_find_bad_byte(text, len) != len)
        options |= CMARK_OPT_VALIDATE_UTF8;
    cmark_parser *parser = cmark_parser_new_with_mem(options, md_arena_mem());
    for (size_t i = 0; i < sizeof extension_names / sizeof *extension_names; i++)
        cmark_parser_attach_syntax_extension(parser,
                                             cmark_find_syntax_extension(extension_names[i]));
    cmark_parser_feed(parser, text, len);
    ast_node *top = ast_from_cmark(doc, cmark_parser_finish(parser));
    md_arena_end(&arena); /* cmark's tree and parser, at once: freeing them walks every node */
    attach_table_captions(doc, top);
    return top;
}

char *markdown_opening_heading(const char *body, size_t len) {
    /* Only the first block matters: parse up to the first blank line. */
    size_t start = 0; /* skip blank lines, never indentation (that is a code block) */
    for (size_t i = 0; i < len; i++) {
        if (body[i] == '\n')
            start = i + 1;
        else if (body[i] != ' ' && body[i] != '\t' && body[i] != '\r')
            break;
    }
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
    md_doc doc;
    markdown_parse(&doc, body + start, end - start);
    const ast_node *first = doc.ast.root->first;
    char *title = NULL;
    if (first && first->type == AST_HEADING && first->level == 1) {
        title = ast_plain_text(first);
        if (!*title) {
            free(title);
            title = NULL;
        }
    }
    md_doc_free(&doc);
    return title;
}

static void drop_opening_heading(md_doc *doc, const md_source *src, diag_list *d) {
    ast_node *first = doc->ast.root->first;
    if (!first || first->type != AST_HEADING || first->level != 1)
        return;
    char *text = ast_plain_text(first);
    if (src->title && strcmp(text, src->title) != 0)
        diag_warning(d, src->display_path, first->line + src->line_offset, 1,
                     "the body opens with the heading '%s' but the title is '%s'; the heading "
                     "is left out so the page has one title",
                     text, src->title);
    free(text);
    ast_unlink(first);
}

/* The templates' own ids are a short list: looked through, rather than put
 * in a map for every page. */
static int is_taken(const strmap *used, const char *const *reserved, const char *id) {
    for (size_t i = 0; reserved && reserved[i]; i++)
        if (reserved[i][0] == id[0] && !strcmp(reserved[i], id))
            return 1;
    return strmap_get(used, id) != NULL;
}

static void assign_heading_ids(md_doc *doc, const char *const *reserved) {
    strmap used = STRMAP_INIT;
    /* base id -> the next suffix to try: many headings with one text
     * ("Answer") would otherwise try every suffix taken so far, each time */
    strmap next = STRMAP_INIT;
    size_t cap = 0;
    int entering = 1;
    ast_node *root = doc->ast.root;
    for (ast_node *n = root; n; n = ast_next(root, n, &entering)) {
        if (!entering || n->type != AST_HEADING)
            continue;
        char *text = ast_plain_text(n);
        char *slug = text_slugify(text, strlen(text));
        const char *base = *slug ? slug : "section";
        char *id = xstrdup(base);
        uintptr_t k = (uintptr_t)strmap_get(&next, base);
        for (k = k ? k : 1; is_taken(&used, reserved, id); k++) {
            free(id);
            id = xasprintf("%s-%lu", base, (unsigned long)k);
        }
        strmap_put(&next, base, (void *)k);
        free(slug);
        strmap_put(&used, id, &used);
        if (doc->n_headings == cap)
            doc->headings = xrealloc(doc->headings, (cap = cap ? cap * 2 : 8) * sizeof(md_heading));
        doc->headings[doc->n_headings++] = (md_heading){n->level, id, text};
        n->id = ast_strdup(&doc->ast, id, strlen(id));
    }
    strmap_free(&next);
    strmap_free(&used);
}

/* Returns 0, or -1 after reporting a link that finds nothing. */
static int rewrite_link(ast_doc *doc, ast_node *n, const md_source *src, const link_resolver *links,
                        diag_list *d) {
    const char *url = n->url;
    int line = n->line + src->line_offset;
    int col = n->col;
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
    char *target = text_percent_decode(url, path_len);
    char *error = NULL;
    char *resolved = links->resolve(links->ctx, links->page_dir, target, &error);
    free(target);
    if (!resolved) {
        diag_error(d, src->display_path, line, col > 0 ? col : 0, "%s", error);
        free(error);
        return -1;
    }
    char *full = xasprintf("%s%s", resolved, url + path_len);
    n->url = ast_strdup(doc, full, strlen(full));
    free(full);
    free(resolved);
    return 0;
}

static int rewrite_links(md_doc *doc, const md_source *src, const link_resolver *links,
                         diag_list *d) {
    int rc = 0, entering = 1;
    ast_node *root = doc->ast.root;
    for (ast_node *n = root; n; n = ast_next(root, n, &entering))
        if (entering && (n->type == AST_LINK || n->type == AST_IMAGE))
            rc |= rewrite_link(&doc->ast, n, src, links, d);
    return rc;
}

int markdown_prepare(md_doc *doc, const md_source *src, const link_resolver *links,
                     const char *const *reserved_ids, diag_list *d) {
    drop_opening_heading(doc, src, d);
    assign_heading_ids(doc, reserved_ids);
    return rewrite_links(doc, src, links, d);
}

void md_doc_free(md_doc *doc) {
    ast_doc_free(&doc->ast);
    for (size_t i = 0; i < doc->n_headings; i++) {
        free(doc->headings[i].id);
        free(doc->headings[i].text);
    }
    free(doc->headings);
    memset(doc, 0, sizeof *doc);
}
