/*
 * site_index: the parts of the site model (pipeline stage 6) that join
 * pages across sections: concerns (procedures name the concerns they treat
 * by slug; each concern page lists those procedures), related procedures,
 * and the A-Z index of every written page.
 *
 * Each function runs once while site_model_build builds the model. The
 * links they make are borrowed pointers between the model's pages (see
 * page.h); the pages they make up are added to the model, which owns them.
 */
#ifndef CLINICGEN_SITE_INDEX_H
#define CLINICGEN_SITE_INDEX_H

#include "diag.h"
#include "site.h"

enum { SITE_RELATED_MAX = 5 }; /* related procedures shown on a procedure page */

/* Links every procedure to the concern pages its `concerns` name (a concern
 * page's slug is the last part of its URL) and each concern page back to
 * those procedures (put in listing order with the other listings, by
 * site_model_build once every page is in the model). A concern named without a page gets
 * a made-up one at concerns/SLUG/. Every concern is listed in the concerns/
 * section, which is made up when content/concerns/ has no _index.md.
 * Reports two concern pages with one slug; warns about `concerns` on a page
 * that is not a procedure. */
void site_index_concerns(site_model *m, diag_list *d);

/* Indexes the procedures by the concerns and tags they share, for
 * site_related; m->related owns the index (site_index_related_free frees
 * it). Run after site_index_concerns and the listings are sorted. */
void site_index_related(site_model *m);
void site_index_related_free(site_model *m);
/* Fills out with procedure p's related procedures: the other procedures
 * that share concerns (2 points each) or tags (1 point each), best first,
 * ties in listing order, at most SITE_RELATED_MAX; returns how many.
 * Worked out when a page is rendered, not for every page in the model, so
 * that a rebuild which keeps a page does not pay for it. Reads the model
 * only: workers may call it at once. */
size_t site_related(const site_model *m, const page *p, page **out);

/* Makes the A-Z index page (a-z/) listing every written page (not the home
 * page or section listings) by title, ignoring case and accents, grouped
 * by first letter a to z, then '#' for titles starting with a digit or any
 * other character; sets m->az and m->az_start. */
void site_index_az(site_model *m);

#endif
