/*
 * sitefiles: the files a host and search engines expect beside the pages
 * (pipeline stage 8): sitemap.xml (libxml2's writer) and robots.txt.
 */
#ifndef CLINICGEN_SITEFILES_H
#define CLINICGEN_SITEFILES_H

#include "diag.h"
#include "output.h"
#include "site.h"

/* Writes both files; with unchanged set (the site model and settings are
 * the last build's: page_cache.h, the seed), keeps those the last build
 * wrote instead (output_keep). Returns 0 or -1 after reporting. */
int sitefiles_write(output *o, const site_model *m, int unchanged, diag_list *d);

#endif
