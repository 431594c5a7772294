/* config: reading and checking site.yaml. */
#include "config.h"

#include "buf.h"
#include "fsutil.h"
#include "yaml_value.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *string_setting(const value *raw, const char *key, const char *fallback,
                            const char *file, diag_list *d) {
    const value *v = value_map_get(raw, key);
    if (!v || v->type == VALUE_NULL)
        return fallback ? xstrdup(fallback) : NULL;
    if (v->type == VALUE_LIST || v->type == VALUE_MAP) {
        diag_error(d, file, v->line, v->col, "'%s' must be text, not %s", key,
                   value_type_name(v->type));
        return fallback ? xstrdup(fallback) : NULL;
    }
    return xstrdup(v->text);
}

/* "https://host/kb" -> base_url "https://host/kb/", base_path "/kb/". */
static void split_base_url(site_config *cfg, const char *url) {
    size_t n = strlen(url);
    cfg->base_url = (n && url[n - 1] == '/') ? xstrdup(url) : xasprintf("%s/", url);
    const char *scheme = strstr(cfg->base_url, "://");
    const char *path = scheme ? strchr(scheme + 3, '/') : cfg->base_url;
    cfg->base_path = xstrdup(path && *path == '/' ? path : "/");
}

static int bool_setting(const value *raw, const char *key, const char *file, diag_list *d) {
    const value *v = value_map_get(raw, key);
    if (v && v->type != VALUE_BOOL && v->type != VALUE_NULL)
        diag_error(d, file, v->line, v->col, "'%s' must be true or false", key);
    return v && v->type == VALUE_BOOL && v->boolean;
}

static int check_settings(site_config *cfg, const char *file, diag_list *d) {
    cfg->unsafe_html = bool_setting(cfg->raw, "unsafe_html", file, d);
    cfg->offline = bool_setting(cfg->raw, "offline", file, d);
    cfg->review_max_age_months = 12;
    const value *v = value_map_get(cfg->raw, "review_max_age_months");
    if (v && v->type == VALUE_NUMBER && v->number >= 1 && v->number <= 1200)
        cfg->review_max_age_months = (int)v->number;
    else if (v && v->type != VALUE_NULL)
        diag_error(d, file, v->line, v->col,
                   "'review_max_age_months' must be a whole number of months (1 to 1200)");
    cfg->reading_grade_max = 8;
    v = value_map_get(cfg->raw, "reading_grade_max");
    if (v && v->type == VALUE_NUMBER && v->number >= 1 && v->number <= 20)
        cfg->reading_grade_max = v->number;
    else if (v && v->type != VALUE_NULL)
        diag_error(d, file, v->line, v->col,
                   "'reading_grade_max' must be a school grade from 1 to 20 (8 by default)");
    char *base = string_setting(cfg->raw, "base_url", "/", file, d);
    if (strstr(base, "://") == NULL && base[0] != '/') {
        v = value_map_get(cfg->raw, "base_url");
        diag_error(d, file, v ? v->line : 0, v ? v->col : 0,
                   "'base_url' must be an absolute URL (https://host/path/) or a path "
                   "starting with /");
    }
    split_base_url(cfg, base);
    free(base);
    return 0;
}

int config_load(site_config *cfg, const char *project_dir, const char *display_dir, diag_list *d) {
    memset(cfg, 0, sizeof *cfg);
    char *path = fs_join(project_dir, "site.yaml");
    char *shown = fs_join(display_dir, "site.yaml");
    size_t errors_before = d->errors;
    struct stat st; /* anything there but a file is reported when it is read */
    if (stat(path, &st) != 0 || S_ISDIR(st.st_mode)) {
        diag_error(d, shown, 0, 0,
                   "no site.yaml here: is this a clinicgen project? (use -C DIR to name one)");
        free(path);
        free(shown);
        return -1;
    }
    cfg->raw = yaml_value_load_file(path, shown, d);
    if (cfg->raw && cfg->raw->type == VALUE_NULL) {
        value_free(cfg->raw);
        cfg->raw = value_new(VALUE_MAP, 1, 1);
    }
    if (cfg->raw && cfg->raw->type != VALUE_MAP) {
        diag_error(d, shown, cfg->raw->line, cfg->raw->col,
                   "site.yaml must be a map of settings (key: value)");
    } else if (cfg->raw) {
        cfg->title = string_setting(cfg->raw, "title", "Clinic knowledge base", shown, d);
        cfg->description = string_setting(cfg->raw, "description", "", shown, d);
        cfg->language = string_setting(cfg->raw, "language", "en", shown, d);
        cfg->theme = string_setting(cfg->raw, "theme", "clinic", shown, d);
        check_settings(cfg, shown, d);
    }
    free(path);
    free(shown);
    if (d->errors > errors_before) {
        config_free(cfg);
        return -1;
    }
    return 0;
}

void config_free(site_config *cfg) {
    free(cfg->title);
    free(cfg->description);
    free(cfg->base_url);
    free(cfg->base_path);
    free(cfg->language);
    free(cfg->theme);
    value_free(cfg->raw);
    memset(cfg, 0, sizeof *cfg);
}
