/*
 * judge_cases: what the judge's tests (test_judge.c, test_judge_udp.c)
 * build their synthetic cases from: a scenario from YAML, a peer's event
 * log from JSON lines, the textbook profile, and assertions on a judged
 * case's checks, causes, summary and diagnosis. Header-only, after
 * scratch.h (files go to its tmpdir).
 */
#ifndef TESTS_JUDGE_CASES_H
#define TESTS_JUDGE_CASES_H

#include <criterion/criterion.h>
#include <limits.h>
#include <string.h>

#include "judge.h"
#include "scratch.h"

/* A scenario from YAML; the file name gives the id's last part. */
static inline struct scn *
scenario(const char *name, const char *yaml)
{
	char path[PATH_MAX];
	struct sc_err err;
	struct scn *s;

	write_file(name, yaml, path, sizeof(path));
	sc_err_clear(&err);
	s = scn_load_file(path, &err);
	cr_assert_not_null(s, "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
	return s;
}

/* A peer event log from JSON lines. */
static inline void
peer_log(const char *name, const char *jsonl, struct peer_log *log)
{
	char path[PATH_MAX];
	struct sc_err err;

	write_file(name, jsonl, path, sizeof(path));
	sc_err_clear(&err);
	cr_assert_eq(peer_log_read(path, log, &err), 0, "%s", err.msg);
	cr_assert(log->found, "%s: no start event", name);
}

/* The textbook profile (no sockcheck.yaml in an empty dir). */
static inline void
default_profile(struct prof *p)
{
	struct sc_err err;
	cr_assert_eq(prof_load(tmpdir, p, &err), 0, "%s", err.msg);
}

static inline const struct res_check *
find_check(const struct res_case *c, const char *name)
{
	for (size_t i = 0; i < c->nchecks; i++)
		if (strcmp(c->checks[i].name, name) == 0)
			return &c->checks[i];
	return NULL;
}

/* The check `name` exists with `ok`, and its actual text contains `actual`. */
static inline void
assert_check(const struct res_case *c, const char *name, int ok, const char *actual)
{
	const struct res_check *k = find_check(c, name);

	cr_assert_not_null(k, "no check '%s' (summary: %s)", name, c->summary);
	cr_assert_eq(k->ok, ok, "check '%s': ok %d, expected %d (actual: %s)", name, k->ok, ok,
	    k->actual);
	if (actual) {
		cr_assert_not_null(k->actual, "check '%s' has no actual text", name);
		cr_assert_not_null(strstr(k->actual, actual), "check '%s': actual '%s' lacks '%s'",
		    name, k->actual, actual);
	}
}

/* The check `name` failed for `cause`. */
static inline void
assert_cause(const struct res_case *c, const char *name, const char *cause)
{
	const struct res_check *k = find_check(c, name);

	cr_assert_not_null(k, "no check '%s'", name);
	cr_assert_not_null(k->cause, "check '%s' has no cause", name);
	cr_assert_str_eq(k->cause, cause, "check '%s'", name);
}

static inline void
assert_diag(const struct res_case *c, const char *needle)
{
	cr_assert_not_null(c->diagnosis, "no diagnosis (wanted '%s')", needle);
	cr_assert_not_null(strstr(c->diagnosis, needle), "diagnosis '%s' lacks '%s'", c->diagnosis,
	    needle);
}

static inline void
assert_summary(const struct res_case *c, const char *needle)
{
	cr_assert_not_null(c->summary);
	cr_assert_not_null(strstr(c->summary, needle), "summary '%s' lacks '%s'", c->summary,
	    needle);
}

/* ---- the student program, as run_finish.c reports it ---- */
/* A server sockcheck stopped after the exchange: started, listening, not ended. */
static inline void
server_stopped(struct judge_proc *p)
{
	memset(p, 0, sizeof(*p));
	p->started = 1;
	p->killed = 1;
	p->seconds = 0.5;
	p->out = "";
	p->err = "";
}

/* A program that exited by itself with `status`. */
static inline void
exited(struct judge_proc *p, int status, const char *out)
{
	memset(p, 0, sizeof(*p));
	p->started = 1;
	p->ended = 1;
	p->exited = 1;
	p->status = status;
	p->seconds = 0.2;
	p->out = out;
	p->out_len = strlen(out);
	p->err = "";
}

static inline void
died(struct judge_proc *p, int sig)
{
	memset(p, 0, sizeof(*p));
	p->started = 1;
	p->ended = 1;
	p->signal = sig;
	p->seconds = 0.1;
	p->out = "";
	p->err = "";
}

/* A server case as run_finish.c fills it: the server listened on 5000, one peer. */
static inline void
echo_server_case(struct scn *s, struct prof *p, struct peer_log *log, struct judge_in *in)
{
	memset(in, 0, sizeof(*in));
	in->s = s;
	in->p = p;
	server_stopped(&in->student);
	in->ready = 1;
	in->port = 5000;
	in->peers = log;
	in->npeers = 1;
	in->peer_specs = s->peers;
	in->out_first_diff = -1;
}

#endif
