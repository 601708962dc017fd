/*
 * rpt_gha: GitHub Actions workflow commands. A failed must-case is an
 * ::error, a failed should/info case a ::warning, each on the source file
 * of the program it tests; a memcheck finding is annotated on its own line.
 * Paths are relative to the working directory (the workspace on GitHub), so
 * a submission in a subdirectory of the repository is annotated correctly.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpt.h"

/* The message part: %, CR and LF escaped. */
static void
put_data(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '%')
			fputs("%25", out);
		else if (*s == '\n')
			fputs("%0A", out);
		else if (*s == '\r')
			fputs("%0D", out);
		else
			fputc(*s, out);
	}
}

/* A property value: also ':' and ','. */
static void
put_prop(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == ':')
			fputs("%3A", out);
		else if (*s == ',')
			fputs("%2C", out);
		else if (*s == '%' || *s == '\n' || *s == '\r') {
			char one[2] = { *s, '\0' };
			put_data(out, one);
		} else
			fputc(*s, out);
	}
}

/* The submission's path relative to the working directory ("" for "."), or NULL. */
static int
submission_prefix(const char *submission, char *buf, size_t len)
{
	char cwd[PATH_MAX], sub[PATH_MAX];
	size_t n;

	if (submission == NULL || getcwd(cwd, sizeof(cwd)) == NULL ||
	    realpath(submission, sub) == NULL)
		return -1;
	n = strlen(cwd);
	if (strcmp(sub, cwd) == 0) {
		buf[0] = '\0';
		return 0;
	}
	if (strncmp(sub, cwd, n) != 0 || sub[n] != '/')
		return -1;	/* outside the workspace: no file to point at */
	snprintf(buf, len, "%s/", sub + n + 1);
	return 0;
}

void
rpt_gha(FILE *out, const struct res_run *run, const struct rpt_opts *o)
{
	char prefix[PATH_MAX], src[PATH_MAX + 64];
	int have_prefix = submission_prefix(run->submission, prefix, sizeof(prefix)) == 0;

	for (size_t i = 0; i < run->ncases; i++) {
		const struct res_case *c = &run->cases[i];
		if (c->verdict == RES_FAIL || c->verdict == RES_ERROR) {
			int hide = o && o->student_view && c->hidden;
			const struct res_cite *ci = hide ? NULL : res_case_cite(c);
			fprintf(out, "::%s ", strcmp(c->level, "must") == 0 ? "error" : "warning");
			/* the line that made it (cite.h), else the program under test:
			 * file_server.c for a file.server case */
			if (ci)
				snprintf(src, sizeof(src), "%s%s", have_prefix ? prefix : "", ci->file);
			else
				snprintf(src, sizeof(src), "%s%s_%s.c", have_prefix ? prefix : "",
				    c->protocol, strcmp(c->role, "client") == 0 ? "client" : "server");
			if (have_prefix && access(src, R_OK) == 0) {
				fputs("file=", out);
				put_prop(out, src);
				if (ci)
					fprintf(out, ",line=%d", ci->line);
				fputc(',', out);
			}
			fputs("title=", out);
			put_prop(out, c->id);
			fputs("::", out);
			/* student view: a hidden case says only that it failed */
			put_data(out, hide ? "hidden case: failed" : c->summary);
			for (; ci; ci = ci->next)
				if (ci->say) {
					char where[PATH_MAX + 64];
					res_cite_where(ci, where, sizeof(where));
					put_data(out, "\n");
					put_data(out, where);
					put_data(out, ": ");
					put_data(out, ci->say);
				}
			fputc('\n', out);
		}
		if (o && o->student_view && c->hidden)
			continue;
		for (size_t k = 0; c->memcheck && k < c->mc.count; k++) {
			const struct mc_finding *m = &c->mc.findings[k];
			if (m->own < 0)
				continue;
			const struct mc_frame *fr = &m->stack[m->own];
			snprintf(src, sizeof(src), "%s%s", have_prefix ? prefix : "", fr->file);
			fprintf(out, "::%s file=", m->fails ? "error" : "warning");
			put_prop(out, src);
			fprintf(out, ",line=%d,title=memcheck ", fr->line);
			put_prop(out, mc_kind_name(m->kind));
			fputs("::", out);
			put_data(out, m->what);
			fputc('\n', out);
		}
	}
}
