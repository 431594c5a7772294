/*
 * bundle_check: which content files (page bundles) may be published.
 *
 * A file next to a page is copied as it is and served from the site's own
 * origin, so a writer's file that a browser runs would put script on the
 * clinic's site just as raw HTML would. Refused: pages and scripts by
 * their name (.html, .htm, .xhtml, .xht, .shtml, .js, .mjs, .cjs, .xml,
 * .xsl, .xslt) and server scripts a host might run (.php, .phtml, .cgi,
 * .asp, .aspx, .jsp); and an SVG image that carries script: a script,
 * foreignObject, handler, listener, iframe, embed or object element, an
 * on... attribute, a script URL in an href, an animation of an href, an
 * xml-stylesheet instruction or entity declarations, or one that is not
 * well-formed XML. Everything else (images, PDFs, documents) is copied.
 */
#ifndef CLINICGEN_BUNDLE_CHECK_H
#define CLINICGEN_BUNDLE_CHECK_H

#include <stddef.h>

/* NULL when the file at path (named name in content/) may be published,
 * else why not (a static string, for "...: error: WHY"). */
const char *bundle_check(const char *path, const char *name);

#endif
