/* bundle_check: which content files may be published (see bundle_check.h). */
#include "bundle_check.h"

#include "fsutil.h"
#include "text.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *extension(const char *name) {
    const char *dot = strrchr(name, '.');
    return dot && dot != name ? dot + 1 : "";
}

static int is_one_of(const char *s, const char *const *list) {
    for (size_t i = 0; list[i]; i++)
        if (!strcasecmp(s, list[i]))
            return 1;
    return 0;
}

/* Names compared without their namespace prefix (svg:script, html:iframe). */
static int local_is_one_of(const xmlChar *name, const char *const *list) {
    return name && is_one_of((const char *)name, list);
}

/* The first reason the element tree from n refuses the SVG, or NULL. Walks
 * with parent links: a deep file needs no deep C stack. */
static const char *svg_refusal(xmlNode *root) {
    static const char *const elements[] = {"script", "foreignObject", "handler", "listener",
                                           "iframe", "embed",         "object",  NULL};
    static const char *const animations[] = {"animate", "set", "animateMotion", "animateTransform",
                                             NULL};
    static const char *const href[] = {"href", NULL};
    for (xmlNode *n = root; n;) {
        if (n->type == XML_PI_NODE && n->name && !strcmp((const char *)n->name, "xml-stylesheet"))
            return "an SVG image with an xml-stylesheet instruction (a stylesheet can add script)";
        if (n->type == XML_ELEMENT_NODE) {
            if (local_is_one_of(n->name, elements))
                return "an SVG image with a script, or an element that can hold one";
            for (xmlAttr *a = n->properties; a; a = a->next) {
                if (a->name && !strncasecmp((const char *)a->name, "on", 2))
                    return "an SVG image with an event-handler attribute (on...)";
                xmlChar *v = xmlNodeGetContent((xmlNode *)a);
                int bad = v && local_is_one_of(a->name, href) && text_is_unsafe_url((char *)v);
                int animates_href =
                    v && local_is_one_of(n->name, animations) &&
                    !strcmp((const char *)a->name, "attributeName") &&
                    (!strcmp((const char *)v, "href") || !strcmp((const char *)v, "xlink:href"));
                xmlFree(v);
                if (bad)
                    return "an SVG image with a script URL in a link";
                if (animates_href)
                    return "an SVG image that animates a link (it can set a script URL)";
            }
        }
        if (n->children && n->type == XML_ELEMENT_NODE) {
            n = n->children;
            continue;
        }
        while (n && !n->next && n != root)
            n = n->parent;
        if (!n || n == root)
            break;
        n = n->next;
    }
    return NULL;
}

static const char *check_svg(const char *path) {
    size_t len;
    char *text = fs_read_file(path, &len);
    if (!text)
        return NULL; /* copying it reports the error */
    if (len > (size_t)INT32_MAX) {
        free(text);
        return "an SVG image too big to check";
    }
    /* no entity substitution, no DTD loading, no network: the file is only
     * read, never expanded */
    xmlDoc *doc = xmlReadMemory(text, (int)len, path, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    free(text);
    if (!doc)
        return "an SVG image that is not well-formed XML (browsers show no broken SVG)";
    const char *why = NULL;
    if (doc->intSubset && doc->intSubset->children)
        why = "an SVG image with entity declarations (they can spell out script)";
    for (xmlNode *n = doc->children; n && !why; n = n->next)
        why = svg_refusal(n);
    xmlFreeDoc(doc);
    return why;
}

const char *bundle_check(const char *path, const char *name) {
    static const char *const pages[] = {"html", "htm", "xhtml", "xht", "shtml", "js",
                                        "mjs",  "cjs", "xml",   "xsl", "xslt",  NULL};
    static const char *const server[] = {"php",  "php3", "php4", "php5", "php7", "phtml",
                                         "phar", "cgi",  "asp",  "aspx", "jsp",  NULL};
    const char *ext = extension(name);
    if (is_one_of(ext, pages))
        return "a web page or script: browsers would run it on the site (write a Markdown page "
               "instead, or publish the file elsewhere)";
    if (is_one_of(ext, server))
        return "a server script: a web host might run it (publish the file elsewhere)";
    if (!strcasecmp(ext, "svg")) {
        const char *why = check_svg(path);
        if (why)
            return why;
    }
    return NULL;
}
