/* sitefiles: sitemap.xml and robots.txt. */
#include "sitefiles.h"

#include "buf.h"
#include "text.h"

#include <libxml/xmlwriter.h>
#include <string.h>

static const page_date *last_changed(const page *p) {
    if (p->updated.year)
        return &p->updated;
    if (p->reviewed.year)
        return &p->reviewed;
    return p->date.year ? &p->date : NULL;
}

static int write_sitemap(output *o, const site_model *m, diag_list *d) {
    xmlBufferPtr xbuf = xmlBufferCreate();
    xmlTextWriterPtr w = xmlNewTextWriterMemory(xbuf, 0);
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
    xmlTextWriterStartElement(w, BAD_CAST "urlset");
    xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns",
                                BAD_CAST "http://www.sitemaps.org/schemas/sitemap/0.9");
    buf loc = BUF_INIT;
    for (size_t i = 0; i < m->n_pages; i++) {
        const page *p = m->pages[i];
        if (p->kind == KIND_NOT_FOUND || p->kind == KIND_SEARCH)
            continue;
        buf_clear(&loc);
        buf_puts(&loc, m->cfg->base_url);
        text_append_url(&loc, p->url_path, strlen(p->url_path));
        xmlTextWriterStartElement(w, BAD_CAST "url");
        xmlTextWriterWriteElement(w, BAD_CAST "loc", BAD_CAST buf_cstr(&loc));
        const page_date *date = last_changed(p);
        if (date) {
            char text[16];
            page_format_date(date, text, sizeof text);
            xmlTextWriterWriteElement(w, BAD_CAST "lastmod", BAD_CAST text);
        }
        xmlTextWriterEndElement(w);
    }
    buf_free(&loc);
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    int rc = output_write(o, "sitemap.xml", (const char *)xmlBufferContent(xbuf),
                          (size_t)xmlBufferLength(xbuf), d);
    xmlBufferFree(xbuf);
    return rc;
}

static int write_robots(output *o, const site_model *m, diag_list *d) {
    buf b = BUF_INIT;
    buf_puts(&b, "User-agent: *\nAllow: /\n");
    if (text_url_has_scheme(m->cfg->base_url))
        buf_printf(&b, "\nSitemap: %ssitemap.xml\n", m->cfg->base_url);
    int rc = output_write(o, "robots.txt", b.data, b.len, d);
    buf_free(&b);
    return rc;
}

/* Keeps rel if unchanged and the last build wrote it, else writes it. */
static int keep_or_write(output *o, const site_model *m, const char *rel, int unchanged,
                         int (*write)(output *, const site_model *, diag_list *), diag_list *d) {
    int kept = unchanged ? output_keep(o, rel, NULL, d) : 1;
    return kept == 1 ? write(o, m, d) : kept;
}

int sitefiles_write(output *o, const site_model *m, int unchanged, diag_list *d) {
    int rc = keep_or_write(o, m, "sitemap.xml", unchanged, write_sitemap, d);
    return keep_or_write(o, m, "robots.txt", unchanged, write_robots, d) | rc;
}
