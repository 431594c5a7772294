/* jsonld: schema.org structured data for a page (see jsonld.h). Text is
 * joined with buf_puts: answers are long, and printf would read them twice. */
#include "jsonld.h"

#include <stdlib.h>
#include <string.h>

/* A JSON object being written: commas go between its members. */
typedef struct object {
    buf *out;
    int members;
} object;

static object object_open(buf *out, const char *type) {
    buf_putc(out, '{');
    object o = {out, 0};
    if (type) {
        buf_puts(out, "\"@type\":");
        buf_json_string(out, type, strlen(type));
        o.members = 1;
    }
    return o;
}

static void object_close(object *o) {
    buf_putc(o->out, '}');
}

static void member(object *o, const char *key) {
    if (o->members++)
        buf_putc(o->out, ',');
    buf_json_string(o->out, key, strlen(key));
    buf_putc(o->out, ':');
}

/* key: text, left out when text is NULL or empty. */
static void member_text(object *o, const char *key, const char *text) {
    if (!text || !*text)
        return;
    member(o, key);
    buf_json_string(o->out, text, strlen(text));
}

static void member_date(object *o, const char *key, const page_date *d) {
    if (!d->year)
        return;
    char text[16];
    page_format_date(d, text, sizeof text);
    member_text(o, key, text);
}

/* The text of front matter scalar v, or NULL. */
static const char *scalar(const value *v) {
    return v && v->type != VALUE_LIST && v->type != VALUE_MAP ? value_string(v) : NULL;
}

static const char *field(const value *map, const char *key) {
    return map && map->type == VALUE_MAP ? scalar(value_map_get(map, key)) : NULL;
}

/* ---- the procedure: a MedicalTherapy ---- */

/* One contraindication: written out, or a ref into the conditions data. */
static void contraindication(buf *out, const value *entry, const value *conditions, int *n) {
    const value *c = entry;
    const char *ref = field(entry, "ref");
    if (ref)
        c = conditions && conditions->type == VALUE_MAP ? value_map_get(conditions, ref) : NULL;
    const char *name = field(c, "condition");
    if (!name)
        return; /* an unknown ref: the contraindications filter reports it */
    if ((*n)++)
        buf_putc(out, ',');
    object o = object_open(out, "MedicalContraindication");
    member_text(&o, "name", name);
    const char *severity = field(c, "severity");
    const char *note = field(c, "note");
    buf text = BUF_INIT;
    if (severity && !strcmp(severity, "absolute"))
        buf_puts(&text, "Do not have this procedure while this applies.");
    else if (severity && !strcmp(severity, "relative"))
        buf_puts(&text, "Your provider must check first.");
    if (note) {
        buf_puts(&text, text.len ? " " : "");
        buf_puts(&text, note);
    }
    member_text(&o, "description", buf_cstr(&text));
    buf_free(&text);
    object_close(&o);
}

static void contraindications(object *therapy, const page *p, const site_model *m) {
    const value *list = value_map_get(p->front, "contraindications");
    if (!list || list->type != VALUE_LIST || !list->len)
        return;
    const value *conditions = m->data ? value_map_get(m->data, "conditions") : NULL;
    member(therapy, "contraindication");
    buf_putc(therapy->out, '[');
    int n = 0;
    for (size_t i = 0; i < list->len; i++)
        contraindication(therapy->out, list->items[i], conditions, &n);
    buf_putc(therapy->out, ']');
}

/* A timeline (preparation, aftercare) as one text: "When: do. Avoid: x." */
static void timeline_text(object *o, const char *key, const value *list) {
    if (!list || list->type != VALUE_LIST || !list->len)
        return;
    buf text = BUF_INIT;
    for (size_t i = 0; i < list->len; i++) {
        const char *when = field(list->items[i], "when");
        const char *todo = field(list->items[i], "do");
        const char *avoid = field(list->items[i], "avoid");
        if (text.len)
            buf_putc(&text, '\n');
        if (when) {
            buf_puts(&text, when);
            buf_puts(&text, ": ");
        }
        if (todo)
            buf_puts(&text, todo);
        if (avoid) {
            buf_puts(&text, todo ? " Avoid: " : "Avoid: ");
            buf_puts(&text, avoid);
        }
    }
    member_text(o, key, buf_cstr(&text));
    buf_free(&text);
}

static void medical_therapy(buf *out, const site_model *m, const page *p) {
    object t = object_open(out, "MedicalTherapy");
    member_text(&t, "name", p->title);
    member_text(&t, "description", p->summary);
    member_text(&t, "howPerformed", field(p->front, "how_performed"));
    timeline_text(&t, "preparation", value_map_get(p->front, "preparation"));
    timeline_text(&t, "followup", value_map_get(p->front, "aftercare"));
    contraindications(&t, p, m);
    object_close(&t);
}

/* ---- the FAQ: an FAQPage ---- */

/* The plain text of the blocks after heading h, up to the next h1 or h2. */
static char *answer_text(const ast_node *h) {
    buf text = BUF_INIT;
    for (const ast_node *n = h->next; n; n = n->next) {
        if (n->type == AST_HEADING && n->level <= 2)
            break;
        if (n->type == AST_FOOTNOTE_DEFINITION)
            continue;
        char *part = ast_plain_text(n);
        if (*part) {
            buf_puts(&text, text.len ? " " : "");
            buf_puts(&text, part);
        }
        free(part);
    }
    return buf_detach(&text);
}

static void faq_page(buf *out, const ast_node *root) {
    object faq = object_open(out, "FAQPage");
    member(&faq, "mainEntity");
    buf_putc(out, '[');
    int n = 0;
    for (const ast_node *h = root ? root->first : NULL; h; h = h->next) {
        if (h->type != AST_HEADING || h->level != 2)
            continue;
        char *question = ast_plain_text(h), *answer = answer_text(h);
        if (n++)
            buf_putc(out, ',');
        object q = object_open(out, "Question");
        member_text(&q, "name", question);
        member(&q, "acceptedAnswer");
        object a = object_open(out, "Answer");
        member_text(&a, "text", answer);
        object_close(&a);
        object_close(&q);
        free(question);
        free(answer);
    }
    buf_putc(out, ']');
    object_close(&faq);
}

/* ---- the page ---- */

static void web_page(buf *out, const site_model *m, const page *p) {
    const site_config *cfg = m->cfg;
    char *url = xasprintf("%s%s", cfg->base_url, p->url_path);
    object w = object_open(out, "MedicalWebPage");
    member_text(&w, "@id", url);
    member_text(&w, "url", url);
    member_text(&w, "name", p->title);
    member_text(&w, "description", p->summary ? p->summary : cfg->description);
    member_text(&w, "inLanguage", cfg->language);
    member_date(&w, "datePublished", &p->date);
    member_date(&w, "dateModified", p->updated.year ? &p->updated : &p->date);
    member_date(&w, "lastReviewed", &p->reviewed);
    if (p->reviewer) {
        member(&w, "reviewedBy");
        object r = object_open(out, "Person");
        member_text(&r, "jobTitle", p->reviewer);
        object_close(&r);
    }
    member_text(&w, "audience", "https://schema.org/Patient");
    member(&w, "isPartOf");
    object site = object_open(out, "WebSite");
    member_text(&site, "name", cfg->title);
    member_text(&site, "url", cfg->base_url);
    object_close(&site);
    object_close(&w);
    free(url);
}

void jsonld_page(const site_model *m, const page *p, const ast_node *root, buf *out) {
    object doc = object_open(out, NULL);
    member_text(&doc, "@context", "https://schema.org");
    member(&doc, "@graph");
    buf_putc(out, '[');
    web_page(out, m, p);
    if (p->kind == KIND_PROCEDURE || p->kind == KIND_FAQ)
        buf_putc(out, ',');
    if (p->kind == KIND_PROCEDURE)
        medical_therapy(out, m, p);
    else if (p->kind == KIND_FAQ)
        faq_page(out, root);
    buf_putc(out, ']');
    object_close(&doc);
}
