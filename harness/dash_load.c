/*
 * dash: the model of a class (struct dash), loaded from each student's
 * grade.json and results.json: verdicts, scores, causes, the histogram.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dash_int.h"
#include "fsx.h"
#include "jsonio.h"
#include "results.h"
#include "rpt.h"

/* A string of a submission (a name, a summary), fit for the page. */
char *
dash_clean(const char *s)
{
	return rpt_xml_text(s ? s : "", s ? strlen(s) : 0, "");
}


/* ---- the model ---- */

static size_t
col_of(const struct dash_class *c, const char *id, size_t *from)
{
	for (size_t i = 0; id && i < c->ncases; i++) {
		size_t k = (*from + i) % c->ncases;
		if (strcmp(c->cases[k].id, id) == 0) {
			*from = k + 1;
			return k;
		}
	}
	return SIZE_MAX;
}

/* Add `s` to the array `set` unless it is there. */
static void
set_add(json_t *set, const char *s)
{
	size_t i;
	json_t *v;

	if (s == NULL)
		return;
	json_array_foreach(set, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return;
	json_array_append_new(set, json_string(s));
}

static struct dcause *
cause_get(struct dash *d, json_t *p)
{
	const char *id = json_string_value(json_object_get(p, "cause"));
	struct dcause *nc;

	if (id == NULL)
		return NULL;
	for (size_t i = 0; i < d->ncauses; i++)
		if (strcmp(d->causes[i].id, id) == 0)
			return &d->causes[i];
	if ((nc = realloc(d->causes, (d->ncauses + 1) * sizeof(*nc))) == NULL)
		return NULL;
	d->causes = nc;
	nc = &d->causes[d->ncauses];
	memset(nc, 0, sizeof(*nc));
	nc->src = json_incref(p);
	nc->id = id;
	nc->title = json_string_value(json_object_get(p, "title"));
	nc->hint = json_string_value(json_object_get(p, "hint"));
	nc->last_charged = SIZE_MAX;
	nc->programs = json_array();
	nc->cases = json_array();
	if (nc->programs == NULL || nc->cases == NULL) {
		json_decref(nc->programs);
		json_decref(nc->cases);
		json_decref(nc->src);
		return NULL;
	}
	d->ncauses++;
	return nc;
}

/*
 * One student: grade.json, then results.json when the build produced one.
 * The student's causes, distinct, in the order of their problems, go into
 * s->causes.
 */
static int
load_student(struct dash *d, size_t k, struct sc_err *err)
{
	const struct dash_class *c = d->c;
	struct dstu *s = &d->s[k];
	char dir[PATH_MAX], path[PATH_MAX + 32];
	json_t *stamp, *res, *cases, *probs, *jc, *p;
	json_error_t je;
	size_t i, from = 0;
	unsigned best = 0;

	s->name = c->students[k];
	s->dir = c->dirs[k];
	s->seconds = -1;
	s->top = SIZE_MAX;
	s->label = dash_clean(s->name);
	s->cell = malloc((c->ncases ? c->ncases : 1) * sizeof(*s->cell));
	s->causes = json_array();
	if (s->label == NULL || s->cell == NULL || s->causes == NULL)
		return sc_err_sys(err, "summary.html");
	for (i = 0; i < c->ncases; i++)
		s->cell[i] = V_NONE;
	snprintf(dir, sizeof(dir), "%s/students/%s", s->dir, s->name);
	snprintf(s->build, sizeof(s->build), "missing");
	snprintf(path, sizeof(path), "%s/grade.json", dir);
	if ((stamp = jsonio_load_file(path, &je)) != NULL) {
		const char *b = json_string_value(json_object_get(stamp, "build"));
		snprintf(s->build, sizeof(s->build), "%s",
		    json_is_true(json_object_get(stamp, "complete")) && b ? b : "error");
		if (json_is_number(json_object_get(stamp, "seconds")))
			s->seconds = round(json_number_value(json_object_get(stamp, "seconds")) * 1000) / 1000;
		json_decref(stamp);
	}
	if (strcmp(s->build, "failed") == 0 || strcmp(s->build, "timeout") == 0)
		d->nobuild++;
	for (i = 0; i < 3 && !s->report[0]; i++) {
		static const char *const files[] = { "report.html", "results.json", "build.log" };
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (fsx_is_file(path))
			snprintf(s->report, sizeof(s->report), "%s", files[i]);
	}
	/* the gradebook's judgement of who has a number, when it gave one */
	if (c->lost && c->lost[k]) {
		s->why = strdup(c->lost[k]);
		return s->why ? 0 : sc_err_sys(err, "summary.html");
	}
	if (strcmp(s->build, "failed") == 0 || strcmp(s->build, "timeout") == 0) {
		s->scored = 1;
		return 0;
	}
	if (strcmp(s->build, "ok") != 0 && strcmp(s->build, "no-programs") != 0) {
		if (asprintf(&s->why, "%s: %s", dir, s->build) < 0)
			s->why = NULL;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/results.json", dir);
	if ((res = jsonio_load_file(path, &je)) == NULL ||
	    !json_is_array(cases = json_object_get(res, "cases"))) {
		json_decref(res);
		snprintf(s->build, sizeof(s->build), "error");
		if (asprintf(&s->why, "%s: line %d: %s", path, je.line, je.text) < 0)
			s->why = NULL;
		return 0;
	}
	s->has_results = 1;
	s->scored = 1;
	/* the gradebook's total: the points each case earned, skipped ones none */
	json_array_foreach(cases, i, jc) {
		size_t k2 = col_of(c, json_string_value(json_object_get(jc, "id")), &from);
		if (k2 == SIZE_MAX)
			continue;
		s->cell[k2] = res_verdict_from_name(json_string_value(json_object_get(jc, "verdict")));
		if (s->cell[k2] != RES_SKIP)
			s->score += (unsigned)json_integer_value(json_object_get(jc, "score"));
	}
	probs = json_object_get(res, "problems");
	json_array_foreach(probs, i, p) {
		const char *charged = json_string_value(json_object_get(p, "charged_in"));
		size_t f2 = 0, ci = col_of(c, charged, &f2), x;
		unsigned cost = ci == SIZE_MAX ? 0 : c->cases[ci].points;
		struct dcause *dc;
		json_t *id;

		if (!json_is_string(json_object_get(p, "cause")))
			continue;	/* not a problem as results.json writes them */
		if ((dc = cause_get(d, p)) == NULL) {
			json_decref(res);
			return sc_err_sys(err, "summary.html");
		}
		if (dc->nwho == 0 || dc->who[dc->nwho - 1] != k) {
			size_t *nw = realloc(dc->who, (dc->nwho + 1) * sizeof(*nw));
			if (nw == NULL) {
				json_decref(res);
				return sc_err_sys(err, "summary.html");
			}
			dc->who = nw;
			dc->who[dc->nwho++] = k;
		}
		if (charged != NULL && dc->last_charged != k) {
			dc->charged++;
			dc->last_charged = k;
		}
		dc->lost += cost;
		set_add(s->causes, dc->id);
		set_add(dc->programs, json_string_value(json_object_get(p, "program")));
		json_array_foreach(json_object_get(p, "cases"), x, id)
			set_add(dc->cases, json_string_value(id));
		/* the top cause: the one that cost the most points, the first on a tie */
		if (s->top == SIZE_MAX || cost > best) {
			s->top = (size_t)(dc - d->causes);
			best = cost;
		}
	}
	json_decref(res);
	return 0;
}

const char *
dash_col_part(const char *id, int part, size_t *len)
{
	const char *p = id;
	for (int i = 0; i < part && p; i++)
		if ((p = strchr(p, '.')) != NULL)
			p++;
	if (p == NULL) {
		*len = 0;
		return "";
	}
	const char *e = part < 2 ? strchr(p, '.') : NULL;
	*len = e ? (size_t)(e - p) : strlen(p);
	return p;
}

int
dash_cmp_part(const char *a, const char *b, int part)
{
	size_t la, lb;
	const char *pa = dash_col_part(a, part, &la), *pb = dash_col_part(b, part, &lb);
	int r = strncmp(pa, pb, la < lb ? la : lb);
	return r ? r : (la > lb) - (la < lb);
}

static int
cmp_col(const void *x, const void *y, void *arg)
{
	const struct dash_class *c = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int r = dash_cmp_part(c->cases[a].id, c->cases[b].id, 0);
	if (r == 0)
		r = dash_cmp_part(c->cases[a].id, c->cases[b].id, 1);
	return r ? r : (a > b) - (a < b);
}

static int
cmp_row(const void *x, const void *y, void *arg)
{
	const struct dstu *s = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	if (s[a].scored != s[b].scored)
		return s[a].scored ? -1 : 1;	/* the students without a number last */
	if (s[a].score != s[b].score)
		return s[a].score < s[b].score ? 1 : -1;
	return (a > b) - (a < b);	/* names are sorted */
}

static int
cmp_cause(const void *x, const void *y)
{
	const struct dcause *a = x, *b = y;
	if (a->nwho != b->nwho)
		return a->nwho < b->nwho ? 1 : -1;
	if (a->lost != b->lost)
		return a->lost < b->lost ? 1 : -1;
	return strcmp(a->id, b->id);
}

static int
cmp_unsigned(const void *x, const void *y)
{
	unsigned a = *(const unsigned *)x, b = *(const unsigned *)y;
	return (a > b) - (a < b);
}

void
dash_free(struct dash *d)
{
	for (size_t k = 0; d->s && k < d->c->nstudents; k++) {
		free(d->s[k].label);
		free(d->s[k].why);
		free(d->s[k].cell);
		json_decref(d->s[k].causes);
	}
	for (size_t i = 0; i < d->ncauses; i++) {
		free(d->causes[i].who);
		json_decref(d->causes[i].programs);
		json_decref(d->causes[i].cases);
		json_decref(d->causes[i].src);
	}
	free(d->causes);
	free(d->s);
	free(d->col);
	free(d->row);
}

int
dash_build(struct dash *d, const struct dash_class *c, struct sc_err *err)
{
	size_t n = c->nstudents;
	unsigned *tot;

	memset(d, 0, sizeof(*d));
	d->c = c;
	d->s = calloc(n ? n : 1, sizeof(*d->s));
	d->row = calloc(n ? n : 1, sizeof(*d->row));
	d->col = calloc(c->ncases ? c->ncases : 1, sizeof(*d->col));
	if (d->s == NULL || d->row == NULL || d->col == NULL)
		return sc_err_sys(err, "summary.html");
	for (size_t i = 0; i < c->ncases; i++) {
		d->col[i] = i;
		d->max += c->cases[i].points;
	}
	qsort_r(d->col, c->ncases, sizeof(*d->col), cmp_col, (void *)c);
	for (size_t k = 0; k < n; k++) {
		if (load_student(d, k, err) < 0)
			return -1;
		d->row[k] = k;
	}
	/* the top cause is an index into causes: sort a copy of the order, then remap */
	size_t *rank = calloc(d->ncauses ? d->ncauses : 1, sizeof(*rank));
	struct dcause *sorted = malloc((d->ncauses ? d->ncauses : 1) * sizeof(*sorted));
	if (rank == NULL || sorted == NULL) {
		free(rank);
		free(sorted);
		return sc_err_sys(err, "summary.html");
	}
	memcpy(sorted, d->causes, d->ncauses * sizeof(*sorted));
	qsort(sorted, d->ncauses, sizeof(*sorted), cmp_cause);
	for (size_t i = 0; i < d->ncauses; i++)
		for (size_t j = 0; j < d->ncauses; j++)
			if (sorted[j].id == d->causes[i].id)
				rank[i] = j;
	for (size_t k = 0; k < n; k++)
		if (d->s[k].top != SIZE_MAX)
			d->s[k].top = rank[d->s[k].top];
	memcpy(d->causes, sorted, d->ncauses * sizeof(*sorted));
	free(sorted);
	free(rank);
	qsort_r(d->row, n, sizeof(*d->row), cmp_row, d->s);

	/* scores: as summary.md counts them, every student of the gradebook with a number */
	if ((tot = calloc(n ? n : 1, sizeof(*tot))) == NULL)
		return sc_err_sys(err, "summary.html");
	double sum = 0;
	size_t ns = 0;
	for (size_t k = 0; k < n; k++) {
		const struct dstu *s = &d->s[k];
		if (!s->scored)
			continue;
		unsigned b = d->max ? s->score * DASH_BINS / d->max : 0;
		if (b >= DASH_BINS)
			b = DASH_BINS - 1;
		d->bins[b]++;
		if (strcmp(s->build, "failed") == 0 || strcmp(s->build, "timeout") == 0)
			d->bins_nobuild[b]++;
		d->full += s->score == d->max;
		tot[ns++] = s->score;
		sum += s->score;
	}
	qsort(tot, ns, sizeof(*tot), cmp_unsigned);
	d->scored = ns;
	if (ns) {
		d->mean = sum / (double)ns;
		d->median = ns % 2 ? tot[ns / 2] : (tot[ns / 2 - 1] + tot[ns / 2]) / 2.0;
		d->lowest = tot[0];
		d->highest = tot[ns - 1];
	}
	free(tot);
	return 0;
}

