/*
 * results: tallies and ownership of the run model (results.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"

const char *
res_verdict_name(enum res_verdict v)
{
	static const char *const names[] = { "pass", "fail", "error", "skip" };
	return (unsigned)v < 4 ? names[v] : "?";
}

void
res_tally(struct res_run *run)
{
	run->passed = run->failed = run->errors = run->skipped = 0;
	run->score = run->max_score = 0;
	run->flaky = 0;
	for (size_t i = 0; i < run->ncases; i++) {
		const struct res_case *c = &run->cases[i];
		switch (c->verdict) {
		case RES_PASS: run->passed++; break;
		case RES_FAIL: run->failed++; break;
		case RES_ERROR: run->errors++; break;
		case RES_SKIP: run->skipped++; break;
		}
		run->flaky += c->flaky != 0;
		run->max_score += c->points;
		if (c->verdict == RES_PASS)
			run->score += c->points;
	}
}

/* The programs a case tests: "<protocol>_<role>" (both sides for a pair). */
static size_t
case_programs(const struct res_case *c, char out[2][64])
{
	const char *proto = c->protocol ? c->protocol : "?";
	const char *sep = strcmp(proto, "udp") == 0 ? "_echo_" : "_";

	if (c->role && strcmp(c->role, "pair") == 0) {
		snprintf(out[0], 64, "%s%sserver", proto, sep);
		snprintf(out[1], 64, "%s%sclient", proto, sep);
		return 2;
	}
	snprintf(out[0], 64, "%s%s%s", proto, sep, c->role ? c->role : "?");
	return 1;
}

void
res_scope(const struct res_run *run, struct res_scope *s)
{
	size_t len = 0;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < run->ncases; i++) {
		const struct res_case *c = &run->cases[i];
		char progs[2][64];
		size_t n;

		if (c->verdict == RES_SKIP) {
			s->skipped_points += c->points;
			continue;
		}
		s->ran_points += c->points;
		n = case_programs(c, progs);
		for (size_t k = 0; k < n; k++) {
			/* already listed? (names are whole items between ", ") */
			const char *p = s->programs;
			size_t pl = strlen(progs[k]);
			int seen = 0;
			while ((p = strstr(p, progs[k])) != NULL) {
				if ((p == s->programs || p[-1] == ' ') && (p[pl] == ',' || p[pl] == '\0')) {
					seen = 1;
					break;
				}
				p += pl;
			}
			if (!seen && len + pl + 3 < sizeof(s->programs))
				len += (size_t)snprintf(s->programs + len, sizeof(s->programs) - len, "%s%s",
				    len ? ", " : "", progs[k]);
		}
	}
}

int
res_exit_status(const struct res_run *run)
{
	for (size_t i = 0; i < run->ncases; i++) {
		const struct res_case *c = &run->cases[i];
		if (c->flaky)
			return 1;
		if ((c->verdict == RES_FAIL || c->verdict == RES_ERROR) && c->level &&
		    strcmp(c->level, "must") == 0)
			return 1;
	}
	return 0;
}

static void
stream_free(struct res_stream *s)
{
	free(s->head);
	free(s->tail);
}

void
res_case_free(struct res_case *c)
{
	free(c->id);
	free(c->title);
	free(c->protocol);
	free(c->role);
	free(c->level);
	free(c->summary);
	free(c->diagnosis);
	free(c->hint);
	for (size_t i = 0; i < c->nchecks; i++) {
		free(c->checks[i].name);
		free(c->checks[i].expected);
		free(c->checks[i].actual);
	}
	free(c->checks);
	for (size_t i = 0; i < c->nprocs; i++) {
		struct res_proc *p = &c->procs[i];
		free(p->role);
		for (size_t k = 0; p->argv && p->argv[k]; k++)
			free(p->argv[k]);
		free(p->argv);
		stream_free(&p->out);
		stream_free(&p->err);
		free(p->events_path);
	}
	free(c->procs);
	mc_report_free(&c->mc);
	free(c->isolation);
	free(c->case_dir);
	free(c->other_summary);
	memset(c, 0, sizeof(*c));
}

void
res_run_free(struct res_run *run)
{
	for (size_t i = 0; i < run->ncases; i++)
		res_case_free(&run->cases[i]);
	free(run->cases);
	free(run->tool_version);
	free(run->submission);
	free(run->suite);
	free(run->started);
	memset(run, 0, sizeof(*run));
}
