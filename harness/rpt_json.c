/*
 * rpt_json: results.json, the tool's own format (reports/results.schema.json).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonio.h"
#include "rpt.h"
#include "wcap.h"

/* Captured bytes as a JSON string that decodes to the same bytes (jsonio.h). */
static json_t *
bytes_str(const char *p, size_t n)
{
	json_t *s = jsonio_bytes(p, n);
	return s ? s : json_string("");
}

static json_t *
str_or_null(const char *s)
{
	return s ? bytes_str(s, strlen(s)) : json_null();
}

static json_t *
stream(const struct res_stream *s)
{
	return json_pack("{s:o, s:o, s:I}", "head", bytes_str(s->head, s->head_len),
	    "tail", s->tail ? bytes_str(s->tail, s->tail_len) : json_null(),
	    "total", (json_int_t)s->total);
}

/* A failed check's line (res_cite), its second line in "also". */
static json_t *
cite(const struct res_cite *ci)
{
	json_t *ctx = json_null();

	if (ci == NULL)
		return json_null();
	if (ci->context) {
		json_t *lines = json_array();
		for (size_t i = 0; ci->context[i]; i++)
			json_array_append_new(lines, str_or_null(ci->context[i]));
		ctx = json_pack("{s:i, s:o}", "first", ci->context_first, "lines", lines);
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "call", str_or_null(ci->call), "file", str_or_null(ci->file),
	    "line", ci->line > 0 ? json_integer(ci->line) : json_null(),
	    "function", str_or_null(ci->function), "offset", (json_int_t)ci->offset,
	    "object", str_or_null(ci->object), "source_line", str_or_null(ci->text),
	    "context", ctx, "say", str_or_null(ci->say), "note", str_or_null(ci->note),
	    "also", cite(ci->next));
}

static json_t *
findings(const struct mc_report *r)
{
	json_t *a = json_array();
	for (size_t i = 0; i < r->count; i++) {
		const struct mc_finding *f = &r->findings[i];
		json_t *st = json_array();
		for (size_t k = 0; k < f->nstack; k++) {
			const struct mc_frame *m = &f->stack[k];
			json_array_append_new(st, json_pack("{s:o, s:o, s:o, s:i, s:o}",
			    "fn", str_or_null(m->fn), "file", str_or_null(m->file),
			    "dir", str_or_null(m->dir), "line", m->line, "obj", str_or_null(m->obj)));
		}
		const struct mc_frame *own = f->own >= 0 ? &f->stack[f->own] : NULL;
		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:I, s:I, s:i, s:b, s:o, s:o, s:o, s:o, s:o}",
		    "kind", mc_kind_name(f->kind), "valgrind_kind", str_or_null(f->kind_name),
		    "what", str_or_null(f->what), "bytes", (json_int_t)f->bytes,
		    "blocks", (json_int_t)f->blocks, "count", (int)f->count, "fails", f->fails,
		    "file", own ? str_or_null(own->file) : json_null(),
		    "line", own ? json_integer(own->line) : json_null(),
		    "function", own ? str_or_null(own->fn) : json_null(),
		    "source_line", str_or_null(f->source_line), "stack", st));
	}
	return a;
}

/* The problems found, grouped by cause (res_problems). */
static json_t *
problems(const struct res_run *run, const struct rpt_opts *o)
{
	json_t *a = json_array();
	struct res_problem *p;
	size_t n;

	if (res_problems(run, o->student_view, &p, &n) < 0)
		return a;
	for (size_t i = 0; i < n; i++) {
		json_t *ids = json_array();
		for (size_t k = 0; k < p[i].ncases; k++)
			json_array_append_new(ids, json_string(run->cases[p[i].cases[k]].id));
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}",
		    "cause", p[i].cause, "program", p[i].program, "title", p[i].title,
		    "hint", str_or_null(p[i].hint), "cases", ids, "charged_in",
		    p[i].charged == SIZE_MAX ? json_null() : json_string(run->cases[p[i].charged].id)));
	}
	res_problems_free(p, n);
	return a;
}

/* The packet capture (wcap.h): where, what it kept, or why there is none. */
static json_t *
capture(const struct res_case *c)
{
	char *file = NULL;

	if (c->captured && c->case_dir && asprintf(&file, "%s/%s", c->case_dir, WCAP_FILE) < 0)
		file = NULL;
	json_t *j = json_pack("{s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I}, s:I}",
	    "file", str_or_null(file), "note", str_or_null(c->capture_note),
	    "t0", c->t0_real > 0 ? json_real(c->t0_real) : json_null(),
	    "packets", "seen", (json_int_t)c->cap_seen, "kept", (json_int_t)c->cap_kept,
	    "omitted", (json_int_t)c->cap_omitted, "dropped", (json_int_t)c->cap_dropped,
	    "bytes", (json_int_t)c->cap_bytes);
	free(file);
	return j;
}

static json_t *
one_case(const struct res_case *c, const struct rpt_opts *o)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:b, s:s, s:f}",
	    "id", c->id, "title", c->title, "protocol", c->protocol, "role", c->role,
	    "level", c->level, "points", (int)c->points, "score", (int)c->score,
	    "hidden", c->hidden, "verdict", res_verdict_name(c->verdict), "seconds", c->seconds);

	if (o->student_view && c->hidden) {
		json_object_set_new(j, "summary", json_string(c->verdict == RES_PASS ? "" :
		    "hidden case: failed"));
		return j;
	}
	json_object_set_new(j, "summary", str_or_null(c->summary ? c->summary : ""));
	json_object_set_new(j, "charged_in", str_or_null(c->charged_in));
	json_object_set_new(j, "diagnosis", str_or_null(c->diagnosis));
	json_object_set_new(j, "hint", str_or_null(c->hint));
	json_object_set_new(j, "isolation", str_or_null(c->isolation));
	if (c->redirected)
		json_object_set_new(j, "redirected", json_string(c->redirected));
	json_object_set_new(j, "port", json_integer(c->port));
	json_object_set_new(j, "case_dir", str_or_null(c->case_dir));
	json_object_set_new(j, "capture", capture(c));
	json_object_set_new(j, "t_stall", c->t_stall >= 0 ? json_real(c->t_stall) : json_null());
	json_object_set_new(j, "t_stop", c->t_stop >= 0 ? json_real(c->t_stop) : json_null());
	json_object_set_new(j, "runs", json_integer(c->runs > 1 ? c->runs : 1));
	json_object_set_new(j, "verdicts", json_pack("{s:i, s:i, s:i, s:i}",
	    "pass", (int)(c->runs > 1 ? c->nverdict[RES_PASS] : c->verdict == RES_PASS),
	    "fail", (int)(c->runs > 1 ? c->nverdict[RES_FAIL] : c->verdict == RES_FAIL),
	    "error", (int)(c->runs > 1 ? c->nverdict[RES_ERROR] : c->verdict == RES_ERROR),
	    "skip", (int)(c->runs > 1 ? c->nverdict[RES_SKIP] : c->verdict == RES_SKIP)));
	json_object_set_new(j, "flaky", json_boolean(c->flaky));
	json_object_set_new(j, "other", c->flaky ? json_pack("{s:s, s:o}", "verdict",
	    res_verdict_name(c->other_verdict), "summary", str_or_null(c->other_summary ?
	    c->other_summary : "")) : json_null());
	json_t *checks = json_array();
	for (size_t i = 0; i < c->nchecks; i++)
		json_array_append_new(checks, json_pack("{s:s, s:b, s:o, s:o, s:o, s:b, s:o}", "name",
		    c->checks[i].name, "ok", c->checks[i].ok, "expected",
		    str_or_null(c->checks[i].expected), "actual", str_or_null(c->checks[i].actual),
		    "cause", str_or_null(c->checks[i].cause), "collateral", c->checks[i].collateral,
		    "cite", cite(c->checks[i].cite)));
	json_object_set_new(j, "checks", checks);
	json_t *procs = json_array();
	for (size_t i = 0; i < c->nprocs; i++) {
		const struct res_proc *p = &c->procs[i];
		json_t *argv = json_array();
		for (size_t k = 0; p->argv && p->argv[k]; k++)
			json_array_append_new(argv, str_or_null(p->argv[k]));
		json_array_append_new(procs, json_pack("{s:s, s:o, s:b, s:b, s:i, s:i, s:b, s:f, s:o, s:o, s:o}",
		    "role", p->role, "argv", argv, "started", p->started, "exited", p->exited,
		    "status", p->status, "signal", p->signal, "killed", p->killed,
		    "seconds", p->seconds, "stdout", stream(&p->out), "stderr", stream(&p->err),
		    "events", str_or_null(p->events_path)));
	}
	json_object_set_new(j, "processes", procs);
	if (c->memcheck)
		json_object_set_new(j, "memcheck", json_pack("{s:b, s:b, s:o, s:o}",
		    "leak_check_done", c->mc.leak_check_done, "debug_info", c->mc.debug_info,
		    "note", str_or_null(c->mc.note), "findings", findings(&c->mc)));
	else
		json_object_set_new(j, "memcheck", json_null());
	return j;
}

int
rpt_json(const struct res_run *run, const char *path, const struct rpt_opts *o, struct sc_err *err)
{
	json_t *cases = json_array(), *root;
	char *text;
	int rc;

	for (size_t i = 0; i < run->ncases; i++)
		json_array_append_new(cases, one_case(&run->cases[i], o));
	root = json_pack("{s:s, s:s, s:o, s:o, s:o, s:f, s:b, s:{s:i, s:i, s:i, s:i}, s:i, s:i, s:i, "
	    "s:i, s:i, s:o}",
	    "format", "sockcheck-results-1", "tool_version", run->tool_version ? run->tool_version : "",
	    "submission", str_or_null(run->submission), "suite", str_or_null(run->suite),
	    "started", str_or_null(run->started), "seconds", run->seconds,
	    "interrupted", run->interrupted,
	    "counts", "passed", (int)run->passed, "failed", (int)run->failed,
	    "errors", (int)run->errors, "skipped", (int)run->skipped,
	    "score", (int)run->score, "max_score", (int)run->max_score,
	    "exit_status", res_exit_status(run), "repeat", (int)(run->repeat > 1 ? run->repeat : 1),
	    "flaky", (int)run->flaky, "cases", cases);
	if (root == NULL)
		return sc_err_set(err, "results.json: could not build the document");
	json_object_set_new(root, "problems", problems(run, o));
	/* the isolation the cases had, once (isol.h) */
	json_object_set_new(root, "isolation", run->isolation ? json_pack("{s:s, s:s?}", "kind",
	    run->isolation, "note", run->isolation_note) : json_null());
	{
		/* what the convention finder found, one line per program */
		json_t *conv = json_array();
		char *copy = run->conventions ? strdup(run->conventions) : NULL, *save = NULL;
		for (char *l = copy ? strtok_r(copy, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
			json_array_append_new(conv, bytes_str(l, strlen(l)));
		free(copy);
		json_object_set_new(root, "conventions", conv);
	}
	size_t len;
	text = jsonio_dumps(root, JSON_INDENT(2), &len);
	json_decref(root);
	if (text == NULL)
		return sc_err_set(err, "results.json: could not serialise");
	rc = rpt_atomic_write(path, text, len, err);
	free(text);
	return rc;
}

/* Gradescope autograder results (https://gradescope-autograders.readthedocs.io). */
int
rpt_gradescope(const struct res_run *run, const char *path, const struct rpt_opts *o,
    struct sc_err *err)
{
	json_t *tests = json_array(), *root;
	char *text, out[2048];
	int rc;

	for (size_t i = 0; i < run->ncases; i++) {
		const struct res_case *c = &run->cases[i];
		if (c->hidden && o->student_view == 0)
			snprintf(out, sizeof(out), "%s%s%s", c->summary ? c->summary : "",
			    c->hint && c->verdict != RES_PASS ? "\nHint: " : "",
			    c->hint && c->verdict != RES_PASS ? c->hint : "");
		else if (c->hidden)
			snprintf(out, sizeof(out), "%s", c->verdict == RES_PASS ? "" : "hidden case: failed");
		else
			snprintf(out, sizeof(out), "%s%s%s%s%s%s", c->verdict == RES_ERROR ?
			    "sockcheck could not run this case (a harness error, not your program's); "
			    "ask your instructor to grade it again.\n" : "", c->summary ? c->summary : "",
			    c->diagnosis ? "\n" : "", c->diagnosis ? c->diagnosis : "",
			    c->hint && c->verdict != RES_PASS ? "\nHint: " : "",
			    c->hint && c->verdict != RES_PASS ? c->hint : "");
		json_array_append_new(tests, json_pack("{s:s, s:s, s:f, s:f, s:s, s:o, s:[s,s,s], s:s}",
		    "name", c->title, "number", c->id, "score", (double)c->score,
		    "max_score", (double)c->points, "status", c->verdict == RES_PASS ? "passed" : "failed",
		    "output", bytes_str(out, strlen(out)), "tags", c->protocol, c->role, c->level,
		    "visibility", c->hidden ? "after_published" : "visible"));
	}
	snprintf(out, sizeof(out), "%u passed, %u failed, %u skipped", run->passed,
	    run->failed + run->errors, run->skipped);
	root = json_pack("{s:f, s:f, s:f, s:s, s:o}", "score", (double)run->score,
	    "max_score", (double)run->max_score, "execution_time", run->seconds, "output", out,
	    "tests", tests);
	size_t len;
	text = jsonio_dumps(root, JSON_INDENT(2), &len);
	json_decref(root);
	if (text == NULL)
		return sc_err_set(err, "gradescope.json: could not serialise");
	rc = rpt_atomic_write(path, text, len, err);
	free(text);
	return rc;
}

/* Autolab: any output, then a last line {"scores": {...}}. */
int
rpt_autolab(const struct res_run *run, const char *path, const struct rpt_opts *o,
    struct sc_err *err)
{
	json_t *scores = json_object(), *root;
	char *line, *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (f == NULL)
		return sc_err_sys(err, "autolab");
	for (size_t i = 0; i < run->ncases; i++) {
		const struct res_case *c = &run->cases[i];
		json_object_set_new(scores, c->id, json_integer(c->score));
		fprintf(f, "%s %s%s%s\n", res_verdict_name(c->verdict), c->id,
		    c->verdict != RES_PASS && !(o->student_view && c->hidden) ? ": " : "",
		    c->verdict != RES_PASS && !(o->student_view && c->hidden) ? c->summary : "");
	}
	root = json_pack("{s:o}", "scores", scores);
	line = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	fprintf(f, "%s\n", line ? line : "{\"scores\": {}}");
	free(line);
	fclose(f);
	rc = rpt_atomic_write(path, text, len, err);
	free(text);
	return rc;
}
