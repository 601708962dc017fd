/*
 * ytree: a YAML document as a small tree (libyaml's event API underneath),
 * every node with its 1-based line and column, so that loaders can report
 * `file:line:col: message`. Duplicate keys, aliases and several documents
 * in one file are rejected.
 */
#ifndef SC_YTREE_H
#define SC_YTREE_H

#include <stddef.h>

#include "err.h"

enum yt_type { YT_SCALAR, YT_SEQ, YT_MAP };

struct yt_node {
	enum yt_type type;
	int line, col;
	char *str;		/* scalar value */
	size_t len;
	int quoted;		/* a quoted scalar: never a number or boolean; 2: double
				 * quotes (YAML has decoded its \ escapes already) */
	struct yt_node **items;	/* sequence items, or map values */
	char **keys;		/* map keys */
	struct yt_node **key_nodes;	/* for positions of keys */
	size_t n;
};

/* Parse `path`. An empty file gives an empty map. */
struct yt_node *yt_load_file(const char *path, struct sc_err *err);
void yt_free(struct yt_node *n);

/* Map lookup; NULL when absent (or `map` is not a map). */
struct yt_node *yt_get(const struct yt_node *map, const char *key);

#endif
