/* scaffold: a new page from an archetype (see scaffold.h). */
#include "scaffold.h"

#include "buf.h"
#include "fsutil.h"
#include "project.h"
#include "text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *kind, *section;
} KINDS[] = {{"procedure", "procedures"}, {"faq", "faq"}, {"concern", "concerns"}, {"page", ""}};

static const char *section_of(const char *kind) {
    for (size_t i = 0; i < sizeof KINDS / sizeof *KINDS; i++)
        if (!strcmp(KINDS[i].kind, kind))
            return KINDS[i].section;
    return NULL;
}

int scaffold_is_kind(const char *kind) {
    return section_of(kind) != NULL;
}

/* The archetype's text: the project's archetypes/KIND.md, else the theme's. */
static char *read_archetype(const project *pr, const char *kind, diag_list *d) {
    char *dirs[2], *shown[2];
    size_t n = project_override_dirs(pr, "archetypes", dirs, shown);
    char *name = xasprintf("%s.md", kind), *text = NULL;
    for (size_t i = 0; i < n && !text; i++) {
        char *path = fs_join(dirs[i], name);
        size_t len;
        text = fs_is_file(path) ? fs_read_file(path, &len) : NULL;
        free(path);
    }
    if (!text)
        diag_error(d, shown[0], 0, 0, "no archetype %s here or in the theme", name);
    free(name);
    project_free_dirs(dirs, shown);
    return text;
}

/* The title as it may stand between double quotes in YAML. */
static void append_yaml_quoted(buf *out, const char *s) {
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_putc(out, '\\');
        buf_putc(out, *s);
    }
}

static char *fill_archetype(const char *text, const char *title, const page_date *today) {
    char date[16];
    page_format_date(today, date, sizeof date);
    buf out = BUF_INIT;
    for (const char *s = text; *s;) {
        if (!strncmp(s, "{{title}}", 9)) {
            append_yaml_quoted(&out, title);
            s += 9;
        } else if (!strncmp(s, "{{date}}", 8)) {
            buf_puts(&out, date);
            s += 8;
        } else {
            buf_putc(&out, *s++);
        }
    }
    return buf_detach(&out);
}

/* content/SECTION/SLUG.md, refused when that page exists as a file or a
 * bundle. Returns the path below content/, or NULL after an error. */
static char *new_page_source(const project *pr, const char *kind, const char *title, diag_list *d) {
    char *slug = text_slugify(title, strlen(title));
    char *source = NULL;
    if (!*slug) {
        diag_error(d, NULL, 0, 0, "the title '%s' gives no file name: use letters or digits",
                   title);
    } else {
        char *dir = fs_join(section_of(kind), slug);
        source = xasprintf("%s.md", dir);
        const char *bundles[] = {"index.md", "_index.md"};
        for (size_t i = 0; source && i <= 2; i++) {
            char *rel = i == 0 ? xstrdup(source) : fs_join(dir, bundles[i - 1]);
            char *path = fs_join(pr->content_dir, rel);
            if (fs_is_file(path)) {
                char *shown = fs_join(pr->content_shown, rel);
                diag_error(d, shown, 0, 0, "this page exists already; it is left as it is");
                free(shown);
                free(source);
                source = NULL;
            }
            free(path);
            free(rel);
        }
        free(dir);
    }
    free(slug);
    return source;
}

char *scaffold_new_page(const char *project_dir, int dir_given, const char *kind, const char *title,
                        const page_date *today, diag_list *d) {
    project pr;
    char *shown = NULL;
    if (project_open_settings(&pr, project_dir, dir_given, d) == 0) {
        char *source = new_page_source(&pr, kind, title, d);
        char *text = source ? read_archetype(&pr, kind, d) : NULL;
        if (text) {
            char *page = fill_archetype(text, title, today);
            char *path = fs_join(pr.content_dir, source);
            shown = fs_join(pr.content_shown, source);
            if (fs_write_file(path, page, strlen(page)) != 0) {
                diag_error(d, shown, 0, 0, "cannot write: %s", strerror(errno));
                free(shown);
                shown = NULL;
            }
            free(path);
            free(page);
        }
        free(text);
        free(source);
    }
    project_free(&pr);
    return shown;
}
