/*
 * config: site.yaml, the project's settings.
 *
 * config_load reads DIR/site.yaml into a site_config that owns every string
 * and the raw settings tree (`raw`, which templates see as site.params).
 * Unknown keys are kept in `raw`; wrong types are errors located in
 * site.yaml. config_free releases everything.
 */
#ifndef CLINICGEN_CONFIG_H
#define CLINICGEN_CONFIG_H

#include "diag.h"
#include "value.h"

typedef struct site_config {
    char *title;
    char *description;
    char *base_url;  /* always ends in '/', e.g. "https://host/kb/" */
    char *base_path; /* the path part of base_url: "/kb/" */
    char *language;  /* BCP 47 tag, default "en" */
    char *theme;     /* default "clinic" */
    int unsafe_html;
    int offline; /* links are relative paths ending in index.html (file://) */
    int review_max_age_months;
    /* clinicgen check: the highest reading grade without a warning */
    double reading_grade_max;
    value *raw; /* the whole file; owned */
} site_config;

/* Returns 0 on success; on failure the errors are in d and cfg is freed. */
int config_load(site_config *cfg, const char *project_dir, const char *display_dir, diag_list *d);
void config_free(site_config *cfg);

#endif
