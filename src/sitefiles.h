/*
 * sitefiles: the files a host and search engines expect beside the pages
 * (pipeline stage 8): sitemap.xml (libxml2's writer) and robots.txt.
 */
#ifndef CLINICGEN_SITEFILES_H
#define CLINICGEN_SITEFILES_H

#include "diag.h"
#include "output.h"
#include "site.h"

int sitefiles_write(output *o, const site_model *m, diag_list *d);

#endif
