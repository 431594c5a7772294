/*
 * check: the content lint (clinicgen check).
 *
 * Runs the build's own stages up to the rendered body, with nothing
 * written: site.yaml and the theme's templates and filters (project.h),
 * the site model (URLs; two pages with one URL is an error there), each
 * page's front matter, Markdown, the filters (so an unknown contraindication
 * ref is reported exactly as the build reports it), heading ids and link
 * resolution (a link that finds nothing is an error), and the HTML of the
 * body (raw HTML left out). On top of those it checks:
 *
 *   error    a link to an anchor (page.md#id, #id) that names no heading
 *            (nor footnote, nor id of the templates) of its page
 *   error    an image without alt text
 *   warning  a front matter key one or two edits away from a key clinicgen
 *            knows ("contraindication": did you mean "contraindications"?)
 *   warning  a procedure that lists no contraindications or no aftercare
 *   warning  a review older than site.yaml's review_max_age_months, a review
 *            date in the future, and a procedure, FAQ or concern page
 *            without a `reviewed` date
 *   warning  two pages with one title (ignoring case and accents)
 *   warning  a reading grade (readability.h) above site.yaml's
 *            reading_grade_max, on pages with at least CHECK_MIN_WORDS words
 *            of prose
 *
 * Messages keep the build's form and order: the site model's first, then
 * each page's, in page order, by line.
 */
#ifndef CLINICGEN_CHECK_H
#define CLINICGEN_CHECK_H

#include "buf.h"
#include "diag.h"
#include "page.h"

#include <stddef.h>

enum { CHECK_MIN_WORDS = 30 }; /* fewer words of prose get no reading grade */
/* A page's first broken anchors get a "did you mean" hint; the rest (a
 * broken page) only their error, so the lint stays fast however many. */
enum { CHECK_MAX_ANCHOR_HINTS = 100 };

typedef struct check_options {
    const char *project_dir; /* where site.yaml is */
    int project_dir_given;   /* -C was used: show it in messages */
    int drafts;              /* check pages with draft: true too */
    page_date today;         /* reviews are dated against this day */
} check_options;

typedef struct check_result {
    diag_list diags;
    size_t pages; /* pages written in content/ that were checked */
    buf grades;   /* one line per page: "FILE: reading grade G (N words, N sentences)" */
} check_result;

/* Runs the lint; the result owns its messages and report (check_result_free).
 * Returns 0, or -1 when the project itself cannot be read (no site.yaml, a
 * broken template or filter): then only those errors are in the result. */
int check_project(const check_options *opt, check_result *out);
void check_result_free(check_result *r);

/* Runs the lint and prints: messages and the summary line
 * ("clinicgen check: N pages, N errors, N warnings") to standard error,
 * with verbose the reading grades to standard output. Returns the exit
 * status: 1 if there are errors, else 0. */
int check_run(const check_options *opt, int verbose);

/* The smallest number of single-letter insertions, deletions, changes and
 * swaps of neighbours that turn a into b (optimal string alignment). */
size_t check_edit_distance(const char *a, const char *b);
/* The same when only distances up to max matter: max + 1 for anything
 * farther, in time proportional to the length of the strings. */
size_t check_edit_distance_within(const char *a, const char *b, size_t max);
/* The front matter key that key looks like a typo of: at most 2 edits
 * away, ignoring case (1 for keys shorter than 5 letters), and not a known
 * key itself. NULL when there is none. */
const char *check_key_suggestion(const char *key);
/* The day `months` months after d (the last day of a shorter month). */
page_date check_add_months(page_date d, int months);

#endif
