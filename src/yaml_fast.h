/*
 * yaml_fast: the plain YAML that front matter is nearly always written in,
 * read without libyaml, whose reader spends about 200 instructions on each
 * byte (a tenth of a page's build went to front matter).
 *
 * What it reads: a block mapping at the left margin; keys of ASCII letters,
 * digits, '_', '-' and '.'; values that are one-line scalars (plain,
 * 'single' or "double" quoted, with no escapes in double quotes but \" and
 * \\), one-line flow lists of such scalars ([a, "b c"]), empty values,
 * nested block mappings, and block lists ("- x", or "- key: value" with
 * further keys below it), as well as comment and blank lines. It declines
 * everything else, errors included: yaml_fast_parse returns NULL, and
 * yaml_value_parse reads the text with libyaml, which gives the same tree
 * (values, types and places) for every text accepted here; the unit tests
 * and the front matter fuzzer compare the two.
 */
#ifndef CLINICGEN_YAML_FAST_H
#define CLINICGEN_YAML_FAST_H

#include "value.h"

#include <stddef.h>

/* The tree for text (valid UTF-8 without NUL bytes: text_check_encoding),
 * lines counted from 1 + line_offset, or NULL when the text is not in the
 * subset above. The caller frees the tree. */
value *yaml_fast_parse(const char *text, size_t len, int line_offset);

/* Types a plain (unquoted, untagged) scalar as YAML 1.2's core schema
 * does: null, true/false, numbers; anything else stays text. Both readers
 * use it. v is a VALUE_STRING with its text. */
void yaml_resolve_plain(value *v);

#endif
