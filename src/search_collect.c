/* search_collect: a page's search records and their terms (see search_collect.h). */
#include "search_collect.h"

#include "buf.h"
#include "diag.h"
#include "stem.h"
#include "tokenize.h"
#include "wordmap.h"

#include <stdlib.h>
#include <string.h>

enum {
    WEIGHT_TITLE = 8,
    WEIGHT_SUMMARY = 5,
    WEIGHT_QUESTION = 5,
    WEIGHT_HEADING = 3,
    WEIGHT_PAGE_TITLE = 2,
    WEIGHT_CELL = 2,
    WEIGHT_BODY = 1,
    PHRASE_MAX = 4,
    NAME_WORDS = 4 /* a typical title or heading */
};

/* ---- synonyms ---- */

typedef struct syn_phrase {
    int group;
    size_t n;
    char *stems[PHRASE_MAX];
    struct syn_phrase *next_same_last; /* another phrase ending in the same stem */
} syn_phrase;

struct search_synonyms {
    syn_phrase **phrases; /* each owned */
    size_t len;
    int n_groups;
    strmap by_last; /* last stem -> first phrase ending in it */
};

typedef struct phrase_builder {
    stemmer *stem;
    syn_phrase *p;
} phrase_builder;

static void add_phrase_word(void *ctx, const char *word, size_t len, const char *before,
                            size_t before_len) {
    (void)before;
    (void)before_len;
    phrase_builder *b = ctx;
    size_t n;
    const char *s = stemmer_stem(b->stem, word, len, &n);
    if (b->p->n < PHRASE_MAX)
        b->p->stems[b->p->n++] = xstrndup(s, n);
}

static void add_phrase(search_synonyms *syn, stemmer *st, buf *scratch, int group,
                       const char *text) {
    syn_phrase *p = xcalloc(1, sizeof *p);
    p->group = group;
    phrase_builder b = {st, p};
    tokenize(text, strlen(text), scratch, add_phrase_word, &b);
    if (!p->n) {
        free(p);
        return;
    }
    p->next_same_last = strmap_get(&syn->by_last, p->stems[p->n - 1]);
    strmap_put(&syn->by_last, p->stems[p->n - 1], p);
    syn->phrases = xrealloc(syn->phrases, (syn->len + 1) * sizeof *syn->phrases);
    syn->phrases[syn->len++] = p;
}

search_synonyms *search_synonyms_new(const value *groups, const char *file, diag_list *d) {
    search_synonyms *syn = xcalloc(1, sizeof *syn);
    if (!groups || groups->type == VALUE_NULL)
        return syn;
    if (groups->type != VALUE_LIST) {
        diag_error(d, file, groups->line, groups->col,
                   "synonyms must be a list of groups, each a list of words that mean the same");
        return syn;
    }
    stemmer *st = stemmer_new();
    buf scratch = BUF_INIT;
    for (size_t g = 0; st && g < groups->len; g++) {
        const value *group = groups->items[g];
        if (group->type != VALUE_LIST || group->len < 2) {
            diag_error(d, file, group->line, group->col,
                       "a synonym group must be a list of two or more words or phrases: "
                       "[blood thinners, anticoagulants]");
            continue;
        }
        for (size_t k = 0; k < group->len; k++) {
            const char *text = value_string(group->items[k]);
            if (!text || group->items[k]->type == VALUE_NULL)
                diag_error(d, file, group->items[k]->line, group->items[k]->col,
                           "a synonym must be a word or phrase");
            else
                add_phrase(syn, st, &scratch, syn->n_groups, text);
        }
        syn->n_groups++;
    }
    buf_free(&scratch);
    stemmer_free(st);
    return syn;
}

void search_synonyms_free(search_synonyms *syn) {
    if (!syn)
        return;
    for (size_t i = 0; i < syn->len; i++) {
        for (size_t k = 0; k < syn->phrases[i]->n; k++)
            free(syn->phrases[i]->stems[k]);
        free(syn->phrases[i]);
    }
    free(syn->phrases);
    strmap_free(&syn->by_last);
    free(syn);
}

void search_synonyms_json(const search_synonyms *syn, buf *out) {
    buf_putc(out, '[');
    for (int g = 0; syn && g < syn->n_groups; g++) {
        buf_puts(out, g ? ",[" : "[");
        int first = 1;
        for (size_t i = 0; i < syn->len; i++) {
            const syn_phrase *p = syn->phrases[i];
            if (p->group != g)
                continue;
            buf_puts(out, first ? "[" : ",[");
            first = 0;
            for (size_t k = 0; k < p->n; k++) {
                if (k)
                    buf_putc(out, ',');
                buf_json_string(out, p->stems[k], strlen(p->stems[k]));
            }
            buf_putc(out, ']');
        }
        buf_putc(out, ']');
    }
    buf_putc(out, ']');
}

/* ---- the collector ---- */

struct search_collector {
    int id;
    stemmer *stem;
    const search_synonyms *syn;
    strmap dict;             /* term -> id + 1 */
    wordmap stems;           /* folded word -> id of its stem: each word stemmed once */
    char **terms;            /* id -> term (owned) */
    uint32_t *stamp, *slot;  /* id -> record that last used it, and where */
    const syn_phrase **ends; /* id -> the synonym phrases ending in the term */
    size_t n_terms, cap_terms;
    uint32_t record_stamp;
    /* the page being collected */
    search_posting *postings;
    size_t n_postings, cap_postings;
    search_record *records;
    size_t n_records, cap_records;
    float weight; /* of the field being read */
    buf scratch, joined, excerpt;
    int excerpt_full;            /* cut, with its ellipsis: nothing more goes in */
    uint32_t recent[PHRASE_MAX]; /* the last stems, newest last */
    size_t n_recent;
};

search_collector *search_collector_new(const search_synonyms *syn, int id) {
    search_collector *c = xcalloc(1, sizeof *c);
    c->id = id;
    c->syn = syn;
    c->stem = stemmer_new();
    return c;
}

void search_collector_free(search_collector *c) {
    if (!c)
        return;
    stemmer_free(c->stem);
    strmap_free(&c->dict);
    wordmap_free(&c->stems);
    for (size_t i = 0; i < c->n_terms; i++)
        free(c->terms[i]);
    free(c->terms);
    free(c->stamp);
    free(c->slot);
    free(c->ends);
    free(c->postings);
    free(c->records);
    buf_free(&c->scratch);
    buf_free(&c->joined);
    buf_free(&c->excerpt);
    free(c);
}

const char *search_collector_term(const search_collector *c, uint32_t id) {
    return c->terms[id];
}

size_t search_collector_terms(const search_collector *c) {
    return c->n_terms;
}

static uint32_t term_id(search_collector *c, const char *term, size_t len) {
    char key[256];
    if (len >= sizeof key)
        len = sizeof key - 1; /* a 255-byte word is no word a patient types */
    memcpy(key, term, len);
    key[len] = '\0';
    uintptr_t found = (uintptr_t)strmap_get(&c->dict, key);
    if (found)
        return (uint32_t)(found - 1);
    if (c->n_terms == c->cap_terms) {
        c->cap_terms = c->cap_terms ? c->cap_terms * 2 : 1024;
        c->terms = xrealloc(c->terms, c->cap_terms * sizeof *c->terms);
        c->stamp = xrealloc(c->stamp, c->cap_terms * sizeof *c->stamp);
        c->slot = xrealloc(c->slot, c->cap_terms * sizeof *c->slot);
        c->ends = xrealloc(c->ends, c->cap_terms * sizeof *c->ends);
    }
    uint32_t id = (uint32_t)c->n_terms++;
    strmap_put(&c->dict, key, (void *)(uintptr_t)(id + 1));
    c->terms[id] = xstrdup(key);
    c->stamp[id] = 0;
    c->ends[id] = c->syn ? strmap_get(&c->syn->by_last, key) : NULL;
    return id;
}

uint32_t search_collector_intern(search_collector *c, const char *term, size_t len) {
    return term_id(c, term, len);
}

static void add_term(search_collector *c, uint32_t id) {
    if (c->stamp[id] == c->record_stamp) {
        c->postings[c->slot[id]].weight += c->weight;
        return;
    }
    if (c->n_postings == c->cap_postings) {
        c->cap_postings = c->cap_postings ? c->cap_postings * 2 : 256;
        c->postings = xrealloc(c->postings, c->cap_postings * sizeof *c->postings);
    }
    c->stamp[id] = c->record_stamp;
    c->slot[id] = (uint32_t)c->n_postings;
    c->postings[c->n_postings++] = (search_posting){id, c->weight};
}

/* Terms of a synonym group whose phrase ends at the newest stem. */
static void add_synonyms(search_collector *c, uint32_t stem) {
    for (const syn_phrase *p = c->ends[stem]; p; p = p->next_same_last) {
        if (p->n > c->n_recent)
            continue;
        size_t k = 0;
        while (k + 1 < p->n && !strcmp(c->terms[c->recent[c->n_recent - p->n + k]], p->stems[k]))
            k++;
        if (k + 1 < p->n)
            continue;
        char term[16];
        snprintf(term, sizeof term, "~%d", p->group);
        add_term(c, term_id(c, term, strlen(term)));
    }
}

/* word is the tokenizer's, NUL-terminated at len. */
static void add_word(search_collector *c, const char *word, size_t len) {
    uint32_t id;
    if (!wordmap_get(&c->stems, word, len, &id)) {
        size_t n;
        const char *s = stemmer_stem(c->stem, word, len, &n);
        id = term_id(c, s, n);
        wordmap_add(&c->stems, word, len, id);
    }
    add_term(c, id);
    if (c->n_recent == PHRASE_MAX) { /* by hand: a memmove call for three words costs more */
        for (size_t k = 0; k + 1 < PHRASE_MAX; k++)
            c->recent[k] = c->recent[k + 1];
    } else {
        c->n_recent++;
    }
    c->recent[c->n_recent - 1] = id;
    add_synonyms(c, id);
}

static void on_word(void *ctx, const char *word, size_t len, const char *before,
                    size_t before_len) {
    search_collector *c = ctx;
    add_word(c, word, len);
    if (before) { /* "micro-needling" is also "microneedling" */
        buf_clear(&c->joined);
        buf_append(&c->joined, before, before_len);
        buf_append(&c->joined, word, len);
        size_t n;
        const char *s = stemmer_stem(c->stem, c->joined.data, c->joined.len, &n);
        add_term(c, term_id(c, s, n));
    }
    c->records[c->n_records - 1].length += c->weight;
}

/* Reads text at the current field's weight. */
static void read_text(search_collector *c, const char *text, float weight) {
    if (!text || !*text)
        return;
    c->weight = weight;
    c->n_recent = 0;
    tokenize(text, strlen(text), &c->scratch, on_word, c);
}

static void count_word(void *ctx, const char *word, size_t len, const char *before,
                       size_t before_len) {
    (void)word, (void)len, (void)before, (void)before_len;
    (*(size_t *)ctx)++;
}

/* Reads a record's name (a page's title, a section's heading). As in BM25F,
 * a name counts for more the shorter it is, against a typical name of
 * NAME_WORDS words: the page titled "Microneedling" outranks
 * "Microneedling: questions and answers" for "microneedling". */
static void read_name(search_collector *c, const char *name, float weight) {
    size_t words = 0;
    if (name)
        tokenize(name, strlen(name), &c->scratch, count_word, &words);
    float norm = 0.25f + 0.75f * (float)words / NAME_WORDS;
    read_text(c, name, weight / norm);
}

/* Keeps the start of a record's body text as its excerpt, cut at a word. */
static void add_excerpt(search_collector *c, const char *text) {
    if (!text || c->excerpt_full)
        return;
    if (c->excerpt.len && c->excerpt.data[c->excerpt.len - 1] != ' ')
        buf_putc(&c->excerpt, ' ');
    size_t room = SEARCH_EXCERPT_MAX - c->excerpt.len, n = strlen(text);
    if (n <= room) {
        buf_append(&c->excerpt, text, n);
        return;
    }
    while (room > 0 && text[room] != ' ')
        room--; /* never cuts a word (nor a UTF-8 sequence, which holds no space) */
    buf_append(&c->excerpt, text, room);
    buf_puts(&c->excerpt, " \xE2\x80\xA6");
    c->excerpt_full = 1;
}

static void finish_record(search_collector *c) {
    if (!c->n_records)
        return;
    search_record *r = &c->records[c->n_records - 1];
    r->count = c->n_postings - r->first;
    r->excerpt = xstrndup(c->excerpt.data ? c->excerpt.data : "", c->excerpt.len);
}

static search_record *start_record(search_collector *c, char *url, char *heading) {
    finish_record(c);
    if (c->n_records == c->cap_records) {
        c->cap_records = c->cap_records ? c->cap_records * 2 : 16;
        c->records = xrealloc(c->records, c->cap_records * sizeof *c->records);
    }
    search_record *r = &c->records[c->n_records++];
    *r = (search_record){url, heading, NULL, c->n_postings, 0, 0};
    c->record_stamp++;
    buf_clear(&c->excerpt);
    c->excerpt_full = 0;
    return r;
}

/* A heading that starts a record: h2 and h3 with an id. */
static int starts_record(const ast_node *n) {
    return n->type == AST_HEADING && (n->level == 2 || n->level == 3) && n->id && *n->id;
}

static void start_section(search_collector *c, const char *url, const char *page_title,
                          const ast_node *heading, int faq) {
    char *text = ast_plain_text(heading);
    size_t url_len = strlen(url), id_len = strlen(heading->id);
    char *anchored = xmalloc(url_len + id_len + 2); /* "url#id", without printf's cost */
    memcpy(anchored, url, url_len);
    anchored[url_len] = '#';
    memcpy(anchored + url_len + 1, heading->id, id_len + 1);
    start_record(c, anchored, text);
    read_name(c, text, faq && heading->level == 2 ? WEIGHT_QUESTION : WEIGHT_HEADING);
    read_text(c, page_title, WEIGHT_PAGE_TITLE);
}

static void walk_body(search_collector *c, const char *url, const char *title, int faq,
                      const ast_node *root) {
    float field = WEIGHT_BODY;
    int entering = 1;
    for (ast_node *n = (ast_node *)root; n; n = ast_next((ast_node *)root, n, &entering)) {
        if (n->type == AST_CODE_BLOCK || n->type == AST_HTML_BLOCK ||
            n->type == AST_FOOTNOTE_DEFINITION) { /* not words a patient reads as the page */
            entering = 0;                         /* skip its subtree: go on from its exit */
            continue;
        }
        if (starts_record(n)) {
            if (entering)
                start_section(c, url, title, n, faq);
            entering = 0; /* its words were read with it */
            continue;
        }
        if (n->type == AST_HEADING || n->type == AST_TABLE_CELL)
            field =
                entering ? (n->type == AST_HEADING ? WEIGHT_HEADING : WEIGHT_CELL) : WEIGHT_BODY;
        if (entering && (n->type == AST_TEXT || n->type == AST_CODE)) {
            read_text(c, n->text, field);
            if (field == WEIGHT_BODY)
                add_excerpt(c, n->text);
        }
    }
}

void search_collect_page(search_collector *c, search_page *out, const char *url, const char *title,
                         const char *summary, int faq, const ast_node *root) {
    c->n_postings = 0;
    c->n_records = 0;
    start_record(c, xstrdup(url), NULL);
    read_name(c, title, WEIGHT_TITLE);
    read_text(c, summary, WEIGHT_SUMMARY);
    add_excerpt(c, summary);
    if (root)
        walk_body(c, url, title, faq, root);
    finish_record(c);
    out->title = xstrdup(title ? title : "");
    out->collector = c->id;
    out->n_records = c->n_records;
    out->records = xmalloc((c->n_records ? c->n_records : 1) * sizeof *out->records);
    memcpy(out->records, c->records, c->n_records * sizeof *out->records);
    buf packed = BUF_INIT;
    buf_grow(&packed, c->n_postings * 3); /* most take two or three bytes */
    for (size_t i = 0; i < c->n_postings; i++)
        search_posting_pack(&packed, c->postings[i]);
    out->n_postings = c->n_postings;
    out->postings_len = packed.len;
    out->postings = (unsigned char *)buf_detach(&packed);
}

void search_posting_pack(buf *b, search_posting post) {
    enum { MOST = 5 + 1 + sizeof post.weight }; /* a varint of 32 bits, 255, the float */
    if (b->len + MOST >= b->cap)
        buf_grow(b, MOST);
    unsigned char *p = (unsigned char *)b->data + b->len; /* one check, then bytes */
    uint32_t term = post.term;
    for (; term >= 0x80; term >>= 7)
        *p++ = (unsigned char)(0x80 | (term & 0x7f));
    *p++ = (unsigned char)term;
    if (post.weight >= 1 && post.weight <= 254 && post.weight == (float)(int)post.weight) {
        *p++ = (unsigned char)(int)post.weight;
    } else {
        *p++ = 255;
        memcpy(p, &post.weight, sizeof post.weight);
        p += sizeof post.weight;
    }
    *p = '\0'; /* a buf stays NUL-terminated (buf.h); the room check left space for it */
    b->len = (size_t)((char *)p - b->data);
}

int search_posting_unpack(const unsigned char **p, const unsigned char *end, search_posting *out) {
    const unsigned char *q = *p;
    uint32_t term = 0;
    for (int shift = 0;; shift += 7) {
        if (q >= end || shift > 28)
            return -1;
        term |= (uint32_t)(*q & 0x7f) << shift;
        if (!(*q++ & 0x80))
            break;
    }
    if (q >= end)
        return -1;
    out->term = term;
    if (*q != 255) {
        out->weight = (float)*q++;
    } else {
        if (end - q < 1 + (ptrdiff_t)sizeof out->weight)
            return -1;
        memcpy(&out->weight, q + 1, sizeof out->weight);
        q += 1 + sizeof out->weight;
    }
    *p = q;
    return 0;
}

void search_page_free_texts(search_page *p) {
    for (size_t i = 0; i < p->n_records; i++) {
        search_record *rec = &p->records[i];
        if (!p->borrowed) {
            free(rec->url);
            free(rec->heading);
            free(rec->excerpt);
        }
        rec->url = rec->heading = rec->excerpt = NULL;
    }
}

void search_page_free(search_page *p) {
    search_page_free_texts(p);
    free(p->records);
    if (!p->borrowed) {
        free(p->postings);
        free(p->title);
    }
    memset(p, 0, sizeof *p);
}
