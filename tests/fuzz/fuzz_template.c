/*
 * fuzz_template: compiling a template from arbitrary bytes, as the build
 * compiles each file of a theme: HTML entities, libxml2's XML parser, the
 * cg- directives and elements, the Lua syntax check of every expression,
 * the refusals (inline scripts and styles, script URLs) and the ids the
 * templates reserve. Expressions are compiled, never run: templates are
 * the site's own code, and running them is fuzz_page's business.
 */
#include "diag.h"
#include "template.h"

#include <libxml/parser.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    xmlInitParser(); /* as main() does, once */
    return 0;
}

/* Visits every node, reading each field the renderer reads. */
static size_t walk(const tnode *n, const template_set *set) {
    size_t count = 1;
    if (n->kind == TNODE_TEXT && n->text && strlen(n->text) != n->text_len)
        abort(); /* the renderer writes text_len bytes */
    int exprs[] = {n->if_expr, n->each_expr, n->text_expr, n->html_expr};
    for (size_t i = 0; i < sizeof exprs / sizeof *exprs; i++)
        if (exprs[i] >= (int)set->n_exprs)
            abort();
    for (size_t i = 0; i < n->n_defines; i++)
        if (n->defines[i].expr < 0 || n->defines[i].expr >= (int)set->n_exprs)
            abort();
    for (size_t i = 0; i < n->n_attrs; i++)
        if (n->attrs[i].expr >= (int)set->n_exprs || !n->attrs[i].name)
            abort();
    for (size_t i = 0; i < n->n_children; i++)
        count += walk(n->children[i], set);
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    diag_list d = DIAG_LIST_INIT;
    template_set *set = template_set_compile("page.html", (const char *)data, size, &d);
    if (set) {
        const template *t = template_set_get(set, "page.html");
        if (!t || d.errors)
            abort(); /* a set is returned only without errors */
        walk(t->root, set);
        for (size_t i = 0; i < set->n_reserved; i++)
            if (!set->reserved_ids[i])
                abort();
    } else if (!d.errors) {
        abort(); /* no set means an error was reported */
    }
    template_set_free(set);
    diag_free(&d);
    return 0;
}
