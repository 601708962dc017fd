/*
 * ycheck: typed values out of a ytree, checked, with `file:line:col`
 * errors, and mappings read through a table of keys (unknown keys are
 * errors with a "did you mean"). Shared by the scenario, assignment and
 * profile loaders so that their files read and fail alike.
 */
#ifndef SC_YCHECK_H
#define SC_YCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "ytree.h"

/* Where errors go: the file being loaded and the caller's error. */
struct yc {
	const char *path;
	struct sc_err *err;
};

/* Set the error at node n; returns -1. */
#define YC_FAIL(c, n, ...) sc_err_at((c)->err, (c)->path, (n)->line, (n)->col, __VA_ARGS__)

/* Each returns 0, or -1 with the error set; `key` names the value in messages. */
int yc_scalar(const struct yc *c, const struct yt_node *n, const char *key, const char *what);
/* true/false, yes/no, unquoted */
int yc_bool(const struct yc *c, const struct yt_node *n, const char *key, int *out);
/* A decimal integer in [lo, hi], unquoted, no sign. */
int yc_uint(const struct yc *c, const struct yt_node *n, const char *key, uint64_t lo,
    uint64_t hi, uint64_t *out);
int yc_double(const struct yc *c, const struct yt_node *n, const char *key, double lo,
    double hi, double *out);
/* A copy of the scalar (replacing *out); yc_name refuses an empty one. */
int yc_string(const struct yc *c, const struct yt_node *n, const char *key, char **out);
int yc_name(const struct yc *c, const struct yt_node *n, const char *key, char **out);
/* One of names (NULL-terminated): its index. */
int yc_enum(const struct yc *c, const struct yt_node *n, const char *key,
    const char *const *names, int *out);
/* A size: 12, 4KiB, 256MiB, 1GiB; at most 1024GiB. */
int yc_size(const struct yc *c, const struct yt_node *n, const char *key, uint64_t *out);
/* A list of scalars, or one scalar as a list of one; NULL-terminated copies. */
int yc_strlist(const struct yc *c, const struct yt_node *n, const char *key, char ***out,
    size_t *count);

/* The size syntax alone: 0, -1 when str is not a size, -2 when above 1024GiB. */
int yc_parse_size(const char *str, uint64_t *out);

/* Levenshtein distance, for "did you mean"; SIZE_MAX beyond 200 characters. */
size_t yc_edit_distance(const char *a, const char *b);

typedef int (*yc_setter)(const struct yc *c, const struct yt_node *n, void *obj);

struct yc_row {
	const char *key;
	yc_setter set;
};

/*
 * Every key of `map` through the row of that key (rows end with a NULL
 * key); `where` names the mapping in messages: a key ("expect", quoted in
 * them) or a phrase with a space ("the scenario"). A key without a row is
 * an error that suggests the nearest known key.
 */
int yc_apply(const struct yc *c, const struct yt_node *map, const char *where,
    const struct yc_row *rows, void *obj);

#endif
