/*
 * jsonld: a page's structured data, as schema.org JSON-LD (pipeline stage
 * 7, on the workers), for search engines and assistants.
 *
 * Every page is a MedicalWebPage (name, description, url, language, dates,
 * lastReviewed, reviewedBy, audience Patient). A procedure page also holds
 * a MedicalTherapy built from the same front matter the filters turn into
 * tables: contraindication (refs looked up in the data file conditions, as
 * the contraindications filter does), preparation, followup (the aftercare
 * steps) and howPerformed. An FAQ page also holds an FAQPage: each h2 of
 * the rendered tree is a Question, the text up to the next h2 its Answer.
 * So the page and its data never disagree.
 *
 * The JSON is safe inside <script type="application/ld+json">: '<' is
 * escaped (buf_json_string).
 */
#ifndef CLINICGEN_JSONLD_H
#define CLINICGEN_JSONLD_H

#include "ast.h"
#include "buf.h"
#include "page.h"
#include "site.h"

/* Appends the JSON-LD of page p (root: its rendered tree, or NULL) to out. */
void jsonld_page(const site_model *m, const page *p, const ast_node *root, buf *out);

#endif
