/*
 * rpt_tap: TAP (version 13, which TAP 14 harnesses accept and TAP::Harness
 * before 3.48 requires), a YAML diagnostic block under each failure. A failed
 * should/info case is "not ok ... # TODO": reported, but not a failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpt.h"

/* A YAML double-quoted scalar. */
static void
yq(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int
rpt_tap(const struct res_run *run, const char *path, const struct rpt_opts *o, struct sc_err *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (f == NULL)
		return sc_err_sys(err, "tap");
	fprintf(f, "TAP version 13\n1..%zu\n", run->ncases);
	for (size_t i = 0; i < run->ncases; i++) {
		const struct res_case *c = &run->cases[i];
		int ok = c->verdict == RES_PASS || c->verdict == RES_SKIP;
		fprintf(f, "%s %zu - %s", ok ? "ok" : "not ok", i + 1, c->id);
		if (c->verdict == RES_SKIP)
			fprintf(f, " # SKIP %s", c->summary);
		else if (c->verdict != RES_PASS && strcmp(c->level, "must") != 0)
			fprintf(f, " # TODO %s case failed", c->level);
		fputc('\n', f);
		if (c->verdict == RES_PASS || c->verdict == RES_SKIP)
			continue;
		fputs("  ---\n  verdict: ", f);
		yq(f, res_verdict_name(c->verdict));
		if (c->verdict == RES_ERROR)	/* not the program's doing: say whose it is */
			fputs("\n  fault: \"sockcheck could not run this case (a harness error, not "
			    "the program's)\"", f);
		fputs("\n  message: ", f);
		yq(f, o->student_view && c->hidden ? "hidden case: failed" : c->summary);
		if (!(o->student_view && c->hidden)) {
			if (c->diagnosis) {
				fputs("\n  diagnosis: ", f);
				yq(f, c->diagnosis);
			}
			if (c->hint) {
				fputs("\n  hint: ", f);
				yq(f, c->hint);
			}
			fputs("\n  causes: [", f);
			for (size_t k = 0, n = 0; k < c->nchecks; k++) {
				const struct res_check *ck = &c->checks[k];
				size_t j;
				if (ck->ok || ck->collateral || ck->cause == NULL)
					continue;
				for (j = 0; j < k; j++)	/* each cause once */
					if (!c->checks[j].ok && !c->checks[j].collateral &&
					    c->checks[j].cause && strcmp(c->checks[j].cause, ck->cause) == 0)
						break;
				if (j < k)
					continue;
				fputs(n++ ? ", " : "", f);
				yq(f, ck->cause);
			}
			fputc(']', f);
			if (res_case_cite(c)) {
				/* the line of the student's source that made it (cite.h) */
				const struct res_cite *ci = res_case_cite(c);
				fputs("\n  at:\n    file: ", f);
				yq(f, ci->file);
				fprintf(f, "\n    line: %d", ci->line);
				if (ci->text) {
					fputs("\n    source: ", f);
					yq(f, ci->text);
				}
				if (ci->say) {
					fputs("\n    what: ", f);
					yq(f, ci->say);
				}
			}
			if (c->charged_in) {
				fputs("\n  charged_in: ", f);
				yq(f, c->charged_in);
			}
		}
		fputs("\n  ...\n", f);
	}
	fclose(f);
	rc = rpt_atomic_write(path, text, len, err);
	free(text);
	return rc;
}
