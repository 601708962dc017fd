/*
 * dash: summary.json and summary.html for a graded class (dash.h). The
 * figures are computed once into a model (struct dash); summary.json is
 * that model written with jansson, summary.html a view of it written with
 * libxml2's writer, which does all the HTML escaping.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dash_int.h"
#include "jsonio.h"
#include "results.h"
#include "rpt.h"

/* ---- summary.json ---- */

const char *const dash_builds[DASH_NBUILDS] = {
	"ok", "failed", "timeout", "no-programs", "error", "missing"
};

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *
dash_model_json(const struct dash *d)
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
	for (size_t b = 0; b < sizeof(dash_builds) / sizeof(dash_builds[0]); b++) {
		size_t cnt = 0;
		for (size_t k = 0; k < n; k++)
			cnt += strcmp(d->s[k].build, dash_builds[b]) == 0;
		json_object_set_new(bl, dash_builds[b], json_integer((json_int_t)cnt));
	}
	for (int b = 0; b < DASH_BINS; b++)
		json_array_append_new(hist, json_pack("{s:i, s:i, s:i, s:i}", "from_percent", b * 10,
		    "to_percent", (b + 1) * 10, "students", (int)d->bins[b], "no_build",
		    (int)d->bins_nobuild[b]));
	for (size_t j = 0; j < c->ncases; j++) {
		size_t i = d->col[j], cnt[4] = { 0 }, none = 0, lp, lr;
		const char *proto = dash_col_part(c->cases[i].id, 0, &lp), *role = dash_col_part(c->cases[i].id, 1, &lr);
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
		json_array_append_new(studs, json_pack("{s:s, s:o, s:i, s:s, s:o, s:o, s:o, s:O, s:o, s:o}",
		    "name", s->label, "score", s->scored ? json_integer(s->score) : json_null(),
		    "max_score", (int)d->max, "build", s->build,
		    "why", s->scored ? json_null() : jsonio_str(s->why ? s->why : "?"),
		    "seconds", s->seconds >= 0 ? json_real(s->seconds) : json_null(),
		    "top_cause", s->top == SIZE_MAX ? json_null() : json_string(d->causes[s->top].id),
		    "causes", s->causes,
		    "report", s->report[0] ? json_string(s->report) : json_null(), "cells", cells));
	}
	json_object_set_new(root, "format", json_string(DASH_FORMAT));
	json_object_set_new(root, "tool_version", json_string(SOCKCHECK_VERSION));
	json_object_set_new(root, "title", str_or_null(c->title));
	json_object_set_new(root, "max_score", json_integer(d->max));
	json_object_set_new(root, "scores", json_pack("{s:i, s:i, s:f, s:f, s:i, s:i, s:i, s:i}",
	    "students", (int)n, "scored", (int)d->scored, "mean", d->mean, "median", d->median, "lowest", (int)d->lowest,
	    "highest", (int)d->highest, "full_marks", (int)d->full, "no_build", (int)d->nobuild));
	json_object_set_new(root, "builds", bl);
	json_object_set_new(root, "histogram", hist);
	json_object_set_new(root, "cases", cases);
	json_object_set_new(root, "problems", probs);
	json_object_set_new(root, "students", studs);
	return root;
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
	if ((root = dash_model_json(&d)) == NULL) {
		sc_err_set(err, "summary.json: could not build the document");
		goto out;
	}
	size_t len;
	text = jsonio_dumps(root, JSON_INDENT(2), &len);
	json_decref(root);
	if (text == NULL) {
		sc_err_set(err, "summary.json: could not serialise");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/summary.json", c->out_dir);
	if (rpt_atomic_write(path, text, len, err) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/summary.html", c->out_dir);
	if (dash_write_html(&d, path, err) < 0)
		goto out;
	rc = 0;
out:
	free(text);
	dash_free(&d);
	return rc;
}
