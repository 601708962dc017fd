/*
 * asg: assignment files -> struct asg (asg.h), checked key by key; errors
 * carry the file, line and column of the offending node, as in scn_load.c.
 */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asg.h"
#include "ycheck.h"
#include "ytree.h"

/* ---- a rule: one item of `cases` ---- */

static int
add_glob(const struct yc *c, struct asg_rule *r, const struct yt_node *n)
{
	char **g;
	int *gl, *gc;

	if (n->type != YT_SCALAR)
		return YC_FAIL(c, n, "'select' must be a case id glob or a list of them");
	if (n->len == 0)
		return YC_FAIL(c, n, "'select': an empty glob selects nothing");
	if (strlen(n->str) != n->len || strchr(n->str, ',') || strchr(n->str, '/') ||
	    strchr(n->str, ' '))
		return YC_FAIL(c, n, "'select': '%s' is not a case id glob (like 'echo.server.*'; "
		    "one glob per list item)", n->str);
	g = realloc(r->globs, (r->nglobs + 2) * sizeof(*g));
	if (g)
		r->globs = g;
	gl = realloc(r->glob_line, (r->nglobs + 1) * sizeof(*gl));
	if (gl)
		r->glob_line = gl;
	gc = realloc(r->glob_col, (r->nglobs + 1) * sizeof(*gc));
	if (gc)
		r->glob_col = gc;
	if (g == NULL || gl == NULL || gc == NULL || (g[r->nglobs] = strdup(n->str)) == NULL)
		return sc_err_sys(c->err, "select");
	gl[r->nglobs] = n->line;
	gc[r->nglobs] = n->col;
	g[++r->nglobs] = NULL;
	return 0;
}

static int
ru_select(const struct yc *c, const struct yt_node *n, void *o)
{
	struct asg_rule *r = o;

	if (n->type == YT_SCALAR)
		return add_glob(c, r, n);
	if (n->type != YT_SEQ || n->n == 0)
		return YC_FAIL(c, n, "'select' must be a case id glob or a non-empty list of them");
	for (size_t i = 0; i < n->n; i++)
		if (add_glob(c, r, n->items[i]) < 0)
			return -1;
	return 0;
}

static int
ru_exclude(const struct yc *c, const struct yt_node *n, void *o)
{
	return yc_bool(c, n, "exclude", &((struct asg_rule *)o)->exclude);
}

static int
ru_points(const struct yc *c, const struct yt_node *n, void *o)
{
	struct asg_rule *r = o;
	uint64_t v;

	if (yc_uint(c, n, "points", 0, 1000, &v) < 0)
		return -1;
	r->has_points = 1;
	r->points = (unsigned)v;
	return 0;
}

static int
ru_hidden(const struct yc *c, const struct yt_node *n, void *o)
{
	struct asg_rule *r = o;
	r->has_hidden = 1;
	return yc_bool(c, n, "hidden", &r->hidden);
}

static int
ru_scale(const struct yc *c, const struct yt_node *n, void *o)
{
	struct asg_rule *r = o;
	r->has_scale = 1;
	return yc_double(c, n, "timeout_scale", 0.1, 100, &r->scale);
}

static const struct yc_row rule_rows[] = {
	{ "select", ru_select }, { "exclude", ru_exclude }, { "points", ru_points },
	{ "hidden", ru_hidden }, { "timeout_scale", ru_scale }, { NULL, NULL }
};

static void
rule_free(struct asg_rule *r)
{
	for (size_t i = 0; i < r->nglobs; i++)
		free(r->globs[i]);
	free(r->globs);
	free(r->glob_line);
	free(r->glob_col);
}

static int
load_rule(const struct yc *c, const struct yt_node *n, struct asg_rule *r)
{
	r->line = n->line;
	r->col = n->col;
	if (n->type != YT_MAP)
		return YC_FAIL(c, n, "each item of 'cases' must be a mapping (select: GLOB, points: N, "
		    "hidden: true, exclude: true, timeout_scale: X)");
	if (yc_apply(c, n, "an item of 'cases'", rule_rows, r) < 0)
		return -1;
	if (r->nglobs == 0)
		return YC_FAIL(c, n, "an item of 'cases' needs 'select' (a case id glob or a list of "
		    "them)");
	if (r->exclude && (r->has_points || r->has_hidden || r->has_scale)) {
		const struct yt_node *k = yt_get(n, r->has_points ? "points" :
		    r->has_hidden ? "hidden" : "timeout_scale");
		return YC_FAIL(c, k ? k : n, "an 'exclude' item takes no points, hidden or "
		    "timeout_scale: it removes the cases it selects");
	}
	return 0;
}

/* ---- top level ---- */

static int
to_title(const struct yc *c, const struct yt_node *n, void *o)
{
	return yc_name(c, n, "title", &((struct asg *)o)->title);
}

static int
to_suite(const struct yc *c, const struct yt_node *n, void *o)
{
	struct asg *a = o;
	const char *slash;
	char *rel = NULL;

	if (yc_name(c, n, "suite", &rel) < 0)
		return -1;
	free(a->suite);
	a->suite = NULL;
	slash = strrchr(c->path, '/');
	if (rel[0] == '/' || slash == NULL) {
		a->suite = rel;
		return 0;
	}
	if (asprintf(&a->suite, "%.*s/%s", (int)(slash - c->path), c->path, rel) < 0)
		a->suite = NULL;
	free(rel);
	return a->suite ? 0 : sc_err_sys(c->err, "suite");
}

static int
to_scale(const struct yc *c, const struct yt_node *n, void *o)
{
	return yc_double(c, n, "timeout_scale", 0.1, 100, &((struct asg *)o)->timeout_scale);
}

static int
to_build_timeout(const struct yc *c, const struct yt_node *n, void *o)
{
	uint64_t v;

	if (yc_uint(c, n, "build_timeout", 1, 3600, &v) < 0)
		return -1;
	((struct asg *)o)->build_timeout_s = (unsigned)v;
	return 0;
}

static int
to_report_cap(const struct yc *c, const struct yt_node *n, void *o)
{
	uint64_t v;

	if (yc_size(c, n, "report_cap", &v) < 0)
		return -1;
	if (v < ((uint64_t)1 << 20))
		return YC_FAIL(c, n, "'report_cap' must be at least 1MiB");
	((struct asg *)o)->report_cap = v;
	return 0;
}

static int
to_memcheck(const struct yc *c, const struct yt_node *n, void *o)
{
	return yc_bool(c, n, "memcheck", &((struct asg *)o)->memcheck);
}

static int
to_cases(const struct yc *c, const struct yt_node *n, void *o)
{
	struct asg *a = o;

	if (n->type != YT_SEQ)
		return YC_FAIL(c, n, "'cases' must be a list of mappings (- select: GLOB ...)");
	if (n->n == 0)
		return YC_FAIL(c, n, "'cases' is empty: leave it out to select every case");
	a->rules = calloc(n->n, sizeof(*a->rules));
	if (a->rules == NULL)
		return sc_err_sys(c->err, "cases");
	for (size_t i = 0; i < n->n; i++) {
		a->nrules++;
		if (load_rule(c, n->items[i], &a->rules[i]) < 0)
			return -1;
	}
	return 0;
}

static const struct yc_row top_rows[] = {
	{ "title", to_title }, { "suite", to_suite }, { "timeout_scale", to_scale },
	{ "build_timeout", to_build_timeout }, { "memcheck", to_memcheck },
	{ "report_cap", to_report_cap }, { "cases", to_cases }, { NULL, NULL }
};

int
asg_load(const char *path, struct asg *a, struct sc_err *err)
{
	struct yc c = { .path = path, .err = err };
	struct yt_node *root;

	memset(a, 0, sizeof(*a));
	a->timeout_scale = 1.0;
	a->memcheck = -1;
	if ((root = yt_load_file(path, err)) == NULL)
		return -1;
	if ((a->path = strdup(path)) == NULL) {
		yt_free(root);
		return sc_err_sys(err, "%s", path);
	}
	if (yc_apply(&c, root, "an assignment", top_rows, a) < 0) {
		yt_free(root);
		asg_free(a);
		return -1;
	}
	yt_free(root);
	return 0;
}

static int
rule_matches(const struct asg_rule *r, const char *id)
{
	for (size_t i = 0; i < r->nglobs; i++)
		if (fnmatch(r->globs[i], id, 0) == 0)
			return 1;
	return 0;
}

int
asg_lookup(const struct asg *a, const struct scn *s, unsigned *points, int *hidden,
    double *scale)
{
	int in = 1;

	*points = s->points;
	*hidden = 0;
	*scale = 1.0;
	if (a == NULL)
		return 1;
	/* a list that starts by excluding starts from the whole suite */
	if (a->nrules)
		in = a->rules[0].exclude;
	for (size_t i = 0; i < a->nrules; i++) {
		const struct asg_rule *r = &a->rules[i];
		if (!rule_matches(r, s->id))
			continue;
		in = !r->exclude;
		if (r->has_points)
			*points = r->points;
		if (r->has_hidden)
			*hidden = r->hidden;
		if (r->has_scale)
			*scale = r->scale;
	}
	*scale *= a->timeout_scale;
	return in;
}

int
asg_check(const struct asg *a, const struct scn_suite *suite, struct sc_err *err)
{
	size_t selected = 0;

	for (size_t i = 0; i < a->nrules; i++) {
		const struct asg_rule *r = &a->rules[i];
		for (size_t g = 0; g < r->nglobs; g++) {
			const char *best = NULL;
			size_t bestd = SIZE_MAX, k;
			for (k = 0; k < suite->count; k++)
				if (fnmatch(r->globs[g], suite->items[k]->id, 0) == 0)
					break;
			if (k < suite->count)
				continue;
			for (k = 0; k < suite->count; k++) {
				size_t d = yc_edit_distance(r->globs[g], suite->items[k]->id);
				if (d < bestd) {
					bestd = d;
					best = suite->items[k]->id;
				}
			}
			if (best && bestd <= 4)
				return sc_err_at(err, a->path, r->glob_line[g], r->glob_col[g],
				    "'%s' matches no case of the suite (did you mean '%s'?)",
				    r->globs[g], best);
			return sc_err_at(err, a->path, r->glob_line[g], r->glob_col[g],
			    "'%s' matches no case of the suite (sockcheck list shows them)",
			    r->globs[g]);
		}
	}
	for (size_t k = 0; k < suite->count; k++) {
		unsigned p;
		int h;
		double sc;
		selected += asg_lookup(a, suite->items[k], &p, &h, &sc) == 1;
	}
	if (selected == 0)
		return sc_err_at(err, a->path, 1, 1, "the assignment selects no case of the suite");
	return 0;
}

void
asg_free(struct asg *a)
{
	for (size_t i = 0; i < a->nrules; i++)
		rule_free(&a->rules[i]);
	free(a->rules);
	free(a->path);
	free(a->title);
	free(a->suite);
	memset(a, 0, sizeof(*a));
}
