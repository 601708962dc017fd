/*
 * grade: the class's outputs from students/ (gradebook.csv, summary.md,
 * summary.json and summary.html, manifest.json), the same code for `grade`
 * and `merge`.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dash.h"
#include "grade_int.h"
#include "jsonio.h"
#include "results.h"
#include "rpt.h"

static void
recs_free(struct grade_rec *r, size_t n, size_t ncols)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].name);
		free(r[i].score);
		free(r[i].verdict);
		free(r[i].why);
		grade_free_strings(r[i].summary, r[i].summary ? ncols : 0);
	}
	free(r);
}

/* One student's row, from students/NAME/grade.json and results.json. */
static int
rec_load(const char *students_dir, const char *name, const struct grade_cols *c, struct grade_rec *r,
    struct sc_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], why[PATH_MAX + 256];
	struct grade_stamp s;
	int have;

	memset(r, 0, sizeof(*r));
	r->name = strdup(name);
	r->score = calloc(c->n, sizeof(*r->score));
	r->verdict = calloc(c->n, sizeof(*r->verdict));
	r->summary = calloc(c->n, sizeof(*r->summary));
	if (r->name == NULL || r->score == NULL || r->verdict == NULL || r->summary == NULL)
		return sc_err_sys(err, "gradebook");
	for (size_t i = 0; i < c->n; i++)
		r->verdict[i] = -1;
	grade_pathf(dir, sizeof(dir), "%s/%s", students_dir, name);
	/* a student without its numbers keeps empty cells and why: never a silent 0 */
	if ((have = grade_stamp_read(dir, &s, why, sizeof(why))) <= 0) {
		grade_pathf(r->build, sizeof(r->build), "%s", have == 0 ? "missing" : "error");
		if (have == 0)
			grade_pathf(why, sizeof(why), "%s/grade.json: not graded yet", dir);
		r->why = strdup(why);
		return r->why ? 0 : sc_err_sys(err, "gradebook");
	}
	grade_pathf(r->build, sizeof(r->build), "%s", s.complete ? s.build : "error");
	if (!s.complete) {
		grade_pathf(why, sizeof(why), "%s/grade.json: %s", dir, s.message[0] ? s.message :
		    "grading did not finish");
		r->why = strdup(why);
		return r->why ? 0 : sc_err_sys(err, "gradebook");
	}
	if (!grade_build_has_results(s.build)) {
		r->scored = 1;	/* the build failed: 0 is its score */
		return 0;
	}
	grade_pathf(path, sizeof(path), "%s/results.json", dir);
	json_error_t je;
	json_t *root = jsonio_load_file(path, &je), *cases = NULL;
	if (root == NULL || !json_is_array(cases = json_object_get(root, "cases"))) {
		if (root == NULL)
			grade_pathf(why, sizeof(why), "%s: line %d: %s", path, je.line, je.text);
		else
			grade_pathf(why, sizeof(why), "%s: no \"cases\" array", path);
		json_decref(root);
		grade_pathf(r->build, sizeof(r->build), "error");
		r->why = strdup(why);
		return r->why ? 0 : sc_err_sys(err, "gradebook");
	}
	r->has_results = 1;
	r->scored = 1;
	r->counted = strcmp(s.build, "ok") == 0;
	size_t from = 0;
	for (size_t k = 0; k < json_array_size(cases); k++) {
		json_t *jc = json_array_get(cases, k);
		const char *id = json_string_value(json_object_get(jc, "id"));
		size_t i;
		if (id == NULL)
			continue;
		/* the same order as the columns, normally: search from the last hit */
		for (i = 0; i < c->n && strcmp(c->v[(from + i) % c->n].id, id) != 0; i++)
			;
		if (i == c->n)
			continue;
		i = (from + i) % c->n;
		from = i + 1;
		r->verdict[i] = res_verdict_from_name(json_string_value(json_object_get(jc, "verdict")));
		/* the points it earned: a failed case charged elsewhere keeps them
		 * (one fault, one charge: res_tally) */
		r->score[i] = r->verdict[i] == RES_SKIP ? 0 :
		    (unsigned)json_integer_value(json_object_get(jc, "score"));
		if (r->verdict[i] == RES_FAIL || r->verdict[i] == RES_ERROR) {
			char *sum = jsonio_decode(json_object_get(jc, "summary"), NULL);
			if (sum == NULL || *sum == '\0') {
				free(sum);
				sum = strdup(res_verdict_name(r->verdict[i]));
			}
			r->summary[i] = sum;
		}
		r->total += r->score[i];
	}
	json_decref(root);
	return 0;
}

static void
csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' && (s[0] == '\0' || s[strlen(s) - 1] != ' ')) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int
write_gradebook(const char *out_dir, const struct grade_cols *c, const struct grade_rec *r, size_t n,
    struct sc_err *err)
{
	char *text = NULL, path[PATH_MAX];
	size_t len = 0, max = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (f == NULL)
		return sc_err_sys(err, "gradebook.csv");
	for (size_t i = 0; i < c->n; i++)
		max += c->v[i].points;
	fputs("student,total,max,build", f);
	for (size_t i = 0; i < c->n; i++) {
		fputc(',', f);
		csv_field(f, c->v[i].id);
	}
	fputc('\n', f);
	for (size_t k = 0; k < n; k++) {
		csv_field(f, r[k].name);
		if (!r[k].scored) {
			/* empty cells, never 0; the build column says why */
			char *b = NULL;
			fprintf(f, ",,%zu,", max);
			if (asprintf(&b, "%s: %s", r[k].build, r[k].why ? r[k].why : "?") >= 0) {
				csv_field(f, b);
				free(b);
			}
			for (size_t i = 0; i < c->n; i++)
				fputc(',', f);
			fputc('\n', f);
			continue;
		}
		fprintf(f, ",%u,%zu,%s", r[k].total, max, r[k].build);
		for (size_t i = 0; i < c->n; i++)
			fprintf(f, ",%u", r[k].score[i]);
		fputc('\n', f);
	}
	fclose(f);
	grade_pathf(path, sizeof(path), "%s/gradebook.csv", out_dir);
	rc = rpt_atomic_write(path, text, len, err);
	free(text);
	return rc;
}


int
grade_write_manifest(const char *out_dir, const char *config, const char *title, const struct grade_cols *c,
    unsigned k, unsigned n, char *const *students, size_t nst, struct sc_err *err)
{
	char path[PATH_MAX];
	json_t *cases = json_array(), *names = json_array();

	for (size_t i = 0; i < c->n; i++)
		json_array_append_new(cases, json_pack("{s:s, s:s, s:s, s:i, s:b}", "id", c->v[i].id,
		    "title", c->v[i].title, "level", c->v[i].level, "points", (int)c->v[i].points,
		    "hidden", c->v[i].hidden));
	for (size_t i = 0; i < nst; i++)
		json_array_append_new(names, jsonio_str(students[i]));
	grade_pathf(path, sizeof(path), "%s/manifest.json", out_dir);
	return grade_write_json(path, json_pack("{s:s, s:s, s:s, s:o, s:{s:i, s:i}, s:o, s:o}",
	    "format", MANIFEST_FORMAT, "tool_version", SOCKCHECK_VERSION, "config_sha256", config,
	    "title", jsonio_str(title), "shard", "k", (int)k, "n", (int)n,
	    "cases", cases, "students", names), err);
}

/* gradebook.csv, summary.md, summary.json and summary.html from students/ of each of `dirs`; names sorted. */
int
grade_write_outputs(const char *out_dir, const char *title, const struct grade_cols *c, char **names,
    const char **name_dirs, size_t n, struct grade_lost *lost, struct sc_err *err)
{
	struct grade_rec *r = calloc(n ? n : 1, sizeof(*r));
	const char **why = calloc(n ? n : 1, sizeof(*why));
	struct dash_case *dc = NULL;
	int rc = -1;

	if (r == NULL || why == NULL) {
		free(r);
		free(why);
		return sc_err_sys(err, "gradebook");
	}
	for (size_t k = 0; k < n; k++) {
		char sd[PATH_MAX];
		grade_pathf(sd, sizeof(sd), "%s/students", name_dirs[k]);
		if (rec_load(sd, names[k], c, &r[k], err) < 0)
			goto out;
		why[k] = r[k].scored ? NULL : r[k].why;
		if (!r[k].scored && grade_lost_add(lost, names[k], r[k].why) < 0) {
			sc_err_sys(err, "gradebook");
			goto out;
		}
	}
	if (write_gradebook(out_dir, c, r, n, err) < 0 || grade_write_summary(out_dir, title, c, r, n, err) < 0)
		goto out;
	if ((dc = calloc(c->n ? c->n : 1, sizeof(*dc))) == NULL) {
		sc_err_sys(err, "summary.html");
		goto out;
	}
	for (size_t i = 0; i < c->n; i++)
		dc[i] = (struct dash_case){ c->v[i].id, c->v[i].title, c->v[i].level, c->v[i].points,
			c->v[i].hidden };
	struct dash_class dcl = { out_dir, title, dc, c->n, names, name_dirs, n, why };
	if (dash_write(&dcl, err) < 0)
		goto out;
	rc = 0;
out:
	free(dc);
	free(why);
	recs_free(r, n, c->n);
	return rc;
}

int
grade_lost_add(struct grade_lost *lost, const char *student, const char *why)
{
	char **ns = realloc(lost->student, (lost->n + 1) * sizeof(*ns)), **nw;

	if (ns == NULL)
		return -1;
	lost->student = ns;
	if ((nw = realloc(lost->why, (lost->n + 1) * sizeof(*nw))) == NULL)
		return -1;
	lost->why = nw;
	ns[lost->n] = strdup(student);
	nw[lost->n] = strdup(why ? why : "?");
	if (ns[lost->n] == NULL || nw[lost->n] == NULL) {
		free(ns[lost->n]);
		free(nw[lost->n]);
		return -1;
	}
	lost->n++;
	return 0;
}

void
grade_lost_free(struct grade_lost *lost)
{
	grade_free_strings(lost->student, lost->n);
	grade_free_strings(lost->why, lost->n);
	memset(lost, 0, sizeof(*lost));
}

