/*
 * yaml_value: YAML text to a value tree (libyaml, or yaml_fast.h for the
 * plain YAML most front matter is).
 *
 * Reads the first document of a YAML stream. Plain scalars resolve to null,
 * booleans (true/false only: `no` stays text, as in YAML 1.2) and numbers;
 * quoted scalars are always text. Duplicate keys, non-text keys and aliases
 * that expand past a node budget are errors. Errors go to `d` located at
 * `file`, with `line_offset` added to every line (front matter starts below
 * the opening `---`). Returns a tree the caller frees, or NULL after an error.
 */
#ifndef CLINICGEN_YAML_VALUE_H
#define CLINICGEN_YAML_VALUE_H

#include "diag.h"
#include "value.h"

value *yaml_value_parse(const char *text, size_t len, const char *file, int line_offset,
                        diag_list *d);

/* The same with libyaml alone, for text in UTF-8 (text_check_encoding):
 * yaml_value_parse reads most front matter without it (yaml_fast.h), and
 * the tests compare the two. */
value *yaml_value_parse_libyaml(const char *text, size_t len, const char *file, int line_offset,
                                diag_list *d);

/* Reads and parses a whole YAML file. */
value *yaml_value_load_file(const char *path, const char *display_path, diag_list *d);

#endif
