/*
 * rpt_term: the terminal report: the problems found (grouped by cause), then
 * a line per case, each non-pass explained (expected vs actual, diagnosis,
 * hint, memcheck findings), one closing line.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rpt.h"
#include "wview.h"

static const char *
colour(const struct rpt_opts *o, enum res_verdict v)
{
	static const char *const c[] = { "\033[32m", "\033[31m", "\033[35m", "\033[33m" };
	return o->color ? c[v] : "";
}

static void
indent_text(FILE *out, const char *prefix, const char *text, size_t len, size_t max_lines)
{
	size_t lines = 0;
	const char *p = text, *end = text + len;

	while (p < end && lines < max_lines) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		fprintf(out, "%s", prefix);
		for (size_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)p[i];
			if (ch == '\r')
				continue;
			fputc(ch < 0x20 && ch != '\t' ? '.' : ch, out);
		}
		fputc('\n', out);
		lines++;
		p += n + (nl ? 1 : 0);
	}
	if (p < end)
		fprintf(out, "%s[...]\n", prefix);
}

/* The line a failed check names (cite.h), once per cause in a case. */
static void
cites(FILE *out, const struct res_case *c, size_t k)
{
	const struct res_check *ck = &c->checks[k];
	char where[PATH_MAX + 64];

	for (size_t j = 0; j < k; j++)
		if (c->checks[j].cite && c->checks[j].cause && ck->cause &&
		    strcmp(c->checks[j].cause, ck->cause) == 0)
			return;
	for (const struct res_cite *ci = ck->cite; ci; ci = ci->next) {
		res_cite_where(ci, where, sizeof(where));
		if (ci->say || ci->function || ci->file)
			fprintf(out, "           at %s%s%s%s\n", where,
			    ci->function && ci->file ? " in " : "", ci->function && ci->file ?
			    ci->function : "", ci->function && ci->file ? "()" : "");
		if (ci->text)
			fprintf(out, "           %5d | %s\n", ci->line, ci->text);
		if (ci->say)
			indent_text(out, "           ", ci->say, strlen(ci->say), 8);
		if (ci->note)
			fprintf(out, "           note: %s\n", ci->note);
	}
}

static void
findings(FILE *out, const struct res_case *c)
{
	if (!c->memcheck || c->mc.count == 0)
		return;
	fprintf(out, "      memcheck:\n");
	for (size_t i = 0; i < c->mc.count; i++) {
		const struct mc_finding *f = &c->mc.findings[i];
		const struct mc_frame *fr = f->own >= 0 ? &f->stack[f->own] :
		    f->nstack ? &f->stack[0] : NULL;
		fprintf(out, "        %s %s", f->fails ? "error:" : "warning:", mc_kind_name(f->kind));
		if (f->count > 1)
			fprintf(out, " (x%u)", f->count);
		if (fr && fr->file)
			fprintf(out, " at %s:%d in %s()", fr->file, fr->line, fr->fn ? fr->fn : "?");
		else if (fr && fr->fn)
			fprintf(out, " in %s()", fr->fn);
		fprintf(out, "\n          %s\n", f->what ? f->what : "");
		if (f->source_line)
			fprintf(out, "          | %s\n", f->source_line);
	}
	if (c->mc.note)
		fprintf(out, "        note: %s\n", c->mc.note);
}

/*
 * What the packet capture shows (wview.h): the text timeline, under a
 * failed case (and a passing one with -v); with -v, why there is none.
 */
static void
timeline(FILE *out, const struct res_case *c, const struct rpt_opts *o)
{
	struct wire w;
	struct wview v;
	struct sc_err err;

	if (!c->captured) {
		if (o->verbose && c->capture_note)
			fprintf(out, "      no capture: %s\n", wview_case_no_capture(c));
		return;
	}
	if (wview_case_load(c, &w, &v, &err) < 0) {
		fprintf(out, "      capture: %s\n", err.msg);
		return;
	}
	fprintf(out, "      on the wire (capture.pcap: tcpdump -r, Wireshark):\n");
	wview_text(out, &v, "        ");
	wview_free(&v);
	wire_free(&w);
}

/*
 * What the report leads with: the problems found, grouped by cause (one
 * fault, one charge: docs/grading.md), each with its hint and the cases
 * where it showed.
 */
static void
problems(FILE *out, const struct res_run *run, const struct rpt_opts *o)
{
	struct res_problem *p;
	size_t n;

	if (res_problems(run, o->student_view, &p, &n) < 0)
		return;
	if (n == 0) {
		fprintf(out, "No problems found.\n\n");
		return;
	}
	fprintf(out, "%zu problem%s found:\n", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "  %zu. %s (%s): %s\n", i + 1, p[i].program, p[i].cause, p[i].title);
		if (p[i].cite) {
			char where[PATH_MAX + 64];
			res_cite_where(p[i].cite, where, sizeof(where));
			fprintf(out, "       at %s%s%s\n", where, p[i].cite->text ? ": " : "",
			    p[i].cite->text ? p[i].cite->text : "");
		}
		for (size_t k = 0; k < p[i].ncases; k++)
			fprintf(out, "       %s (%s)\n", run->cases[p[i].cases[k]].id,
			    res_problem_mark(&p[i], k));
		if (p[i].charged == SIZE_MAX)
			fprintf(out, "       no points lost: it shows only as a note here\n");
		else if (p[i].ncases == 0 || p[i].cases[0] != p[i].charged)
			/* the student view leaves out the hidden case that paid */
			fprintf(out, "       its points lost in %s (a hidden case)\n",
			    run->cases[p[i].charged].id);
		if (p[i].hint)
			indent_text(out, "       hint: ", p[i].hint, strlen(p[i].hint), 4);
	}
	fputc('\n', out);
	res_problems_free(p, n);
}

void
rpt_term(FILE *out, const struct res_run *run, const struct rpt_opts *o)
{
	static const char *const label[] = { "PASS ", "FAIL ", "ERROR", "SKIP " };
	const char *reset = o->color ? "\033[0m" : "";

	if (run->isolation && strcmp(run->isolation, "root") != 0 && run->isolation_note)
		/* once, at the top: less than root's namespaces, and what that costs */
		fprintf(out, "isolation: %s (sockcheck doctor says more)\n", run->isolation_note);
	if (run->conventions) {
		/* the header: how each program is run, as the convention finder found it */
		const char *l = run->conventions;
		while (*l) {
			const char *nl = strchr(l, '\n');
			int n = nl ? (int)(nl - l) : (int)strlen(l);
			fprintf(out, "found: %.*s\n", n, l);
			l += n + (nl ? 1 : 0);
		}
	}

	problems(out, run, o);

	for (size_t i = 0; i < run->ncases; i++) {
		const struct res_case *c = &run->cases[i];
		int hidden = o->student_view && c->hidden;

		fprintf(out, "%s%s%s %s", colour(o, c->verdict), label[c->verdict], reset, c->id);
		if (c->points)
			fprintf(out, " (%u/%u)", c->score, c->points);
		if (strcmp(c->level, "must") != 0)
			fprintf(out, " [%s]", c->level);
		if (c->charged_in)
			fprintf(out, " no points lost: charged in %s",
			    hidden ? "another case" : c->charged_in);
		fputc('\n', out);
		if (c->flaky) {
			fprintf(out, "      FLAKY over %u runs:", c->runs);
			for (int v = 0; v < 4; v++)
				if (c->nverdict[v])
					fprintf(out, " %s %u", res_verdict_name((enum res_verdict)v),
					    c->nverdict[v]);
			fprintf(out, "\n      this run: %s%s%s\n", res_verdict_name(c->verdict),
			    c->summary && *c->summary ? ": " : "", c->summary ? c->summary : "");
			fprintf(out, "      another:  %s%s%s\n", res_verdict_name(c->other_verdict),
			    c->other_summary && *c->other_summary ? ": " : "",
			    c->other_summary ? c->other_summary : "");
		}
		if (c->verdict == RES_PASS && !o->verbose) {
			/* a pass with a warning (an error message on stdout) says so */
			const char *w = c->diagnosis && !hidden ? strstr(c->diagnosis, "Warning: ") : NULL;
			if (w)
				indent_text(out, "      ", w, strlen(w), 12);
			continue;
		}
		if (hidden) {
			if (c->verdict != RES_PASS)
				fprintf(out, "      hidden case: %s\n",
				    c->verdict == RES_SKIP ? "skipped" : "failed");
			continue;
		}
		if (c->verdict == RES_SKIP) {
			fprintf(out, "      %s\n", c->summary);
			continue;
		}
		for (size_t k = 0; k < c->nchecks; k++) {
			const struct res_check *ck = &c->checks[k];
			if (ck->ok && !o->verbose)
				continue;
			fprintf(out, "      %s %s: expected %s; got %s", ck->ok ? "ok  " :
			    ck->collateral ? "note" : "NOT ", ck->name, ck->expected ? ck->expected : "",
			    ck->actual ? ck->actual : "");
			if (ck->cause)
				fprintf(out, " [%s]", ck->cause);
			fputc('\n', out);
			if (!ck->ok)
				cites(out, c, k);
		}
		if (c->nchecks == 0 && c->summary && *c->summary)
			fprintf(out, "      %s\n", c->summary);
		if (c->diagnosis)
			indent_text(out, "      ", c->diagnosis, strlen(c->diagnosis), 12);
		findings(out, c);
		timeline(out, c, o);
		for (size_t k = 0; k < c->nprocs && c->verdict != RES_PASS; k++) {
			const struct res_proc *p = &c->procs[k];
			if (strncmp(p->role, "student", 7) != 0 || p->err.total == 0)
				continue;
			fprintf(out, "      %s's standard error (%llu bytes):\n", p->role,
			    (unsigned long long)p->err.total);
			indent_text(out, "      | ", p->err.head, p->err.head_len, 6);
		}
		if (c->hint && c->verdict != RES_PASS)
			indent_text(out, "      hint: ", c->hint, strlen(c->hint), 8);
		if (c->case_dir && c->verdict != RES_PASS)
			fprintf(out, "      logs: %s\n", c->case_dir);
	}
	fprintf(out, "%u passed, %u failed, %u skipped", run->passed, run->failed + run->errors,
	    run->skipped);
	if (run->errors)
		fprintf(out, " (%u of the failures are errors: cases sockcheck could not run, "
		    "not the program's doing)", run->errors);
	fputc('\n', out);
	if (run->repeat > 1)
		fprintf(out, "%u flaky of %zu cases, each run %u times\n", run->flaky, run->ncases,
		    run->repeat);
	if (run->max_score) {
		char score[512];
		rpt_score_line(run, score, sizeof(score));
		fprintf(out, "%s\n", score);
	}
}
