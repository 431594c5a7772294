/* stemwords: prints libstemmer's "english" stem of each line of stdin, one per
   line. tests/search/stem-check.sh compares it with themes/clinic/static/js/stem.js. */
#define _POSIX_C_SOURCE 200809L
#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    struct sb_stemmer *st = sb_stemmer_new("english", NULL);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    if (!st) {
        fputs("stemwords: cannot make the english stemmer\n", stderr);
        return 1;
    }
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        size_t n = strcspn(line, "\r\n");
        const sb_symbol *s = sb_stemmer_stem(st, (const sb_symbol *)line, (int)n);
        if (!s) {
            fputs("stemwords: out of memory\n", stderr);
            return 1;
        }
        fwrite(s, 1, (size_t)sb_stemmer_length(st), stdout);
        putchar('\n');
    }
    free(line);
    sb_stemmer_delete(st);
    return ferror(stdout) || fflush(stdout) ? 1 : 0;
}
