/* yaml_value: building value trees from libyaml's event stream. */
#include "yaml_value.h"

#include "buf.h"
#include "fsutil.h"
#include "strmap.h"
#include "text.h"
#include "yaml_fast.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

enum {
    YAML_MAX_DEPTH = 200,          /* deeper nesting is certainly not content */
    YAML_MAX_NODES = 1000000,      /* a node costs memory: caps the whole tree */
    YAML_MAX_ALIAS_NODES = 100000, /* caps what aliases copy ("billion laughs") */
    YAML_MAX_ANCHORS = 10000
};

typedef struct anchor {
    char *name;
    value *val;   /* owned copy: the node itself may be freed (an anchored key) */
    size_t nodes; /* in val */
    int depth;    /* of val: 1 for a scalar */
} anchor;

typedef struct loader {
    yaml_parser_t parser;
    const char *text;
    size_t len;
    const char *file;
    int line_offset;
    diag_list *d;
    anchor *anchors;
    size_t n_anchors;
    strmap anchor_index; /* name -> 1 + index of its latest definition in anchors */
    size_t nodes;
    size_t alias_nodes;  /* copied by aliases so far */
    size_t anchor_nodes; /* copied to remember anchors so far */
    int failed;
} loader;

static void __attribute__((format(printf, 3, 4)))
loader_error(loader *ld, const yaml_mark_t *mark, const char *fmt, ...) {
    if (ld->failed)
        return;
    ld->failed = 1;
    buf msg = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    diag_error(ld->d, ld->file, (int)mark->line + 1 + ld->line_offset, (int)mark->column + 1, "%s",
               buf_cstr(&msg));
    buf_free(&msg);
}

static value *scalar_value(const yaml_event_t *ev) {
    value *v = value_new_string((const char *)ev->data.scalar.value, ev->data.scalar.length,
                                (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1);
    if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag)
        yaml_resolve_plain(v);
    return v;
}

/* Nodes and depth of a tree. Trees are at most YAML_MAX_DEPTH deep, as
 * parse_node and alias_value see to, so recursion is bounded. */
static size_t count_nodes(const value *v, int *depth) {
    size_t n = 1;
    int deepest = 0;
    for (size_t i = 0; i < v->len; i++) {
        int d = 0;
        n += count_nodes(v->type == VALUE_LIST ? v->items[i] : v->pairs[i].val, &d);
        deepest = d > deepest ? d : deepest;
    }
    *depth = deepest + 1;
    return n;
}

/* An alias copies its anchor's tree: each copy counts against the alias
 * budget, and the copy may not nest deeper than a tree written out may. */
static value *alias_value(loader *ld, const yaml_event_t *ev, int depth) {
    const char *name = (const char *)ev->data.alias.anchor;
    uintptr_t found = (uintptr_t)strmap_get(&ld->anchor_index, name);
    if (found) {
        const anchor *a = &ld->anchors[found - 1];
        if (ld->alias_nodes + a->nodes > YAML_MAX_ALIAS_NODES) {
            loader_error(ld, &ev->start_mark,
                         "YAML: alias '*%s' expands to too much data (more than %d values "
                         "copied by aliases; nested aliases?)",
                         name, YAML_MAX_ALIAS_NODES);
            return NULL;
        }
        if (depth + a->depth > YAML_MAX_DEPTH + 1) {
            loader_error(ld, &ev->start_mark,
                         "YAML: alias '*%s' nests the data more than %d levels deep", name,
                         YAML_MAX_DEPTH);
            return NULL;
        }
        ld->alias_nodes += a->nodes;
        return value_copy(a->val);
    }
    loader_error(ld, &ev->start_mark, "YAML: unknown alias '*%s'", name);
    return NULL;
}

static void remember_anchor(loader *ld, const yaml_char_t *name, const yaml_mark_t *mark,
                            value *v) {
    if (!name || !v)
        return;
    if (ld->n_anchors >= YAML_MAX_ANCHORS) {
        loader_error(ld, mark, "YAML: too many anchors");
        return;
    }
    int depth;
    size_t nodes = count_nodes(v, &depth);
    /* anchors nested in anchored trees are copied once each */
    if (ld->anchor_nodes + nodes > YAML_MAX_NODES) {
        loader_error(ld, mark, "YAML: the anchors hold too much data");
        return;
    }
    ld->anchor_nodes += nodes;
    ld->anchors = xrealloc(ld->anchors, (ld->n_anchors + 1) * sizeof *ld->anchors);
    anchor *a = &ld->anchors[ld->n_anchors++];
    a->name = xstrdup((const char *)name);
    a->val = value_copy(v);
    a->nodes = nodes;
    a->depth = depth;
    /* an anchor defined again stands for its latest value */
    strmap_put(&ld->anchor_index, (const char *)name, (void *)(uintptr_t)ld->n_anchors);
}

/* libyaml's messages, said the way a writer understands them. */
static void report_syntax_error(loader *ld) {
    const yaml_parser_t *p = &ld->parser;
    const char *problem = p->problem ? p->problem : "malformed YAML";
    yaml_mark_t mark = p->problem_mark;
    const char *at = mark.index < ld->len ? ld->text + mark.index : "";
    const char *line_start = at;
    while (line_start > ld->text && line_start[-1] != '\n')
        line_start--;
    if (p->context && strstr(p->context, "quoted scalar")) {
        loader_error(ld, &p->context_mark,
                     "YAML: the quoted text that starts here is never closed (add the closing %c)",
                     ld->text[p->context_mark.index] == '\'' ? '\'' : '"');
    } else if (p->context && strstr(p->context, "flow sequence")) {
        loader_error(ld, &p->context_mark,
                     "YAML: the list that opens here with '[' is not closed: add the closing ']' "
                     "(or a missing ',')");
    } else if (p->context && strstr(p->context, "flow mapping")) {
        loader_error(ld, &p->context_mark,
                     "YAML: the map that opens here with '{' is not closed: add the closing '}' "
                     "(or a missing ',')");
    } else if (*line_start == '\t' || *at == '\t') {
        mark.column = 0;
        loader_error(ld, &mark, "YAML: this line is indented with a tab; indent with spaces");
    } else if (strstr(problem, "mapping values are not allowed")) {
        loader_error(ld, &mark, "YAML: %s; put text that contains ': ' in quotes", problem);
    } else {
        loader_error(ld, &mark, "YAML: %s%s%s%s", problem, p->context ? " (" : "",
                     p->context ? p->context : "", p->context ? ")" : "");
    }
}

static int next_event(loader *ld, yaml_event_t *ev) {
    if (yaml_parser_parse(&ld->parser, ev))
        return 1;
    report_syntax_error(ld);
    return 0;
}

static value *parse_node(loader *ld, yaml_event_t *ev, int depth);

/* Reads children until the matching end event; ev is the start event. */
static value *parse_collection(loader *ld, yaml_event_t *start, int depth) {
    int is_map = start->type == YAML_MAPPING_START_EVENT;
    value *v = value_new(is_map ? VALUE_MAP : VALUE_LIST, (int)start->start_mark.line + 1,
                         (int)start->start_mark.column + 1);
    yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
    strmap keys = STRMAP_INIT; /* a map's keys so far: finding duplicates stays linear */
    for (;;) {
        yaml_event_t ev;
        if (!next_event(ld, &ev))
            break;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            strmap_free(&keys);
            return v;
        }
        value *child = parse_node(ld, &ev, depth + 1);
        if (!child) {
            yaml_event_delete(&ev);
            break;
        }
        if (!is_map) {
            value_list_push(v, child);
            yaml_event_delete(&ev);
            continue;
        }
        if (child->type == VALUE_LIST || child->type == VALUE_MAP) {
            loader_error(ld, &ev.start_mark, "YAML: a key must be plain text");
            value_free(child);
            yaml_event_delete(&ev);
            break;
        }
        yaml_event_delete(&ev);
        char *key = xstrdup(child->text ? child->text : "");
        int key_line = child->line, key_col = child->col;
        value_free(child);
        yaml_event_t vev;
        value *val = NULL;
        if (next_event(ld, &vev)) {
            val = parse_node(ld, &vev, depth + 1);
            yaml_event_delete(&vev);
        }
        if (val && strmap_get(&keys, key)) {
            yaml_mark_t mark = {0, (size_t)key_line - 1, (size_t)key_col - 1};
            loader_error(ld, &mark, "YAML: duplicate key '%s'", key);
            value_free(val);
            val = NULL;
        } else if (val) {
            value_map_add(v, key, val);
            strmap_put(&keys, key, val);
            v->pairs[v->len - 1].line = key_line;
            v->pairs[v->len - 1].col = key_col;
        }
        free(key);
        if (!val)
            break;
    }
    strmap_free(&keys);
    value_free(v);
    return NULL;
}

static value *parse_node(loader *ld, yaml_event_t *ev, int depth) {
    if (depth > YAML_MAX_DEPTH) {
        loader_error(ld, &ev->start_mark, "YAML: nested more than %d levels deep", YAML_MAX_DEPTH);
        return NULL;
    }
    if (++ld->nodes > YAML_MAX_NODES) {
        loader_error(ld, &ev->start_mark, "YAML: too much data");
        return NULL;
    }
    value *v = NULL;
    const yaml_char_t *anchor_name = NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        v = scalar_value(ev);
        anchor_name = ev->data.scalar.anchor;
        break;
    case YAML_ALIAS_EVENT: return alias_value(ld, ev, depth);
    case YAML_SEQUENCE_START_EVENT:
        anchor_name = ev->data.sequence_start.anchor;
        v = parse_collection(ld, ev, depth);
        break;
    case YAML_MAPPING_START_EVENT:
        anchor_name = ev->data.mapping_start.anchor;
        v = parse_collection(ld, ev, depth);
        break;
    default: loader_error(ld, &ev->start_mark, "YAML: unexpected structure"); return NULL;
    }
    if (v)
        remember_anchor(ld, anchor_name, &ev->start_mark, v);
    return v;
}

static value *parse_document(loader *ld) {
    value *root = NULL;
    yaml_event_t ev;
    while (!root && next_event(ld, &ev)) {
        yaml_event_type_t type = ev.type;
        if (type == YAML_STREAM_END_EVENT || type == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            return value_new(VALUE_NULL, 1 + ld->line_offset, 1);
        }
        if (type == YAML_STREAM_START_EVENT || type == YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        root = parse_node(ld, &ev, 0);
        yaml_event_delete(&ev);
        if (!root)
            return NULL;
    }
    return root;
}

static void shift_lines(value *v, int offset) {
    v->line += offset;
    for (size_t i = 0; i < v->len; i++) {
        if (v->type == VALUE_MAP)
            v->pairs[i].line += offset;
        shift_lines(v->type == VALUE_LIST ? v->items[i] : v->pairs[i].val, offset);
    }
}

value *yaml_value_parse(const char *text, size_t len, const char *file, int line_offset,
                        diag_list *d) {
    /* libyaml refuses these too, but names neither the byte nor its line */
    if (text_check_encoding(text, len, file, line_offset, d) != 0)
        return NULL;
    value *root = yaml_fast_parse(text, len, line_offset);
    return root ? root : yaml_value_parse_libyaml(text, len, file, line_offset, d);
}

value *yaml_value_parse_libyaml(const char *text, size_t len, const char *file, int line_offset,
                                diag_list *d) {
    loader ld = {.file = file, .line_offset = line_offset, .d = d, .text = text, .len = len};
    yaml_parser_initialize(&ld.parser);
    yaml_parser_set_input_string(&ld.parser, (const unsigned char *)text, len);
    value *root = parse_document(&ld);
    yaml_parser_delete(&ld.parser);
    for (size_t i = 0; i < ld.n_anchors; i++) {
        free(ld.anchors[i].name);
        value_free(ld.anchors[i].val);
    }
    free(ld.anchors);
    strmap_free(&ld.anchor_index);
    if (ld.failed) {
        value_free(root);
        return NULL;
    }
    if (root)
        shift_lines(root, line_offset);
    return root;
}

value *yaml_value_load_file(const char *path, const char *display_path, diag_list *d) {
    size_t len;
    char *text = fs_read_file(path, &len);
    if (!text) {
        diag_error(d, display_path, 0, 0, "cannot read: %s", fs_strerror(errno));
        return NULL;
    }
    value *v = yaml_value_parse(text, len, display_path, 0, d);
    free(text);
    return v;
}
