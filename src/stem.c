/* stem: a thin wrapper over libstemmer's English stemmer (see stem.h). */
#include "stem.h"

#include <libstemmer.h>
#include <stdlib.h>

struct stemmer {
    struct sb_stemmer *sb;
};

stemmer *stemmer_new(void) {
    struct sb_stemmer *sb = sb_stemmer_new("english", NULL);
    if (!sb)
        return NULL;
    stemmer *s = malloc(sizeof *s);
    if (!s) {
        sb_stemmer_delete(sb);
        return NULL;
    }
    s->sb = sb;
    return s;
}

const char *stemmer_stem(stemmer *s, const char *word, size_t len, size_t *stem_len) {
    const sb_symbol *out = sb_stemmer_stem(s->sb, (const sb_symbol *)word, (int)len);
    if (!out) { /* out of memory inside libstemmer: the word itself will do */
        *stem_len = len;
        return word;
    }
    *stem_len = (size_t)sb_stemmer_length(s->sb);
    return (const char *)out;
}

void stemmer_free(stemmer *s) {
    if (!s)
        return;
    sb_stemmer_delete(s->sb);
    free(s);
}
