/*
 * results: tallies and ownership of the run model (results.h).
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "results.h"

const char *
res_verdict_name(enum res_verdict v)
{
	static const char *const names[] = { "pass", "fail", "error", "skip" };
	return (unsigned)v < 4 ? names[v] : "?";
}

int
res_verdict_from_name(const char *s)
{
	for (int v = RES_PASS; v <= RES_SKIP; v++)
		if (s && strcmp(s, res_verdict_name((enum res_verdict)v)) == 0)
			return v;
	return -1;
}

const char *
res_case_program(const struct res_case *c)
{
	static const char *const names[][3] = {
		{ "echo_server", "echo_client", "echo pair" },
		{ "file_server", "file_client", "file pair" },
		{ "udp_echo_server", "udp_echo_client", "udp pair" },
	};
	int p = !c->protocol ? 0 : strcmp(c->protocol, "file") == 0 ? 1 :
	    strcmp(c->protocol, "udp") == 0 ? 2 : 0;
	int r = !c->role ? 0 : strcmp(c->role, "client") == 0 ? 1 : strcmp(c->role, "pair") == 0 ? 2 : 0;
	return names[p][r];
}

static int
failed(const struct res_case *c)
{
	return c->verdict == RES_FAIL || c->verdict == RES_ERROR;
}

/* Did case `c` fail on `cause` in a target check (not a note)? */
static int
fails_on(const struct res_case *c, const char *cause)
{
	if (!failed(c))
		return 0;
	for (size_t k = 0; k < c->nchecks; k++)
		if (!c->checks[k].ok && !c->checks[k].collateral && c->checks[k].cause &&
		    strcmp(c->checks[k].cause, cause) == 0)
			return 1;
	return 0;
}

/* Does the scenario of `c` target the aspect of `cause` (cause.h), or name
 * the cause itself in `target:`? */
static int
targets_cause(const struct res_case *c, const char *cause)
{
	enum cause_aspect a = cause_aspect_of(cause);
	int i = cause_index(cause);
	return (a != CAUSE_ASPECT_NONE && (c->targets & (1u << a)) != 0) ||
	    (i >= 0 && (c->target_causes & ((uint64_t)1 << i)) != 0);
}

static int
level_rank(const char *level)
{
	return !level ? 3 : strcmp(level, "must") == 0 ? 0 : strcmp(level, "should") == 0 ? 1 :
	    strcmp(level, "info") == 0 ? 2 : 3;
}

/* Is `a` a better payer for `cause` than `b`? (res_payer's order; run order last) */
static int
better_payer(const struct res_case *a, const struct res_case *b, const char *cause)
{
	int ta = targets_cause(a, cause), tb = targets_cause(b, cause);
	int la = level_rank(a->level), lb = level_rank(b->level);

	if (ta != tb)
		return ta > tb;
	if (la != lb)
		return la < lb;
	if (a->points != b->points)
		return a->points > b->points;
	if ((a->hidden != 0) != (b->hidden != 0))
		return !a->hidden;
	return 0;	/* equal rank: the earlier one stays */
}

size_t
res_payer(const struct res_run *run, const char *program, const char *cause)
{
	size_t best = SIZE_MAX;

	for (size_t j = 0; j < run->ncases; j++) {
		const struct res_case *o = &run->cases[j];
		if (strcmp(res_case_program(o), program) != 0 || !fails_on(o, cause))
			continue;
		if (best == SIZE_MAX || better_payer(o, &run->cases[best], cause))
			best = j;
	}
	return best;
}

void
res_tally(struct res_run *run)
{
	run->passed = run->failed = run->errors = run->skipped = 0;
	run->score = run->max_score = 0;
	run->flaky = 0;
	for (size_t i = 0; i < run->ncases; i++) {
		struct res_case *c = &run->cases[i];
		switch (c->verdict) {
		case RES_PASS: run->passed++; break;
		case RES_FAIL: run->failed++; break;
		case RES_ERROR: run->errors++; break;
		case RES_SKIP: run->skipped++; break;
		}
		run->flaky += c->flaky != 0;
		run->max_score += c->points;
		free(c->charged_in);
		c->charged_in = NULL;
		c->score = c->verdict == RES_PASS ? c->points : 0;
		if (!failed(c))
			continue;
		/*
		 * One fault, one charge: the case costs its points when it is the
		 * payer of one of the causes of its failed target checks (res_payer:
		 * the case that targets it, then level, points, visible, run order).
		 * A failure without a cause (the harness could not run the case)
		 * always costs, and so does a failed case without a failed check.
		 */
		size_t where = SIZE_MAX;
		int pays = 0, any = 0;
		for (size_t k = 0; k < c->nchecks && !pays; k++) {
			const struct res_check *ck = &c->checks[k];
			size_t o;
			if (ck->ok || ck->collateral)
				continue;
			any = 1;
			if (ck->cause == NULL ||
			    (o = res_payer(run, res_case_program(c), ck->cause)) == i || o == SIZE_MAX)
				pays = 1;
			else if (where == SIZE_MAX)
				where = o;
		}
		if (!any || pays || where == SIZE_MAX)
			continue;
		c->score = c->points;
		c->charged_in = strdup(run->cases[where].id);
	}
	for (size_t i = 0; i < run->ncases; i++)
		run->score += run->cases[i].score;
}

static struct res_problem *
problem_of(struct res_problem **v, size_t *n, const char *cause, const char *program)
{
	struct res_problem *p;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].cause, cause) == 0 && strcmp((*v)[i].program, program) == 0)
			return &(*v)[i];
	if ((p = realloc(*v, (*n + 1) * sizeof(**v))) == NULL)
		return NULL;
	*v = p;
	p = &p[(*n)++];
	memset(p, 0, sizeof(*p));
	p->cause = cause;
	p->program = program;
	p->charged = SIZE_MAX;
	const struct cause *row = cause_find(cause);
	p->title = row ? row->title : cause;
	p->hint = row ? row->hint : NULL;
	return p;
}

int
res_problems(const struct res_run *run, int student_view, struct res_problem **out, size_t *n)
{
	struct res_problem *v = NULL;
	size_t nv = 0;

	for (size_t i = 0; i < run->ncases; i++) {
		const struct res_case *c = &run->cases[i];
		if (student_view && c->hidden)
			continue;
		for (size_t k = 0; k < c->nchecks; k++) {
			const struct res_check *ck = &c->checks[k];
			struct res_problem *p;
			if (ck->ok || ck->cause == NULL)
				continue;
			if ((p = problem_of(&v, &nv, ck->cause, res_case_program(c))) == NULL)
				goto oom;
			if (p->ncases == 0 || p->cases[p->ncases - 1] != i) {
				size_t *nc = realloc(p->cases, (p->ncases + 1) * sizeof(*nc));
				unsigned char *nn;
				if (nc == NULL)
					goto oom;
				p->cases = nc;
				if ((nn = realloc(p->notes, p->ncases + 1)) == NULL)
					goto oom;
				p->notes = nn;
				p->notes[p->ncases] = 1;
				p->cases[p->ncases++] = i;
			}
			if (!ck->collateral)
				p->notes[p->ncases - 1] = 0;
			if (p->cite == NULL || (ck->cite && ck->cite->file && !p->cite->file))
				p->cite = ck->cite;
		}
	}
	/* the case that paid (even a hidden one left out of `cases`) leads */
	for (size_t q = 0; q < nv; q++) {
		struct res_problem *p = &v[q];
		p->charged = res_payer(run, p->program, p->cause);
		for (size_t k = 1; k < p->ncases; k++)
			if (p->cases[k] == p->charged) {
				unsigned char note = p->notes[k];
				memmove(p->cases + 1, p->cases, k * sizeof(*p->cases));
				memmove(p->notes + 1, p->notes, k);
				p->cases[0] = p->charged;
				p->notes[0] = note;
				break;
			}
	}
	*out = v;
	*n = nv;
	return 0;
oom:
	res_problems_free(v, nv);
	*out = NULL;
	*n = 0;
	return -1;
}

const struct res_cite *
res_case_cite(const struct res_case *c)
{
	for (size_t k = 0; k < c->nchecks; k++)
		if (!c->checks[k].ok && !c->checks[k].collateral && c->checks[k].cite &&
		    c->checks[k].cite->file && c->checks[k].cite->line > 0)
			return c->checks[k].cite;
	return NULL;
}

void
res_cite_where(const struct res_cite *ci, char *buf, size_t len)
{
	if (ci->file && ci->line > 0)
		snprintf(buf, len, "%s:%d", ci->file, ci->line);
	else if (ci->function)
		snprintf(buf, len, "%s (%s+%#llx)", ci->object ? ci->object : "the program",
		    ci->function, (unsigned long long)ci->offset);
	else
		snprintf(buf, len, "%s", ci->object ? ci->object : "the program");
}

const char *
res_problem_mark(const struct res_problem *p, size_t k)
{
	if (p->cases[k] == p->charged)
		return "failed: its points lost here";
	if (p->notes[k])
		return "a note: no points lost";
	return "failed: no points lost, charged once";
}

void
res_problems_free(struct res_problem *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].cases);
		free(p[i].notes);
	}
	free(p);
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
res_cite_free(struct res_cite *c)
{
	while (c) {
		struct res_cite *next = c->next;
		free(c->call);
		free(c->file);
		free(c->function);
		free(c->object);
		free(c->text);
		for (size_t i = 0; c->context && c->context[i]; i++)
			free(c->context[i]);
		free(c->context);
		free(c->say);
		free(c->note);
		free(c);
		c = next;
	}
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
	free(c->charged_in);
	for (size_t i = 0; i < c->nchecks; i++) {
		free(c->checks[i].name);
		free(c->checks[i].expected);
		free(c->checks[i].actual);
		free(c->checks[i].cause);
		res_cite_free(c->checks[i].cite);
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
	free(c->capture_note);
	free(c->redirected);
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
	free(run->conventions);
	free(run->isolation);
	free(run->isolation_note);
	memset(run, 0, sizeof(*run));
}
