/*
 * dash: summary.json and summary.html for a graded class (dash.h). The
 * figures are computed once into a model (struct dash); summary.json is
 * that model written with jansson, summary.html a view of it written with
 * libxml2's writer, which does all the HTML escaping.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/xmlwriter.h>

#include "dash.h"
#include "fsx.h"
#include "results.h"
#include "rpt.h"

#define DASH_FORMAT "sockcheck-summary-1"
#define DASH_BINS 10

enum { V_NONE = -1 };	/* a case that did not run for a student (no results) */

struct dstu {
	const char *name;	/* raw, for paths */
	char *label;		/* valid UTF-8 without control characters, for display */
	const char *dir;
	char build[16];		/* ok, failed, timeout, no-programs, error, missing */
	int has_results;
	double seconds;		/* grading time; < 0 unknown */
	unsigned score;
	int *cell;		/* per case (suite order): enum res_verdict, or V_NONE */
	size_t top;		/* index into dash.causes, or SIZE_MAX */
	json_t *causes;		/* the cause ids of its problems, distinct, in their order */
	char report[16];	/* "report.html", "results.json", "build.log" or "" */
};

struct dcause {
	const char *id, *title, *hint;	/* from the first results.json that names it */
	json_t *src;		/* keeps the strings above alive */
	size_t *who;		/* students, sorted by name */
	size_t nwho;
	size_t charged;		/* students who lost points to it */
	size_t last_charged;	/* the last of them counted (one student, several programs) */
	unsigned lost;		/* points lost to it over the class */
	json_t *programs, *cases;	/* arrays of distinct strings, first seen first */
};

struct dash {
	const struct dash_class *c;
	size_t *col;		/* display order of the cases: by protocol, role, suite order */
	struct dstu *s;
	size_t *row;		/* display order of the students: score down, then name */
	struct dcause *causes;
	size_t ncauses;
	unsigned max;
	unsigned bins[DASH_BINS], bins_nobuild[DASH_BINS];
	size_t nobuild;		/* build failed or timed out */
	size_t full;
	double mean, median;
	unsigned lowest, highest;
};

/* ---- text ---- */

/* A string of a submission (a name, a summary), fit for the page. */
static char *
clean(const char *s)
{
	return rpt_xml_text(s ? s : "", s ? strlen(s) : 0, "");
}

/* Append `s` percent-encoded for a URL path or fragment (RFC 3986 unreserved kept). */
static void
pct(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~')
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
	}
}

/* ---- the model ---- */

static int
verdict_of(const char *s)
{
	static const char *const names[] = { "pass", "fail", "error", "skip" };
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, names[i]) == 0)
			return i;
	return V_NONE;
}

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
	s->label = clean(s->name);
	s->cell = malloc((c->ncases ? c->ncases : 1) * sizeof(*s->cell));
	s->causes = json_array();
	if (s->label == NULL || s->cell == NULL || s->causes == NULL)
		return sc_err_sys(err, "summary.html");
	for (i = 0; i < c->ncases; i++)
		s->cell[i] = V_NONE;
	snprintf(dir, sizeof(dir), "%s/students/%s", s->dir, s->name);
	snprintf(s->build, sizeof(s->build), "missing");
	snprintf(path, sizeof(path), "%s/grade.json", dir);
	if ((stamp = json_load_file(path, 0, &je)) != NULL) {
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
	if (strcmp(s->build, "ok") != 0 && strcmp(s->build, "no-programs") != 0)
		return 0;
	snprintf(path, sizeof(path), "%s/results.json", dir);
	if ((res = json_load_file(path, 0, &je)) == NULL ||
	    !json_is_array(cases = json_object_get(res, "cases"))) {
		json_decref(res);
		snprintf(s->build, sizeof(s->build), "error");
		return 0;
	}
	s->has_results = 1;
	/* the gradebook's total: the points each case earned, skipped ones none */
	json_array_foreach(cases, i, jc) {
		size_t k2 = col_of(c, json_string_value(json_object_get(jc, "id")), &from);
		if (k2 == SIZE_MAX)
			continue;
		s->cell[k2] = verdict_of(json_string_value(json_object_get(jc, "verdict")));
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

static const char *
col_part(const char *id, int part, size_t *len)
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

static int
cmp_part(const char *a, const char *b, int part)
{
	size_t la, lb;
	const char *pa = col_part(a, part, &la), *pb = col_part(b, part, &lb);
	int r = strncmp(pa, pb, la < lb ? la : lb);
	return r ? r : (la > lb) - (la < lb);
}

static int
cmp_col(const void *x, const void *y, void *arg)
{
	const struct dash_class *c = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int r = cmp_part(c->cases[a].id, c->cases[b].id, 0);
	if (r == 0)
		r = cmp_part(c->cases[a].id, c->cases[b].id, 1);
	return r ? r : (a > b) - (a < b);
}

static int
cmp_row(const void *x, const void *y, void *arg)
{
	const struct dstu *s = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
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

static void
dash_free(struct dash *d)
{
	for (size_t k = 0; d->s && k < d->c->nstudents; k++) {
		free(d->s[k].label);
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

static int
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

	/* scores: as summary.md counts them, every student of the gradebook */
	if ((tot = calloc(n ? n : 1, sizeof(*tot))) == NULL)
		return sc_err_sys(err, "summary.html");
	double sum = 0;
	for (size_t k = 0; k < n; k++) {
		const struct dstu *s = &d->s[k];
		unsigned b = d->max ? s->score * DASH_BINS / d->max : 0;
		if (b >= DASH_BINS)
			b = DASH_BINS - 1;
		d->bins[b]++;
		if (strcmp(s->build, "failed") == 0 || strcmp(s->build, "timeout") == 0)
			d->bins_nobuild[b]++;
		d->full += s->score == d->max;
		tot[k] = s->score;
		sum += s->score;
	}
	qsort(tot, n, sizeof(*tot), cmp_unsigned);
	if (n) {
		d->mean = sum / (double)n;
		d->median = n % 2 ? tot[n / 2] : (tot[n / 2 - 1] + tot[n / 2]) / 2.0;
		d->lowest = tot[0];
		d->highest = tot[n - 1];
	}
	free(tot);
	return 0;
}

/* ---- summary.json ---- */

static const char *const builds[] = { "ok", "failed", "timeout", "no-programs", "error", "missing" };

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
model_json(const struct dash *d)
{
	const struct dash_class *c = d->c;
	json_t *root = json_object(), *bl = json_object(), *hist = json_array(), *cases = json_array(),
	    *probs = json_array(), *studs = json_array();
	size_t n = c->nstudents;

	if (root == NULL || bl == NULL || hist == NULL || cases == NULL || probs == NULL || studs == NULL) {
		json_decref(root);
		json_decref(bl);
		json_decref(hist);
		json_decref(cases);
		json_decref(probs);
		json_decref(studs);
		return NULL;
	}
	for (size_t b = 0; b < sizeof(builds) / sizeof(builds[0]); b++) {
		size_t cnt = 0;
		for (size_t k = 0; k < n; k++)
			cnt += strcmp(d->s[k].build, builds[b]) == 0;
		json_object_set_new(bl, builds[b], json_integer((json_int_t)cnt));
	}
	for (int b = 0; b < DASH_BINS; b++)
		json_array_append_new(hist, json_pack("{s:i, s:i, s:i, s:i}", "from_percent", b * 10,
		    "to_percent", (b + 1) * 10, "students", (int)d->bins[b], "no_build",
		    (int)d->bins_nobuild[b]));
	for (size_t j = 0; j < c->ncases; j++) {
		size_t i = d->col[j], cnt[4] = { 0 }, none = 0, lp, lr;
		const char *proto = col_part(c->cases[i].id, 0, &lp), *role = col_part(c->cases[i].id, 1, &lr);
		for (size_t k = 0; k < n; k++) {
			if (d->s[k].cell[i] == V_NONE)
				none++;
			else
				cnt[d->s[k].cell[i]]++;
		}
		json_array_append_new(cases, json_pack("{s:s, s:s, s:s%, s:s%, s:s, s:i, s:b, s:i, s:i, "
		    "s:i, s:i, s:i}", "id", c->cases[i].id, "title", c->cases[i].title, "protocol", proto,
		    lp, "role", role, lr, "level", c->cases[i].level, "points", (int)c->cases[i].points,
		    "hidden", c->cases[i].hidden, "passed", (int)cnt[RES_PASS], "failed",
		    (int)cnt[RES_FAIL], "errors", (int)cnt[RES_ERROR], "skipped", (int)cnt[RES_SKIP],
		    "not_run", (int)none));
	}
	for (size_t i = 0; i < d->ncauses; i++) {
		const struct dcause *dc = &d->causes[i];
		json_t *who = json_array();
		for (size_t w = 0; who && w < dc->nwho; w++)
			json_array_append_new(who, json_string(d->s[dc->who[w]].label));
		json_array_append_new(probs, json_pack("{s:s, s:o, s:o, s:i, s:i, s:i, s:O, s:O, s:o}",
		    "cause", dc->id, "title", str_or_null(dc->title), "hint", str_or_null(dc->hint),
		    "students", (int)dc->nwho, "charged_students", (int)dc->charged, "points_lost",
		    (int)dc->lost, "programs", dc->programs, "cases", dc->cases, "hit", who));
	}
	for (size_t r = 0; r < n; r++) {
		const struct dstu *s = &d->s[d->row[r]];
		json_t *cells = json_array();
		for (size_t j = 0; cells && j < c->ncases; j++) {
			int v = s->cell[d->col[j]];
			json_array_append_new(cells, v == V_NONE ? json_null() :
			    json_string(res_verdict_name((enum res_verdict)v)));
		}
		json_array_append_new(studs, json_pack("{s:s, s:i, s:i, s:s, s:o, s:o, s:O, s:o, s:o}",
		    "name", s->label, "score", (int)s->score, "max_score", (int)d->max, "build", s->build,
		    "seconds", s->seconds >= 0 ? json_real(s->seconds) : json_null(),
		    "top_cause", s->top == SIZE_MAX ? json_null() : json_string(d->causes[s->top].id),
		    "causes", s->causes,
		    "report", s->report[0] ? json_string(s->report) : json_null(), "cells", cells));
	}
	json_object_set_new(root, "format", json_string(DASH_FORMAT));
	json_object_set_new(root, "tool_version", json_string(SOCKCHECK_VERSION));
	json_object_set_new(root, "title", str_or_null(c->title));
	json_object_set_new(root, "max_score", json_integer(d->max));
	json_object_set_new(root, "scores", json_pack("{s:i, s:f, s:f, s:i, s:i, s:i, s:i}",
	    "students", (int)n, "mean", d->mean, "median", d->median, "lowest", (int)d->lowest,
	    "highest", (int)d->highest, "full_marks", (int)d->full, "no_build", (int)d->nobuild));
	json_object_set_new(root, "builds", bl);
	json_object_set_new(root, "histogram", hist);
	json_object_set_new(root, "cases", cases);
	json_object_set_new(root, "problems", probs);
	json_object_set_new(root, "students", studs);
	return root;
}

/* ---- summary.html ---- */

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:2px solid #ddd;margin-top:1.5em}"
    ".note{color:#666}dl.stats{display:grid;grid-template-columns:auto auto;gap:2px 1em;"
    "width:max-content}dl.stats dt{font-weight:600}dl.stats dd{margin:0}"
    "#scores{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start}"
    "svg text{font:11px sans-serif;fill:#222}rect.bar{fill:#4a7bb7}rect.nobuild{fill:#c44;"
    "fill-opacity:.8}"
    "#causes li{margin-bottom:.8em}#causes .hint{margin:.2em 0}"
    ".who a{margin-right:.4em;white-space:nowrap}"
    "code{background:#f3f3f3;padding:0 3px}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 5px;text-align:left}"
    "#matrix td,#matrix th{white-space:nowrap}"
    "#matrix tbody th{position:sticky;left:0;background:#fff;z-index:1}"
    "#matrix td.v{text-align:center;padding:0;min-width:1.4em}"
    "#matrix td.v a{display:block;color:inherit;text-decoration:none;padding:2px}"
    "#matrix th.c{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal;"
    "white-space:nowrap;padding:4px 2px}"
    ".pass{background:#d9f2d9;color:#060}.fail{background:#f7d4d4;color:#900}"
    ".error{background:#ecd6f2;color:#707}.skip{background:#f5ebcc;color:#750}"
    ".none{background:#eee;color:#888}td.hid{outline:2px dashed #888;outline-offset:-3px}"
    "th.hid{font-style:italic}tr.student:hover td{filter:brightness(.95)}"
    ".legend span{display:inline-block;border:1px solid #ccc;padding:0 .4em;margin-right:.4em}"
    "@page{size:A4 landscape;margin:1cm}"
    "@media print{body{margin:0;font-size:9px}a{color:inherit;text-decoration:none}"
    "#matrix tbody th{position:static}#matrix td,#matrix th{padding:1px 2px}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "tr,li{break-inside:avoid}h2{break-after:avoid}}";

static const char *const vclass[] = { "pass", "fail", "error", "skip" };
static const char *const vmark[] = { "\xe2\x9c\x93", "\xe2\x9c\x97", "E", "S" };	/* ✓ ✗ E S */

static void
el(xmlTextWriterPtr w, const char *name, const char *cls, const char *text)
{
	char *t = clean(text);
	xmlTextWriterStartElement(w, BAD_CAST name);
	if (cls)
		xmlTextWriterWriteAttribute(w, BAD_CAST "class", BAD_CAST cls);
	xmlTextWriterWriteString(w, BAD_CAST(t ? t : ""));
	xmlTextWriterEndElement(w);
	free(t);
}

static void
attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	char *t = clean(value);
	xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST(t ? t : ""));
	free(t);
}

static void
attrf(xmlTextWriterPtr w, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
attrf(xmlTextWriterPtr w, const char *name, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	attr(w, name, buf);
}

/* The link to a student's report (students/NAME/FILE[#CASE]), or NULL: caller frees. */
static char *
report_href(const struct dash *d, const struct dstu *s, const char *case_id)
{
	char *text = NULL, real[PATH_MAX];
	size_t len = 0;
	FILE *f;

	if (!s->report[0] || (f = open_memstream(&text, &len)) == NULL)
		return NULL;
	if (strcmp(s->dir, d->c->out_dir) != 0) {
		/* merge --no-copy: the student stays in its shard's directory */
		fputs("file://", f);
		if (realpath(s->dir, real) == NULL)
			snprintf(real, sizeof(real), "%s", s->dir);
		for (char *sv = NULL, *p = strtok_r(real, "/", &sv); p; p = strtok_r(NULL, "/", &sv)) {
			fputc('/', f);
			pct(f, p);
		}
		fputc('/', f);
	}
	fputs("students/", f);
	pct(f, s->name);
	fprintf(f, "/%s", s->report);
	if (case_id && strcmp(s->report, "report.html") == 0) {
		fputc('#', f);
		pct(f, case_id);
	}
	fclose(f);
	return text;
}

static void
link_to(xmlTextWriterPtr w, const char *href, const char *title, const char *text)
{
	xmlTextWriterStartElement(w, BAD_CAST "a");
	if (href)
		attr(w, "href", href);
	if (title)
		attr(w, "title", title);
	char *t = clean(text);
	xmlTextWriterWriteString(w, BAD_CAST(t ? t : ""));
	free(t);
	xmlTextWriterEndElement(w);
}

static void
html_histogram(xmlTextWriterPtr w, const struct dash *d)
{
	unsigned top = 1;
	const int bw = 36, gap = 6, h = 140, x0 = 30, y0 = 10;
	char buf[128];

	for (int b = 0; b < DASH_BINS; b++)
		if (d->bins[b] > top)
			top = d->bins[b];
	xmlTextWriterStartElement(w, BAD_CAST "svg");
	attr(w, "id", "histogram");
	attr(w, "xmlns", "http://www.w3.org/2000/svg");
	attrf(w, "width", "%d", x0 + DASH_BINS * (bw + gap) + 10);
	attrf(w, "height", "%d", y0 + h + 40);
	attr(w, "role", "img");
	attr(w, "aria-label", "score histogram");
	/* axis and the tallest count */
	xmlTextWriterStartElement(w, BAD_CAST "line");
	attrf(w, "x1", "%d", x0 - 4);
	attrf(w, "x2", "%d", x0 + DASH_BINS * (bw + gap));
	attrf(w, "y1", "%d", y0 + h);
	attrf(w, "y2", "%d", y0 + h);
	attr(w, "stroke", "#888");
	xmlTextWriterEndElement(w);
	xmlTextWriterStartElement(w, BAD_CAST "text");
	attrf(w, "x", "%d", x0 - 6);
	attrf(w, "y", "%d", y0 + 8);
	attr(w, "text-anchor", "end");
	snprintf(buf, sizeof(buf), "%u", top);
	xmlTextWriterWriteString(w, BAD_CAST buf);
	xmlTextWriterEndElement(w);
	for (int b = 0; b < DASH_BINS; b++) {
		int x = x0 + b * (bw + gap), bh = (int)((double)d->bins[b] * h / top + 0.5);
		int nh = (int)((double)d->bins_nobuild[b] * h / top + 0.5);
		xmlTextWriterStartElement(w, BAD_CAST "g");
		attr(w, "class", "bin");
		attrf(w, "data-students", "%u", d->bins[b]);
		xmlTextWriterStartElement(w, BAD_CAST "title");
		snprintf(buf, sizeof(buf), "%d%%%s%d%%: %u student%s%s", b * 10, b == DASH_BINS - 1 ?
		    " to " : " to under ", (b + 1) * 10, d->bins[b], d->bins[b] == 1 ? "" : "s", "");
		xmlTextWriterWriteString(w, BAD_CAST buf);
		if (d->bins_nobuild[b]) {
			snprintf(buf, sizeof(buf), " (%u did not build)", d->bins_nobuild[b]);
			xmlTextWriterWriteString(w, BAD_CAST buf);
		}
		xmlTextWriterEndElement(w);
		xmlTextWriterStartElement(w, BAD_CAST "rect");
		attr(w, "class", "bar");
		attrf(w, "x", "%d", x);
		attrf(w, "y", "%d", y0 + h - bh);
		attrf(w, "width", "%d", bw);
		attrf(w, "height", "%d", bh);
		xmlTextWriterEndElement(w);
		if (nh) {
			xmlTextWriterStartElement(w, BAD_CAST "rect");
			attr(w, "class", "nobuild");
			attrf(w, "x", "%d", x);
			attrf(w, "y", "%d", y0 + h - nh);
			attrf(w, "width", "%d", bw);
			attrf(w, "height", "%d", nh);
			xmlTextWriterEndElement(w);
		}
		xmlTextWriterStartElement(w, BAD_CAST "text");
		attrf(w, "x", "%d", x + bw / 2);
		attrf(w, "y", "%d", y0 + h - bh - 3);
		attr(w, "text-anchor", "middle");
		snprintf(buf, sizeof(buf), "%u", d->bins[b]);
		xmlTextWriterWriteString(w, BAD_CAST(d->bins[b] ? buf : ""));
		xmlTextWriterEndElement(w);
		xmlTextWriterStartElement(w, BAD_CAST "text");
		attrf(w, "x", "%d", x + bw / 2);
		attrf(w, "y", "%d", y0 + h + 14);
		attr(w, "text-anchor", "middle");
		snprintf(buf, sizeof(buf), "%d%%", b * 10);
		xmlTextWriterWriteString(w, BAD_CAST buf);
		xmlTextWriterEndElement(w);
		xmlTextWriterEndElement(w);	/* g */
	}
	xmlTextWriterStartElement(w, BAD_CAST "text");
	attrf(w, "x", "%d", x0 + DASH_BINS * (bw + gap) / 2);
	attrf(w, "y", "%d", y0 + h + 32);
	attr(w, "text-anchor", "middle");
	xmlTextWriterWriteString(w, BAD_CAST "score, % of the points (red: did not build)");
	xmlTextWriterEndElement(w);
	xmlTextWriterEndElement(w);	/* svg */
}

static void
stat_row(xmlTextWriterPtr w, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
stat_row(xmlTextWriterPtr w, const char *name, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	el(w, "dt", NULL, name);
	el(w, "dd", NULL, buf);
}

static void
html_causes(xmlTextWriterPtr w, const struct dash *d)
{
	char buf[256];
	size_t i;
	json_t *v;

	el(w, "h2", NULL, "Problems by cause, most common first");
	if (d->ncauses == 0) {
		el(w, "p", NULL, "No problems found.");
		return;
	}
	xmlTextWriterStartElement(w, BAD_CAST "ol");
	attr(w, "id", "causes");
	for (size_t c = 0; c < d->ncauses; c++) {
		const struct dcause *dc = &d->causes[c];
		xmlTextWriterStartElement(w, BAD_CAST "li");
		attr(w, "class", "cause");
		attrf(w, "id", "cause-%s", dc->id);
		el(w, "strong", NULL, dc->title ? dc->title : dc->id);
		xmlTextWriterWriteString(w, BAD_CAST " ");
		el(w, "code", NULL, dc->id);
		snprintf(buf, sizeof(buf), ": %zu student%s (a case failed on it for %zu), %u point%s "
		    "lost, in ", dc->nwho, dc->nwho == 1 ? "" : "s", dc->charged, dc->lost,
		    dc->lost == 1 ? "" : "s");
		xmlTextWriterWriteString(w, BAD_CAST buf);
		json_array_foreach(dc->programs, i, v) {
			if (i)
				xmlTextWriterWriteString(w, BAD_CAST ", ");
			xmlTextWriterWriteString(w, BAD_CAST json_string_value(v));
		}
		if (dc->hint)
			el(w, "p", "hint", dc->hint);
		xmlTextWriterStartElement(w, BAD_CAST "p");
		attr(w, "class", "who");
		xmlTextWriterWriteString(w, BAD_CAST "Students: ");
		for (size_t k = 0; k < dc->nwho; k++) {
			snprintf(buf, sizeof(buf), "#s-%zu", dc->who[k]);
			link_to(w, buf, NULL, d->s[dc->who[k]].label);
		}
		xmlTextWriterEndElement(w);
		xmlTextWriterStartElement(w, BAD_CAST "p");
		attr(w, "class", "note");
		xmlTextWriterWriteString(w, BAD_CAST "Cases: ");
		json_array_foreach(dc->cases, i, v) {
			if (i)
				xmlTextWriterWriteString(w, BAD_CAST ", ");
			el(w, "code", NULL, json_string_value(v));
		}
		xmlTextWriterEndElement(w);
		xmlTextWriterEndElement(w);	/* li */
	}
	xmlTextWriterEndElement(w);
}

static void
html_matrix(xmlTextWriterPtr w, const struct dash *d)
{
	const struct dash_class *c = d->c;
	char buf[256];

	el(w, "h2", NULL, "Students by case");
	xmlTextWriterStartElement(w, BAD_CAST "p");
	attr(w, "class", "legend");
	for (int v = 0; v < 4; v++) {
		snprintf(buf, sizeof(buf), "%s %s", vmark[v], vclass[v]);
		el(w, "span", vclass[v], buf);
	}
	el(w, "span", "none", "\xc2\xb7 not run (no build)");
	el(w, "span", "hid", "h: hidden case");
	xmlTextWriterWriteString(w, BAD_CAST "Rows: highest score first. Each cell links to the "
	    "student's report at that case.");
	xmlTextWriterEndElement(w);
	xmlTextWriterStartElement(w, BAD_CAST "table");
	attr(w, "id", "matrix");
	xmlTextWriterStartElement(w, BAD_CAST "thead");
	/* first row: the protocol.role groups */
	xmlTextWriterStartElement(w, BAD_CAST "tr");
	xmlTextWriterStartElement(w, BAD_CAST "th");
	attr(w, "colspan", "5");
	attr(w, "rowspan", "2");
	xmlTextWriterWriteString(w, BAD_CAST "student");
	xmlTextWriterEndElement(w);
	for (size_t j = 0; j < c->ncases;) {
		size_t k = j + 1, lp, lr;
		const char *id = c->cases[d->col[j]].id, *p = col_part(id, 0, &lp);
		(void)col_part(id, 1, &lr);
		while (k < c->ncases && cmp_part(c->cases[d->col[k]].id, id, 0) == 0 &&
		    cmp_part(c->cases[d->col[k]].id, id, 1) == 0)
			k++;
		snprintf(buf, sizeof(buf), "%.*s", (int)(lp + 1 + lr), p);
		xmlTextWriterStartElement(w, BAD_CAST "th");
		attrf(w, "colspan", "%zu", k - j);
		xmlTextWriterWriteString(w, BAD_CAST buf);
		xmlTextWriterEndElement(w);
		j = k;
	}
	xmlTextWriterEndElement(w);
	xmlTextWriterStartElement(w, BAD_CAST "tr");
	for (size_t j = 0; j < c->ncases; j++) {
		const struct dash_case *dc = &c->cases[d->col[j]];
		size_t ln;
		const char *name = col_part(dc->id, 2, &ln);
		xmlTextWriterStartElement(w, BAD_CAST "th");
		attr(w, "class", dc->hidden ? "c hid" : "c");
		snprintf(buf, sizeof(buf), "%s: %s (%u point%s, %s%s)", dc->id, dc->title, dc->points,
		    dc->points == 1 ? "" : "s", dc->level, dc->hidden ? ", hidden" : "");
		attr(w, "title", buf);
		snprintf(buf, sizeof(buf), "%s%s", *name ? name : dc->id, dc->hidden ? " (hidden)" : "");
		xmlTextWriterWriteString(w, BAD_CAST buf);
		xmlTextWriterEndElement(w);
	}
	xmlTextWriterEndElement(w);
	xmlTextWriterStartElement(w, BAD_CAST "tr");
	xmlTextWriterWriteRaw(w, BAD_CAST "<th>name</th><th>score</th><th>build</th><th>time</th>"
	    "<th>top cause</th>");
	for (size_t j = 0; j < c->ncases; j++) {
		snprintf(buf, sizeof(buf), "%u", c->cases[d->col[j]].points);
		el(w, "th", NULL, buf);
	}
	xmlTextWriterEndElement(w);
	xmlTextWriterEndElement(w);	/* thead */
	xmlTextWriterStartElement(w, BAD_CAST "tbody");
	for (size_t r = 0; r < c->nstudents; r++) {
		size_t k = d->row[r];
		const struct dstu *s = &d->s[k];
		char *href = report_href(d, s, NULL);

		xmlTextWriterStartElement(w, BAD_CAST "tr");
		attr(w, "class", "student");
		attrf(w, "id", "s-%zu", k);
		xmlTextWriterStartElement(w, BAD_CAST "th");
		link_to(w, href, NULL, s->label);
		xmlTextWriterEndElement(w);
		free(href);
		snprintf(buf, sizeof(buf), "%u/%u", s->score, d->max);
		el(w, "td", "score", buf);
		el(w, "td", strcmp(s->build, "ok") == 0 ? "build" : "build fail", s->build);
		if (s->seconds >= 0)
			snprintf(buf, sizeof(buf), "%.1f s", s->seconds);
		else
			snprintf(buf, sizeof(buf), "?");
		el(w, "td", "time", buf);
		xmlTextWriterStartElement(w, BAD_CAST "td");
		attr(w, "class", "top");
		if (s->top != SIZE_MAX) {
			snprintf(buf, sizeof(buf), "#cause-%s", d->causes[s->top].id);
			link_to(w, buf, d->causes[s->top].title, d->causes[s->top].id);
			if (json_array_size(s->causes) > 1) {
				snprintf(buf, sizeof(buf), " +%zu", json_array_size(s->causes) - 1);
				xmlTextWriterWriteString(w, BAD_CAST buf);
			}
		} else {
			xmlTextWriterWriteString(w, BAD_CAST "");
		}
		xmlTextWriterEndElement(w);
		for (size_t j = 0; j < c->ncases; j++) {
			const struct dash_case *dc = &c->cases[d->col[j]];
			int v = s->cell[d->col[j]];
			char *ch;
			snprintf(buf, sizeof(buf), "v %s%s", v == V_NONE ? "none" : vclass[v],
			    dc->hidden ? " hid" : "");
			xmlTextWriterStartElement(w, BAD_CAST "td");
			attr(w, "class", buf);
			snprintf(buf, sizeof(buf), "%s%s", v == V_NONE ? "\xc2\xb7" : vmark[v],
			    dc->hidden ? "h" : "");
			/* report.html has a section (an anchor) for every case that did not pass */
			if (v != V_NONE && (ch = report_href(d, s, v == RES_PASS ? NULL : dc->id)) != NULL) {
				link_to(w, ch, NULL, buf);
				free(ch);
			} else {
				xmlTextWriterWriteString(w, BAD_CAST buf);
			}
			xmlTextWriterEndElement(w);
		}
		xmlTextWriterEndElement(w);	/* tr */
	}
	xmlTextWriterEndElement(w);	/* tbody */
	xmlTextWriterEndElement(w);	/* table */
}

static void
html_cases(xmlTextWriterPtr w, const struct dash *d)
{
	const struct dash_class *c = d->c;
	char buf[64];

	el(w, "h2", NULL, "Cases");
	xmlTextWriterStartElement(w, BAD_CAST "table");
	attr(w, "id", "cases");
	xmlTextWriterWriteRaw(w, BAD_CAST "<tr><th>case</th><th>title</th><th>level</th>"
	    "<th>points</th><th>passed</th><th>failed</th><th>errors</th><th>skipped</th>"
	    "<th>not run</th></tr>");
	for (size_t j = 0; j < c->ncases; j++) {
		const struct dash_case *dc = &c->cases[d->col[j]];
		size_t cnt[5] = { 0 };
		for (size_t k = 0; k < c->nstudents; k++) {
			int v = d->s[k].cell[d->col[j]];
			cnt[v == V_NONE ? 4 : v]++;
		}
		xmlTextWriterStartElement(w, BAD_CAST "tr");
		xmlTextWriterStartElement(w, BAD_CAST "td");
		el(w, "code", NULL, dc->id);
		if (dc->hidden)
			xmlTextWriterWriteString(w, BAD_CAST " (hidden)");
		xmlTextWriterEndElement(w);
		el(w, "td", NULL, dc->title);
		el(w, "td", NULL, dc->level);
		snprintf(buf, sizeof(buf), "%u", dc->points);
		el(w, "td", NULL, buf);
		for (int v = 0; v < 5; v++) {
			snprintf(buf, sizeof(buf), "%zu", cnt[v]);
			el(w, "td", NULL, buf);
		}
		xmlTextWriterEndElement(w);
	}
	xmlTextWriterEndElement(w);
}

static int
write_html(const struct dash *d, const char *path, struct sc_err *err)
{
	const struct dash_class *c = d->c;
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	char line[512];
	int rc;

	if (w == NULL) {
		if (buf)
			xmlBufferFree(buf);
		return sc_err_set(err, "summary.html: out of memory");
	}
	xmlTextWriterWriteRaw(w, BAD_CAST "<!DOCTYPE html>\n");
	xmlTextWriterStartElement(w, BAD_CAST "html");
	attr(w, "lang", "en");
	xmlTextWriterStartElement(w, BAD_CAST "head");
	xmlTextWriterWriteRaw(w, BAD_CAST "<meta charset=\"utf-8\"/>");
	snprintf(line, sizeof(line), "Class summary%s%s", c->title ? ": " : "", c->title ? c->title : "");
	el(w, "title", NULL, line);
	el(w, "style", NULL, css);
	xmlTextWriterEndElement(w);
	xmlTextWriterStartElement(w, BAD_CAST "body");
	el(w, "h1", NULL, line);
	snprintf(line, sizeof(line), "%zu student%s, %zu case%s, %u point%s in all. The instructor's "
	    "view: hidden cases are shown (marked h); do not share this page with students.",
	    c->nstudents, c->nstudents == 1 ? "" : "s", c->ncases, c->ncases == 1 ? "" : "s", d->max,
	    d->max == 1 ? "" : "s");
	el(w, "p", "note", line);

	el(w, "h2", NULL, "Scores");
	xmlTextWriterStartElement(w, BAD_CAST "div");
	attr(w, "id", "scores");
	html_histogram(w, d);
	xmlTextWriterStartElement(w, BAD_CAST "dl");
	attr(w, "class", "stats");
	stat_row(w, "students", "%zu", c->nstudents);
	stat_row(w, "mean", "%.1f / %u", d->mean, d->max);
	stat_row(w, "median", "%.1f", d->median);
	stat_row(w, "lowest, highest", "%u, %u", d->lowest, d->highest);
	stat_row(w, "full marks", "%zu", d->full);
	stat_row(w, "did not build", "%zu", d->nobuild);
	for (size_t b = 2; b < sizeof(builds) / sizeof(builds[0]); b++) {
		size_t cnt = 0;
		for (size_t k = 0; k < c->nstudents; k++)
			cnt += strcmp(d->s[k].build, builds[b]) == 0;
		if (cnt && b != 2)
			stat_row(w, builds[b], "%zu", cnt);
	}
	xmlTextWriterEndElement(w);	/* dl */
	xmlTextWriterEndElement(w);	/* div */
	html_causes(w, d);
	html_matrix(w, d);
	html_cases(w, d);
	xmlTextWriterEndElement(w);	/* body */
	xmlTextWriterEndElement(w);	/* html */
	xmlTextWriterEndDocument(w);
	xmlFreeTextWriter(w);
	rc = rpt_atomic_write(path, (const char *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf),
	    err);
	xmlBufferFree(buf);
	return rc;
}

int
dash_write(const struct dash_class *c, struct sc_err *err)
{
	struct dash d;
	char path[PATH_MAX + 16];
	char *text = NULL;
	json_t *root;
	int rc = -1;

	if (dash_build(&d, c, err) < 0)
		goto out;
	if ((root = model_json(&d)) == NULL) {
		sc_err_set(err, "summary.json: could not build the document");
		goto out;
	}
	text = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	json_decref(root);
	if (text == NULL) {
		sc_err_set(err, "summary.json: could not serialise");
		goto out;
	}
	size_t len = strlen(text);
	text[len] = '\n';	/* over the terminating NUL: the length is passed */
	snprintf(path, sizeof(path), "%s/summary.json", c->out_dir);
	if (rpt_atomic_write(path, text, len + 1, err) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/summary.html", c->out_dir);
	if (write_html(&d, path, err) < 0)
		goto out;
	rc = 0;
out:
	free(text);
	dash_free(&d);
	return rc;
}
