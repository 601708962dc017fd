/*
 * rpt_md: a Markdown summary for a CI step summary or a pull-request comment.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpt.h"

/* One line of table-safe text. */
static void
cell(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else if (*s == '<')
			fputs("&lt;", f);
		else
			fputc(*s, f);
	}
}

/* "N problems found", each with its hint and cases (docs/grading.md). */
static void
problems(FILE *f, const struct res_run *run, const struct rpt_opts *o)
{
	struct res_problem *p;
	size_t n;

	if (res_problems(run, o->student_view, &p, &n) < 0)
		return;
	if (n == 0) {
		fputs("No problems found.\n\n", f);
		return;
	}
	fprintf(f, "### %zu problem%s found\n\n", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%zu. **%s**: ", i + 1, p[i].program);
		cell(f, p[i].title);
		fprintf(f, " (`%s`)\n", p[i].cause);
		if (p[i].hint) {
			fputs("   - hint: ", f);
			cell(f, p[i].hint);
			fputc('\n', f);
		}
		fputs("   - cases:", f);
		for (size_t k = 0; k < p[i].ncases; k++)
			fprintf(f, "%s `%s` (%s)", k ? "," : "", run->cases[p[i].cases[k]].id,
			    res_problem_mark(&p[i], k));
		if (p[i].charged != SIZE_MAX && (p[i].ncases == 0 || p[i].cases[0] != p[i].charged))
			/* the student view leaves out the hidden case that paid */
			fprintf(f, "; its points lost in `%s` (a hidden case)", run->cases[p[i].charged].id);
		fputc('\n', f);
	}
	fputc('\n', f);
	res_problems_free(p, n);
}

int
rpt_md(const struct res_run *run, const char *path, const struct rpt_opts *o, struct sc_err *err)
{
	static const char *const icon[] = { "✅ pass", "❌ fail", "💥 error", "⏭ skip" };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (f == NULL)
		return sc_err_sys(err, "markdown");
	fprintf(f, "## sockcheck: %u passed, %u failed, %u skipped", run->passed,
	    run->failed + run->errors, run->skipped);
	if (run->max_score) {
		char score[512];
		rpt_score_line(run, score, sizeof(score));
		fprintf(f, "\n\n**%c%s**", score[0] - 'a' + 'A', score + 1);
	}
	if (run->isolation && strcmp(run->isolation, "root") != 0 && run->isolation_note)
		fprintf(f, "\n\nIsolation: %s (`sockcheck doctor` says more)", run->isolation_note);
	if (run->conventions) {
		/* how each program was run, as the convention finder found it */
		const char *l = run->conventions;
		fputs("\n\nFound without configuration:\n", f);
		while (*l) {
			int n = (int)strcspn(l, "\n");
			fprintf(f, "\n- `%.*s`", n, l);
			l += n + (l[n] ? 1 : 0);
		}
	}
	fputs("\n\n", f);
	problems(f, run, o);
	fputs("| case | level | result | points | what went wrong |\n|---|---|---|---|---|\n", f);
	for (size_t i = 0; i < run->ncases; i++) {
		const struct res_case *c = &run->cases[i];
		int hidden = o->student_view && c->hidden;
		fprintf(f, "| `%s` | %s | %s | %u/%u | ", c->id, c->level, icon[c->verdict], c->score,
		    c->points);
		cell(f, hidden && c->verdict != RES_PASS ? "hidden case: failed" : c->summary);
		if (c->charged_in && hidden)
			fputs(" (no points lost: charged in another case)", f);
		else if (c->charged_in)
			fprintf(f, " (no points lost: charged in `%s`)", c->charged_in);
		fputs(" |\n", f);
	}
	for (size_t i = 0; i < run->ncases; i++) {
		const struct res_case *c = &run->cases[i];
		if (c->verdict == RES_PASS || c->verdict == RES_SKIP || (o->student_view && c->hidden))
			continue;
		fprintf(f, "\n### `%s`: %s\n\n", c->id, c->title);
		for (size_t k = 0; k < c->nchecks; k++)
			if (!c->checks[k].ok) {
				fprintf(f, "- %s**%s**: expected ", c->checks[k].collateral ? "note: " : "",
				    c->checks[k].name);
				cell(f, c->checks[k].expected);
				fputs("; got ", f);
				cell(f, c->checks[k].actual);
				if (c->checks[k].cause)
					fprintf(f, " (`%s`)", c->checks[k].cause);
				fputc('\n', f);
			}
		if (c->diagnosis) {
			fputs("\n", f);
			cell(f, c->diagnosis);
			fputs("\n", f);
		}
		if (c->hint) {
			fputs("\n> Hint: ", f);
			cell(f, c->hint);
			fputs("\n", f);
		}
	}
	fclose(f);
	rc = rpt_atomic_write(path, text, len, err);
	free(text);
	return rc;
}
