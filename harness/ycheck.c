#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ycheck.h"

int
yc_scalar(const struct yc *c, const struct yt_node *n, const char *key, const char *what)
{
	if (n->type != YT_SCALAR)
		return YC_FAIL(c, n, "'%s' must be %s; got a %s", key, what,
		    n->type == YT_MAP ? "mapping" : "list");
	return 0;
}

int
yc_bool(const struct yc *c, const struct yt_node *n, const char *key, int *out)
{
	if (yc_scalar(c, n, key, "true or false") < 0)
		return -1;
	if (!n->quoted && (strcmp(n->str, "true") == 0 || strcmp(n->str, "yes") == 0))
		*out = 1;
	else if (!n->quoted && (strcmp(n->str, "false") == 0 || strcmp(n->str, "no") == 0))
		*out = 0;
	else
		return YC_FAIL(c, n, "'%s' must be true or false; got '%s'", key, n->str);
	return 0;
}

int
yc_uint(const struct yc *c, const struct yt_node *n, const char *key, uint64_t lo, uint64_t hi,
    uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (yc_scalar(c, n, key, "an integer") < 0)
		return -1;
	errno = 0;
	v = strtoull(n->str, &end, 10);
	if (n->quoted || n->str[0] == '-' || n->str[0] == '+' || end == n->str || *end ||
	    errno || v < lo || v > hi)
		return YC_FAIL(c, n, "'%s' must be an integer from %llu to %llu; got '%s'", key,
		    (unsigned long long)lo, (unsigned long long)hi, n->str);
	*out = v;
	return 0;
}

int
yc_double(const struct yc *c, const struct yt_node *n, const char *key, double lo, double hi,
    double *out)
{
	char *end;
	double v;

	if (yc_scalar(c, n, key, "a number") < 0)
		return -1;
	errno = 0;
	v = strtod(n->str, &end);
	if (n->quoted || end == n->str || *end || errno || !(v >= lo && v <= hi))
		return YC_FAIL(c, n, "'%s' must be a number from %g to %g; got '%s'", key, lo, hi,
		    n->str);
	*out = v;
	return 0;
}

int
yc_string(const struct yc *c, const struct yt_node *n, const char *key, char **out)
{
	char *copy;

	if (yc_scalar(c, n, key, "a string") < 0)
		return -1;
	if ((copy = strdup(n->str)) == NULL)
		return sc_err_sys(c->err, "%s", key);
	free(*out);
	*out = copy;
	return 0;
}

int
yc_name(const struct yc *c, const struct yt_node *n, const char *key, char **out)
{
	if (n->type == YT_SCALAR && n->len == 0)
		return YC_FAIL(c, n, "'%s' must not be empty", key);
	return yc_string(c, n, key, out);
}

int
yc_enum(const struct yc *c, const struct yt_node *n, const char *key, const char *const *names,
    int *out)
{
	char list[256] = "";

	if (yc_scalar(c, n, key, "a name") < 0)
		return -1;
	for (int i = 0; names[i]; i++) {
		if (strcmp(n->str, names[i]) == 0) {
			*out = i;
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
		    i ? (names[i + 1] ? ", " : " or ") : "", names[i]);
	}
	return YC_FAIL(c, n, "'%s' must be one of %s; got '%s'", key, list, n->str);
}

#define SIZE_MAX_BYTES (1ULL << 40)

int
yc_parse_size(const char *str, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1;

	errno = 0;
	v = strtoull(str, &end, 10);
	if (str[0] == '-' || str[0] == '+' || end == str)
		return -1;
	while (*end == ' ')
		end++;
	if (strcmp(end, "KiB") == 0)
		mult = 1024;
	else if (strcmp(end, "MiB") == 0)
		mult = 1024 * 1024;
	else if (strcmp(end, "GiB") == 0)
		mult = 1024ULL * 1024 * 1024;
	else if (*end)
		return -1;
	if (errno == ERANGE || v > SIZE_MAX_BYTES / mult)
		return -2;
	*out = (uint64_t)v * mult;
	return 0;
}

int
yc_size(const struct yc *c, const struct yt_node *n, const char *key, uint64_t *out)
{
	int rc;

	if (yc_scalar(c, n, key, "a size") < 0)
		return -1;
	if ((rc = yc_parse_size(n->str, out)) == -2)
		return YC_FAIL(c, n, "'%s': %s is too large (at most 1024GiB)", key, n->str);
	if (rc < 0)
		return YC_FAIL(c, n, "'%s': bad size '%s' (use an integer with an optional KiB, "
		    "MiB or GiB suffix)", key, n->str);
	return 0;
}

int
yc_strlist(const struct yc *c, const struct yt_node *n, const char *key, char ***out,
    size_t *count)
{
	size_t k = n->type == YT_SEQ ? n->n : 1;
	char **v;

	if (n->type == YT_MAP)
		return YC_FAIL(c, n, "'%s' must be a string or a list of strings; got a mapping",
		    key);
	if ((v = calloc(k + 1, sizeof(*v))) == NULL)
		return sc_err_sys(c->err, "%s", key);
	for (size_t i = 0; i < k; i++) {
		const struct yt_node *it = n->type == YT_SEQ ? n->items[i] : n;
		if (it->type != YT_SCALAR || (v[i] = strdup(it->str)) == NULL) {
			for (size_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			if (it->type != YT_SCALAR)
				return YC_FAIL(c, it, "'%s' must be a string or a list of strings", key);
			return sc_err_sys(c->err, "%s", key);
		}
	}
	*out = v;
	if (count)
		*count = k;
	return 0;
}

size_t
yc_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), *row, best;

	if (la > 200 || lb > 200 || (row = malloc((lb + 1) * sizeof(*row))) == NULL)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];	/* d[i-1][j-1] */
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t sub = diag + (a[i - 1] != b[j - 1]);
			size_t del = up + 1, ins = row[j - 1] + 1;
			row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			diag = up;
		}
	}
	best = row[lb];
	free(row);
	return best;
}

int
yc_apply(const struct yc *c, const struct yt_node *map, const char *where,
    const struct yc_row *rows, void *obj)
{
	if (map->type != YT_MAP)	/* a key is quoted, a phrase is not */
		return YC_FAIL(c, map, strchr(where, ' ') ? "%s must be a mapping" :
		    "'%s' must be a mapping", where);
	for (size_t i = 0; i < map->n; i++) {
		const struct yc_row *r, *best = NULL;
		size_t bestd = 3;

		for (r = rows; r->key && strcmp(r->key, map->keys[i]) != 0; r++)
			;
		if (r->key) {
			if (r->set(c, map->items[i], obj) < 0)
				return -1;
			continue;
		}
		for (r = rows; r->key; r++) {
			size_t d = yc_edit_distance(r->key, map->keys[i]);
			if (d < bestd) {
				bestd = d;
				best = r;
			}
		}
		if (best)
			return YC_FAIL(c, map->key_nodes[i], "unknown key '%s' in %s (did you mean "
			    "'%s'?)", map->keys[i], where, best->key);
		return YC_FAIL(c, map->key_nodes[i], "unknown key '%s' in %s", map->keys[i], where);
	}
	return 0;
}
