/* template: reading template files and compiling them into tnode trees. */
#include "template.h"

#include "buf.h"
#include "fsutil.h"
#include "strmap.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <lauxlib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <lua.h>
#include <stdlib.h>
#include <string.h>

typedef struct compiler {
    template_set *set;
    const char *path; /* display path of the template being compiled */
    const char *text; /* its text, for locating start tags */
    size_t pos;       /* where the last start tag found in text begins */
    int pos_line;     /* the line of text + pos */
    int xml_failed;   /* report only the first XML error of a file */
    lua_State *L;     /* scratch state: checks that expressions compile */
    strmap ids;
    diag_list *d;
} compiler;

/* ---- HTML named entities: XML knows only five, writers expect more. ---- */

static const struct {
    const char *name;
    int code;
} html_entities[] = {{"nbsp", 160},    {"copy", 169},   {"reg", 174},    {"middot", 183},
                     {"times", 215},   {"ndash", 8211}, {"mdash", 8212}, {"lsquo", 8216},
                     {"rsquo", 8217},  {"ldquo", 8220}, {"rdquo", 8221}, {"bull", 8226},
                     {"hellip", 8230}, {"trade", 8482}, {"larr", 8592},  {"uarr", 8593},
                     {"rarr", 8594},   {"darr", 8595},  {"deg", 176},    {"plusmn", 177}};

static char *replace_html_entities(const char *text, size_t len, size_t *out_len) {
    buf out = BUF_INIT;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '&') {
            size_t j = i + 1;
            while (j < len && j - i < 10 && isalnum((unsigned char)text[j]))
                j++;
            if (j < len && text[j] == ';') {
                size_t n = j - i - 1;
                size_t k;
                for (k = 0; k < sizeof html_entities / sizeof *html_entities; k++)
                    if (strlen(html_entities[k].name) == n &&
                        !strncmp(html_entities[k].name, text + i + 1, n))
                        break;
                if (k < sizeof html_entities / sizeof *html_entities) {
                    buf_printf(&out, "&#%d;", html_entities[k].code);
                    i = j;
                    continue;
                }
            }
        }
        buf_putc(&out, text[i]);
    }
    *out_len = out.len;
    return buf_detach(&out);
}

/* ---- expressions ---- */

/* "template:1: unexpected symbol" -> "unexpected symbol" */
const char *template_lua_message(const char *msg) {
    if (!msg)
        return "error in a Lua expression";
    if (!strncmp(msg, "template:", 9)) {
        const char *p = msg + 9;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p[0] == ':' && p[1] == ' ')
            return p + 2;
    }
    return msg;
}

static int is_lua_keyword(const char *s, size_t n) {
    static const char *const words[] = {"and",   "break", "do",       "else", "elseif", "end",
                                        "false", "for",   "function", "goto", "if",     "in",
                                        "local", "nil",   "not",      "or",   "repeat", "return",
                                        "then",  "true",  "until",    "while"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strlen(words[i]) == n && !memcmp(words[i], s, n))
            return 1;
    return 0;
}

/* At s, just after the "(" of a call: one string literal without escapes,
 * then ")" and the expression's end. Returns the literal (caller frees), or
 * NULL when the rest of the expression is anything else. */
static char *read_literal_argument(const char *s) {
    while (isspace((unsigned char)*s))
        s++;
    char quote = *s;
    if (quote != '\'' && quote != '"')
        return NULL;
    const char *start = ++s;
    while (*s && *s != quote && *s != '\\' && *s != '\n')
        s++;
    if (*s != quote)
        return NULL;
    const char *end = s++;
    while (isspace((unsigned char)*s))
        s++;
    if (*s++ != ')')
        return NULL;
    while (isspace((unsigned char)*s))
        s++;
    return *s ? NULL : xstrndup(start, (size_t)(end - start));
}

/* The names of `expr` when it is nothing but a dotted path of names
 * (spaces around it allowed): "page.title" gives {"page", "title"}; or a
 * call of one with a string literal: "asset('x.css')" gives {"asset"} and
 * the literal "x.css". */
static void find_path(texpr *x, const char *expr) {
    const char *s = expr;
    while (isspace((unsigned char)*s))
        s++;
    char **names = NULL;
    size_t n = 0;
    for (;;) {
        size_t len = 0;
        while (isalnum((unsigned char)s[len]) || s[len] == '_')
            len++;
        if (!len || isdigit((unsigned char)*s) || is_lua_keyword(s, len) ||
            (!n && len == 4 && !memcmp(s, "_ENV", 4))) /* _ENV is the scope, not a name in it */
            break;
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = xstrndup(s, len);
        s += len;
        if (*s == '.') {
            s++;
            continue;
        }
        while (isspace((unsigned char)*s))
            s++;
        char *arg = *s == '(' ? read_literal_argument(s + 1) : NULL;
        if (!*s || arg) { /* the whole expression */
            x->path = names;
            x->path_len = n;
            x->call_arg = arg;
            return;
        }
        break;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static int add_expr(compiler *c, const char *chunk, const char *directive, const char *expr,
                    int line) {
    if (luaL_loadbufferx(c->L, chunk, strlen(chunk), "=template", "t") != LUA_OK) {
        diag_error(c->d, c->path, line, 0, "in the Lua expression %s=\"%s\": %s", directive, expr,
                   template_lua_message(lua_tostring(c->L, -1)));
        lua_pop(c->L, 1);
        return -1;
    }
    lua_pop(c->L, 1);
    template_set *set = c->set;
    set->exprs = xrealloc(set->exprs, (set->n_exprs + 1) * sizeof *set->exprs);
    texpr *x = &set->exprs[set->n_exprs];
    *x = (texpr){xstrdup(chunk), xstrdup(c->path), line, NULL, 0, NULL};
    if (!strncmp(chunk, "return ", 7))
        find_path(x, chunk + 7);
    return (int)set->n_exprs++;
}

static int add_value_expr(compiler *c, const char *directive, const char *expr, int line) {
    char *chunk = xasprintf("return %s", expr);
    int id = add_expr(c, chunk, directive, expr, line);
    free(chunk);
    return id;
}

static int is_identifier(const char *s, size_t n) {
    if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    return 1;
}

static char *trimmed(const char *s, size_t n) {
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

/* Splits "a = x; b = {1; 2}" at the semicolons outside brackets and quotes. */
static size_t next_statement(const char *s) {
    int depth = 0;
    char quote = 0;
    size_t i;
    for (i = 0; s[i]; i++) {
        char ch = s[i];
        if (quote) {
            if (ch == '\\' && s[i + 1])
                i++;
            else if (ch == quote)
                quote = 0;
        } else if (ch == '"' || ch == '\'') {
            quote = ch;
        } else if (ch == '(' || ch == '{' || ch == '[') {
            depth++;
        } else if (ch == ')' || ch == '}' || ch == ']') {
            depth--;
        } else if (ch == ';' && depth == 0) {
            break;
        }
    }
    return i;
}

static int compile_defines(compiler *c, tnode *n, const char *src) {
    for (const char *s = src; *s;) {
        size_t len = next_statement(s);
        char *stmt = trimmed(s, len);
        s += len + (s[len] == ';');
        if (!*stmt) {
            free(stmt);
            continue;
        }
        char *eq = strchr(stmt, '=');
        char *name = eq ? trimmed(stmt, (size_t)(eq - stmt)) : NULL;
        if (!eq || eq[1] == '=' || !is_identifier(name, strlen(name))) {
            diag_error(c->d, c->path, n->line, 0,
                       "cg-define takes 'name = expression' pairs separated by ';', not '%s'",
                       stmt);
            free(name);
            free(stmt);
            return -1;
        }
        char *chunk = xasprintf("return %s", eq + 1);
        int expr = add_expr(c, chunk, "cg-define", src, n->line);
        free(chunk);
        free(stmt);
        if (expr < 0) {
            free(name);
            return -1;
        }
        n->defines = xrealloc(n->defines, (n->n_defines + 1) * sizeof *n->defines);
        n->defines[n->n_defines++] = (tdefine){name, expr};
    }
    return 0;
}

static int compile_each(compiler *c, tnode *n, const char *src) {
    const char *in = strstr(src, " in ");
    char *names = in ? trimmed(src, (size_t)(in - src)) : NULL;
    char *comma = names ? strchr(names, ',') : NULL;
    char *key = comma ? trimmed(names, (size_t)(comma - names)) : NULL;
    char *val = comma ? trimmed(comma + 1, strlen(comma + 1)) : (names ? xstrdup(names) : NULL);
    int ok = val && is_identifier(val, strlen(val)) && (!key || is_identifier(key, strlen(key)));
    free(names);
    if (!ok) {
        diag_error(c->d, c->path, n->line, 0,
                   "cg-each takes 'item in expression' or 'key, value in expression', not '%s'",
                   src);
        free(key);
        free(val);
        return -1;
    }
    n->each_key = key;
    n->each_value = val;
    n->each_expr = add_value_expr(c, "cg-each", in + 4, n->line);
    return n->each_expr < 0 ? -1 : 0;
}

/* ---- attributes ---- */

static int is_url_attribute(const char *name) {
    static const char *const names[] = {"href",     "src",        "action",  "formaction", "cite",
                                        "poster",   "data",       "srcset",  "xlink:href", "ping",
                                        "manifest", "background", "longdesc"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(name, names[i]))
            return 1;
    return 0;
}

static char *attribute_name(const xmlAttr *a) {
    if (a->ns && a->ns->prefix)
        return xasprintf("%s:%s", a->ns->prefix, a->name);
    return xstrdup((const char *)a->name);
}

/* Pages must work under a strict Content-Security-Policy. */
static int refuse_inline_code(compiler *c, tnode *n, const char *name) {
    if (!strncasecmp(name, "on", 2) || !strcasecmp(name, "style")) {
        diag_error(c->d, c->path, n->line, 0,
                   "the attribute '%s' is not allowed: pages carry no inline scripts or styles "
                   "(use a class and the theme's CSS or JavaScript files)",
                   name);
        return -1;
    }
    return 0;
}

static void add_attr(tnode *n, tattr a) {
    n->attrs = xrealloc(n->attrs, (n->n_attrs + 1) * sizeof *n->attrs);
    n->attrs[n->n_attrs++] = a;
}

static int compile_directive(compiler *c, tnode *n, const char *name, const char *v) {
    if (!strcmp(name, "cg-define"))
        return compile_defines(c, n, v);
    if (!strcmp(name, "cg-if"))
        return (n->if_expr = add_value_expr(c, name, v, n->line)) < 0 ? -1 : 0;
    if (!strcmp(name, "cg-else")) {
        n->is_else = 1;
        return 0;
    }
    if (!strcmp(name, "cg-each"))
        return compile_each(c, n, v);
    if (!strcmp(name, "cg-text"))
        return (n->text_expr = add_value_expr(c, name, v, n->line)) < 0 ? -1 : 0;
    if (!strcmp(name, "cg-html"))
        return (n->html_expr = add_value_expr(c, name, v, n->line)) < 0 ? -1 : 0;
    if (!strncmp(name, "cg-attr-", 8) && name[8]) {
        if (refuse_inline_code(c, n, name + 8) != 0)
            return -1;
        int expr = add_value_expr(c, name, v, n->line);
        add_attr(n, (tattr){xstrdup(name + 8), expr, NULL, is_url_attribute(name + 8), NULL, 0});
        return expr < 0 ? -1 : 0;
    }
    diag_error(c->d, c->path, n->line, 0,
               "unknown directive '%s' (cg-define, cg-if, cg-else, cg-each, cg-text, cg-html, "
               "cg-attr-NAME)",
               name);
    return -1;
}

static int compile_static_attr(compiler *c, tnode *n, const char *name, const char *v) {
    if (refuse_inline_code(c, n, name) != 0)
        return -1;
    if (is_url_attribute(name) && text_is_unsafe_url(v)) {
        diag_error(c->d, c->path, n->line, 0, "the URL '%s' is refused: no script URLs", v);
        return -1;
    }
    if (!strcmp(name, "id"))
        strmap_put(&c->ids, v, c);
    add_attr(n, (tattr){xstrdup(name), -1, xstrdup(v), is_url_attribute(name), NULL, 0});
    return 0;
}

static int compile_attrs(compiler *c, tnode *n, const xmlNode *x, int special) {
    int rc = 0;
    for (const xmlAttr *a = x->properties; a; a = a->next) {
        char *name = attribute_name(a);
        xmlChar *v = xmlNodeListGetString(x->doc, a->children, 1);
        const char *value = v ? (const char *)v : "";
        if (!strncmp(name, "cg-", 3))
            rc |= compile_directive(c, n, name, value);
        else if (special && (!strcmp(name, "name") || !strcmp(name, "slot")))
            n->name = xstrdup(value);
        else if (special) {
            diag_error(c->d, c->path, n->line, 0, "this cg- element takes no attribute '%s'", name);
            rc = -1;
        } else
            rc |= compile_static_attr(c, n, name, value);
        xmlFree(v);
        free(name);
    }
    return rc;
}

/* ---- nodes ---- */

static int is_void_element(const char *name) {
    static const char *const names[] = {"area",  "base", "br",   "col",    "embed", "hr", "img",
                                        "input", "link", "meta", "source", "track", "wbr"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(name, names[i]))
            return 1;
    return 0;
}

static tnode *tnode_new(tnode_kind kind, int line) {
    tnode *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->line = line;
    n->if_expr = n->each_expr = n->text_expr = n->html_expr = n->static_id = -1;
    return n;
}

static void tnode_free(tnode *n) {
    if (!n)
        return;
    for (size_t i = 0; i < n->n_children; i++)
        tnode_free(n->children[i]);
    for (size_t i = 0; i < n->n_defines; i++)
        free(n->defines[i].name);
    for (size_t i = 0; i < n->n_attrs; i++) {
        free(n->attrs[i].name);
        free(n->attrs[i].text);
        free(n->attrs[i].html);
    }
    free(n->open_tag);
    free(n->close_tag);
    free(n->children);
    free(n->defines);
    free(n->attrs);
    free(n->name);
    free(n->text);
    free(n->each_key);
    free(n->each_value);
    free(n);
}

static tnode *compile_node(compiler *c, const xmlNode *x, int raw_text);

static int special_kind(const char *name, tnode_kind *kind) {
    static const struct {
        const char *name;
        tnode_kind kind;
    } specials[] = {{"cg-layout", TNODE_LAYOUT},
                    {"cg-fill", TNODE_BLOCK},
                    {"cg-slot", TNODE_SLOT},
                    {"cg-include", TNODE_INCLUDE},
                    {"cg-block", TNODE_BLOCK}};
    for (size_t i = 0; i < sizeof specials / sizeof *specials; i++)
        if (!strcmp(name, specials[i].name)) {
            *kind = specials[i].kind;
            return 1;
        }
    return 0;
}

static int check_element(compiler *c, tnode *n) {
    if (n->text_expr >= 0 && n->html_expr >= 0) {
        diag_error(c->d, c->path, n->line, 0, "cg-text and cg-html cannot be used together");
        return -1;
    }
    if (n->is_void && (n->n_children || n->text_expr >= 0 || n->html_expr >= 0)) {
        diag_error(c->d, c->path, n->line, 0, "<%s> is a void element: it cannot have content",
                   n->name);
        return -1;
    }
    if ((n->kind == TNODE_SLOT || n->kind == TNODE_INCLUDE || n->kind == TNODE_LAYOUT) &&
        !n->name) {
        diag_error(c->d, c->path, n->line, 0, "this cg- element needs a name=\"...\" attribute");
        return -1;
    }
    if (n->is_fill && !n->name) {
        diag_error(c->d, c->path, n->line, 0, "cg-fill needs a slot=\"...\" attribute");
        return -1;
    }
    for (size_t i = 0; i < n->n_children; i++) {
        const tnode *child = n->children[i];
        if (child->kind == TNODE_LAYOUT) {
            diag_error(c->d, c->path, child->line, 0,
                       "<cg-layout> must be the outermost element of its template");
            return -1;
        }
        if (n->kind == TNODE_LAYOUT && child->kind == TNODE_TEXT &&
            child->text[strspn(child->text, " \t\r\n")]) {
            diag_error(c->d, c->path, child->line, 0,
                       "inside <cg-layout> only <cg-fill slot=\"...\"> elements may stand, not "
                       "text");
            return -1;
        }
        if (n->kind == TNODE_LAYOUT && child->kind != TNODE_TEXT && !child->is_fill) {
            if (child->kind == TNODE_ELEMENT)
                diag_error(c->d, c->path, child->line, 0,
                           "inside <cg-layout> only <cg-fill slot=\"...\"> elements may stand, "
                           "not <%s>",
                           child->name);
            else
                diag_error(c->d, c->path, child->line, 0,
                           "inside <cg-layout> only <cg-fill slot=\"...\"> elements may stand, "
                           "not a cg- element");
            return -1;
        }
        if (n->kind != TNODE_LAYOUT && child->is_fill) {
            diag_error(c->d, c->path, child->line, 0,
                       "<cg-fill> must stand directly inside <cg-layout>");
            return -1;
        }
    }
    if (n->kind == TNODE_ELEMENT && !strcmp(n->name, "style")) {
        diag_error(c->d, c->path, n->line, 0,
                   "inline <style> is not allowed: put CSS in the theme's static files");
        return -1;
    }
    return 0;
}

static int refuse_inline_script(compiler *c, tnode *n, const xmlNode *x) {
    if (strcmp(n->name, "script") != 0)
        return 0;
    xmlChar *type = xmlGetProp(x, (const xmlChar *)"type");
    int data_block = type && !strcmp((const char *)type, "application/ld+json");
    xmlFree(type);
    if (data_block || !x->children)
        return 0;
    diag_error(c->d, c->path, n->line, 0,
               "inline scripts are not allowed: load a file with <script src=\"...\">");
    return -1;
}

static int compile_children(compiler *c, tnode *n, const xmlNode *x) {
    int rc = 0;
    tnode *last_element = NULL;
    for (const xmlNode *child = x->children; child; child = child->next) {
        tnode *t = compile_node(c, child, n->is_raw_text);
        if (!t) {
            rc |= child->type == XML_ELEMENT_NODE ? -1 : 0;
            continue;
        }
        if (t->is_else && (!last_element || last_element->if_expr < 0)) {
            diag_error(c->d, c->path, t->line, 0,
                       "cg-else must come right after an element with cg-if");
            rc = -1;
        }
        if (t->kind != TNODE_TEXT)
            last_element = t;
        n->children = xrealloc(n->children, (n->n_children + 1) * sizeof *n->children);
        n->children[n->n_children++] = t;
    }
    return rc;
}

/* Moves *p (on line *line) past the first `end` after it; to the end of
 * the text if there is none. */
static void skip_past(const char **p, int *line, const char *end) {
    const char *q = strstr(*p, end);
    const char *stop = q ? q + strlen(end) : *p + strlen(*p);
    for (; *p < stop; (*p)++)
        *line += **p == '\n';
}

/* libxml2 gives the line where a start tag ends; messages should name the
 * line where it starts. Elements are compiled in document order, so one
 * forward scan of the text finds their start tags in turn (c->pos, on line
 * c->pos_line), skipping comments, CDATA sections, processing instructions
 * and declarations: the whole file costs one pass, however many elements
 * and lines it has. When the scan finds no "<name" up to the line libxml2
 * gives, that line is used. */
static int tag_start_line(compiler *c, const xmlNode *x, const char *name) {
    int line = (int)x->line;
    if (!c->text || line < 1)
        return line;
    size_t n = strlen(name);
    const char *p = c->text + c->pos;
    int l = c->pos_line;
    while (*p && l <= line) {
        if (*p != '<') {
            l += *p++ == '\n';
        } else if (!strncmp(p, "<!--", 4)) {
            skip_past(&p, &l, "-->");
        } else if (!strncmp(p, "<![CDATA[", 9)) {
            skip_past(&p, &l, "]]>");
        } else if (p[1] == '?') {
            skip_past(&p, &l, "?>");
        } else if (p[1] == '!') { /* <!DOCTYPE ...> with its [internal subset] */
            size_t head = strcspn(p, "[>");
            skip_past(&p, &l, p[head] == '[' ? "]" : ">");
            if (p[-1] == ']')
                skip_past(&p, &l, ">");
        } else if (!strncmp(p + 1, name, n) && p[1 + n] && strchr(" \t\r\n/>", p[1 + n])) {
            c->pos = (size_t)(p + 1 - c->text);
            c->pos_line = l;
            return l;
        } else {
            p++;
        }
    }
    return line;
}

/* What render_element writes the same way for every page: the tags, and
 * each static attribute that is not a URL (URLs change in offline sites). */
static void prepare_output(tnode *n) {
    buf b = BUF_INIT;
    buf_putc(&b, '<');
    buf_puts(&b, n->name);
    n->open_len = b.len;
    n->open_tag = buf_detach(&b);
    buf_puts(&b, "</");
    buf_puts(&b, n->name);
    buf_putc(&b, '>');
    n->close_len = b.len;
    n->close_tag = buf_detach(&b);
    for (size_t i = 0; i < n->n_attrs; i++) {
        tattr *a = &n->attrs[i];
        if (a->expr >= 0 || a->is_url)
            continue;
        int overridden = 0;
        for (size_t k = 0; k < n->n_attrs; k++)
            overridden |= n->attrs[k].expr >= 0 && !strcmp(n->attrs[k].name, a->name);
        if (!overridden) {
            buf_putc(&b, ' ');
            buf_puts(&b, a->name);
            if (a->text) {
                buf_puts(&b, "=\"");
                buf_html_attr(&b, a->text, strlen(a->text));
                buf_putc(&b, '"');
            }
        }
        a->html_len = b.len;
        a->html = buf_detach(&b);
    }
}

static int expr_may_read_loop(const template_set *set, int expr) {
    return expr >= 0 &&
           (strstr(set->exprs[expr].source, "loop") || strstr(set->exprs[expr].source, "_ENV"));
}

/* Whether rendering n may read `loop`: a name in one of its expressions,
 * or a partial or slot below it, whose expressions are not known here. */
static int may_read_loop(const template_set *set, const tnode *n) {
    if (n->kind == TNODE_INCLUDE || n->kind == TNODE_SLOT || n->kind == TNODE_LAYOUT)
        return 1;
    int exprs[] = {n->if_expr, n->each_expr, n->text_expr, n->html_expr};
    for (size_t i = 0; i < sizeof exprs / sizeof *exprs; i++)
        if (expr_may_read_loop(set, exprs[i]))
            return 1;
    for (size_t i = 0; i < n->n_defines; i++)
        if (expr_may_read_loop(set, n->defines[i].expr))
            return 1;
    for (size_t i = 0; i < n->n_attrs; i++)
        if (expr_may_read_loop(set, n->attrs[i].expr))
            return 1;
    for (size_t i = 0; i < n->n_children; i++)
        if (may_read_loop(set, n->children[i]))
            return 1;
    return 0;
}

static tnode *compile_element(compiler *c, const xmlNode *x) {
    char *name = x->ns && x->ns->prefix ? xasprintf("%s:%s", x->ns->prefix, x->name)
                                        : xstrdup((const char *)x->name);
    tnode_kind kind = TNODE_ELEMENT;
    int special = !strncmp(name, "cg-", 3);
    int line = tag_start_line(c, x, name);
    if (special && !special_kind(name, &kind)) {
        diag_error(c->d, c->path, line, 0,
                   "unknown element <%s> (cg-layout, cg-fill, cg-slot, cg-include, cg-block)",
                   name);
        free(name);
        return NULL;
    }
    tnode *n = tnode_new(kind, line);
    n->is_fill = !strcmp(name, "cg-fill");
    if (!special) {
        n->name = name;
        n->is_void = is_void_element(name);
        n->is_raw_text = !strcmp(name, "script");
    } else {
        free(name);
    }
    for (const xmlNs *ns = x->nsDef; ns && !special; ns = ns->next)
        add_attr(n, (tattr){ns->prefix ? xasprintf("xmlns:%s", ns->prefix) : xstrdup("xmlns"), -1,
                            xstrdup((const char *)ns->href), 0, NULL, 0});
    int rc = compile_attrs(c, n, x, special);
    rc |= compile_children(c, n, x);
    if (!rc)
        rc = check_element(c, n);
    if (!rc && n->kind == TNODE_ELEMENT)
        rc = refuse_inline_script(c, n, x);
    if (rc) {
        tnode_free(n);
        return NULL;
    }
    if (n->kind == TNODE_ELEMENT)
        prepare_output(n);
    /* its own cg-each expression is read outside the repetitions, but
     * counting it costs only a loop table too many */
    n->each_reads_loop = n->each_expr >= 0 && may_read_loop(c->set, n);
    return n;
}

static tnode *compile_node(compiler *c, const xmlNode *x, int raw_text) {
    if (x->type == XML_ELEMENT_NODE)
        return compile_element(c, x);
    if (x->type != XML_TEXT_NODE && x->type != XML_CDATA_SECTION_NODE)
        return NULL; /* comments and processing instructions are dropped */
    const char *content = (const char *)x->content;
    tnode *n = tnode_new(TNODE_TEXT, x->line);
    buf out = BUF_INIT;
    if (raw_text)
        buf_puts(&out, content);
    else
        buf_html_text(&out, content, strlen(content));
    n->text_len = out.len;
    n->text = buf_detach(&out);
    return n;
}

/* ---- files ---- */

static void xml_error(void *ctx, xmlErrorPtr e) {
    compiler *c = ctx;
    if (e->level < XML_ERR_ERROR || c->xml_failed++)
        return; /* later errors mostly follow from the first */
    char *msg = trimmed(e->message ? e->message : "malformed template",
                        strlen(e->message ? e->message : "malformed template"));
    diag_error(c->d, c->path, e->line, e->int2 > 0 ? e->int2 : 0,
               "template is not well-formed XML: %s", msg);
    free(msg);
}

/* Compiles one template from its text; NULL after reporting errors. */
static template *compile_text(compiler *c, const char *raw, size_t len, const char *display,
                              const char *name) {
    size_t text_len;
    char *text = replace_html_entities(raw, len, &text_len);
    if (text_len > INT_MAX) {
        diag_error(c->d, display, 0, 0, "template is too large (%zu bytes)", text_len);
        free(text);
        return NULL;
    }
    c->path = display;
    c->text = text;
    c->pos = 0;
    c->pos_line = 1;
    c->xml_failed = 0;
    size_t errors = c->d->errors;
    xmlSetStructuredErrorFunc(c, xml_error);
    xmlDoc *doc =
        xmlReadMemory(text, (int)text_len, display, "UTF-8", XML_PARSE_NONET | XML_PARSE_NOCDATA);
    xmlSetStructuredErrorFunc(NULL, NULL);
    /* libxml2 reports nothing for an empty file: it must not be skipped in
     * silence (the theme's file it overrides would then be missing too) */
    if (!doc && c->d->errors == errors)
        diag_error(c->d, display, 1, 0, "template is not well-formed XML: Document is empty");
    tnode *root = NULL;
    const xmlNode *top = doc ? xmlDocGetRootElement(doc) : NULL;
    if (top && c->d->errors == errors)
        root = compile_node(c, top, 0);
    else if (doc && !top && c->d->errors == errors)
        diag_error(c->d, display, 1, 0, "template is not well-formed XML: no root element");
    xmlFreeDoc(doc);
    free(text);
    c->text = NULL;
    if (!root)
        return NULL;
    template *t = xcalloc(1, sizeof *t);
    t->name = xstrdup(name);
    t->path = xstrdup(display);
    t->root = root;
    return t;
}

static template *compile_file(compiler *c, const char *path, const char *display,
                              const char *name) {
    size_t len;
    char *raw = fs_read_file(path, &len);
    if (!raw) {
        diag_error(c->d, display, 0, 0, "cannot read: %s", fs_strerror(errno));
        return NULL;
    }
    template *t = compile_text(c, raw, len, display, name);
    free(raw);
    return t;
}

static void add_template(template_set *set, template *t) {
    set->items = xrealloc(set->items, (set->len + 1) * sizeof *set->items);
    set->items[set->len++] = t;
}

static void collect_files(compiler *c, fs_folder_set *seen, const char *dir, const char *shown,
                          const char *prefix, char ***names, size_t *n) {
    int fresh = fs_folder_set_add(seen, dir);
    if (fresh == 0)
        diag_error(c->d, shown, 0, 0, "this folder is reached a second time (a symlink loop?)");
    size_t count;
    char **entries = fresh > 0 ? fs_list_dir(dir, &count) : NULL;
    if (!entries)
        return;
    for (size_t i = 0; i < count; i++) {
        if (entries[i][0] == '.')
            continue;
        char *full = fs_join(dir, entries[i]);
        char *rel = fs_join(prefix, entries[i]);
        size_t len = strlen(entries[i]);
        if (fs_is_dir(full)) {
            char *child_shown = fs_join(shown, entries[i]);
            collect_files(c, seen, full, child_shown, rel, names, n);
            free(child_shown);
            free(rel);
        } else if (len > 5 && !strcmp(entries[i] + len - 5, ".html")) {
            *names = xrealloc(*names, (*n + 1) * sizeof **names);
            (*names)[(*n)++] = rel;
        } else {
            free(rel);
        }
        free(full);
    }
    fs_free_list(entries, count);
}

static void load_dir(compiler *c, const char *dir, const char *display_dir, strmap *seen) {
    char **names = NULL;
    size_t n = 0;
    fs_folder_set folders = FS_FOLDER_SET_INIT;
    collect_files(c, &folders, dir, display_dir, "", &names, &n);
    fs_folder_set_free(&folders);
    template_set *set = c->set;
    for (size_t i = 0; i < n; i++) {
        if (strmap_get(seen, names[i])) {
            free(names[i]);
            continue;
        }
        strmap_put(seen, names[i], set);
        char *path = fs_join(dir, names[i]);
        char *display = fs_join(display_dir, names[i]);
        template *t = compile_file(c, path, display, names[i]);
        if (t)
            add_template(set, t);
        free(display);
        free(path);
        free(names[i]);
    }
    free(names);
}

static void collect_reserved_ids(compiler *c) {
    template_set *set = c->set;
    set->reserved_ids = xcalloc(c->ids.len + 1, sizeof *set->reserved_ids);
    for (size_t i = 0; i < c->ids.cap; i++)
        if (c->ids.slots[i].key)
            set->reserved_ids[set->n_reserved++] = xstrdup(c->ids.slots[i].key);
}

/* The set c compiled, or NULL (and nothing) if it reported errors. */
static template_set *finish_set(compiler *c, size_t errors) {
    lua_close(c->L);
    collect_reserved_ids(c);
    strmap_free(&c->ids);
    if (c->d->errors > errors) {
        template_set_free(c->set);
        return NULL;
    }
    template_find_static_parts(c->set);
    return c->set;
}

/* Every cg-include and cg-layout below n names a template of the set:
 * a misspelt partial is an error at its line, whichever pages use it. */
static void check_names(compiler *c, const template *t, const tnode *n) {
    if ((n->kind == TNODE_INCLUDE || n->kind == TNODE_LAYOUT) && n->name &&
        !template_set_get(c->set, n->name))
        diag_error(c->d, t->path, n->line, 0, "no template named '%s' to %s", n->name,
                   n->kind == TNODE_INCLUDE ? "include" : "use as the layout");
    for (size_t i = 0; i < n->n_children; i++)
        check_names(c, t, n->children[i]);
}

template_set *template_set_load(const char *const *dirs, const char *const *display_dirs,
                                size_t n_dirs, diag_list *d) {
    compiler c = {.set = xcalloc(1, sizeof(template_set)), .d = d, .L = luaL_newstate()};
    strmap seen = STRMAP_INIT;
    size_t errors = d->errors;
    for (size_t i = 0; i < n_dirs; i++)
        if (fs_is_dir(dirs[i]))
            load_dir(&c, dirs[i], display_dirs[i], &seen);
    strmap_free(&seen);
    /* after a template failed to compile, its name would be reported
     * missing too: check the names only in a set without errors */
    int compiled = d->errors == errors;
    for (size_t i = 0; i < c.set->len && compiled; i++)
        check_names(&c, c.set->items[i], c.set->items[i]->root);
    return finish_set(&c, errors);
}

template_set *template_set_compile(const char *name, const char *text, size_t len, diag_list *d) {
    compiler c = {.set = xcalloc(1, sizeof(template_set)), .d = d, .L = luaL_newstate()};
    size_t errors = d->errors;
    template *t = compile_text(&c, text, len, name, name);
    if (t)
        add_template(c.set, t);
    return finish_set(&c, errors);
}

const template *template_set_get(const template_set *set, const char *name) {
    for (size_t i = 0; i < set->len; i++)
        if (!strcmp(set->items[i]->name, name))
            return set->items[i];
    return NULL;
}

void template_set_free(template_set *set) {
    if (!set)
        return;
    for (size_t i = 0; i < set->len; i++) {
        tnode_free(set->items[i]->root);
        free(set->items[i]->name);
        free(set->items[i]->path);
        free(set->items[i]);
    }
    for (size_t i = 0; i < set->n_exprs; i++) {
        free(set->exprs[i].source);
        free(set->exprs[i].file);
        for (size_t k = 0; k < set->exprs[i].path_len; k++)
            free(set->exprs[i].path[k]);
        free(set->exprs[i].path);
        free(set->exprs[i].call_arg);
    }
    for (size_t i = 0; i < set->n_reserved; i++)
        free(set->reserved_ids[i]);
    free(set->reserved_ids);
    free(set->exprs);
    free(set->items);
    free(set);
}
