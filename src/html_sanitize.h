/*
 * html_sanitize: raw HTML from a Markdown page made fit for the site, when
 * site.yaml's unsafe_html trusts the writers with markup.
 *
 * Even trusted writers cannot put script or inline style into a page: the
 * site must work under a strict Content-Security-Policy, and a pasted
 * snippet should not become a hole. Every tag is read the way an HTML5
 * browser reads it and written back with only what is allowed:
 *
 * - these tags are shown as text: GitHub's tag filter (title, textarea,
 *   style, xmp, iframe, noembed, noframes, script, plaintext), the other
 *   raw-text element noscript, and tags that run or embed code or change
 *   how the page's own URLs load (object, embed, applet, base, meta, link,
 *   frame, frameset, and SVG's animate, set, animatemotion,
 *   animatetransform, handler and listener);
 * - these attributes are left out: event handlers (on...), style, srcdoc,
 *   and URL attributes (href, src, action, ...) holding a script URL
 *   however it is spelt (entities, case, spaces, control characters);
 * - comments are left out; an unclosed tag or comment, a doctype, a
 *   CDATA section or a processing instruction is shown as text.
 *
 * Attribute values are written back double-quoted with '"', '<' and '>'
 * escaped, so what the browser reads as a tag is always what was checked.
 */
#ifndef CLINICGEN_HTML_SANITIZE_H
#define CLINICGEN_HTML_SANITIZE_H

#include "buf.h"

#include <stddef.h>

/* What was taken out, for the writer's warning: "the <script> tag", "the
 * attribute 'onclick'"; empty when nothing was. */
typedef struct html_refusal {
    char what[80];
} html_refusal;

/* Appends the n bytes of raw HTML at s to out, made safe as above. Fills
 * *first (may be NULL) with the first thing refused. Returns how many
 * tags and attributes were refused. */
size_t html_sanitize(buf *out, const char *s, size_t n, html_refusal *first);

#endif
