/*
 * The score line of the terminal and Markdown reports: what the maximum
 * counts when cases were skipped (res_scope, rpt_score_line).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "results.h"
#include "rpt.h"

/* A run of synthetic cases: "protocol.role.name verdict points" each. */
static void
mk_run(struct res_run *run, struct res_case *cases, size_t n, const char *const *spec)
{
	memset(run, 0, sizeof(*run));
	memset(cases, 0, n * sizeof(*cases));
	for (size_t i = 0; i < n; i++) {
		static char proto[16][16], role[16][16];
		char verdict[8];
		unsigned points;
		cr_assert(sscanf(spec[i], "%15[^.].%15[^.].%*s %7s %u", proto[i], role[i], verdict,
		    &points) == 4, "%s", spec[i]);
		cases[i].protocol = proto[i];
		cases[i].role = role[i];
		cases[i].points = points;
		cases[i].verdict = strcmp(verdict, "pass") == 0 ? RES_PASS :
		    strcmp(verdict, "fail") == 0 ? RES_FAIL :
		    strcmp(verdict, "error") == 0 ? RES_ERROR : RES_SKIP;
	}
	run->cases = cases;
	run->ncases = n;
	res_tally(run);
}

Test(score, nothing_skipped_is_the_plain_score)
{
	static const char *const spec[] = { "echo.server.a pass 2", "echo.client.b fail 3" };
	struct res_case cases[2];
	struct res_run run;
	char line[512];

	mk_run(&run, cases, 2, spec);
	rpt_score_line(&run, line, sizeof(line));
	cr_assert_str_eq(line, "score 2/5");
}

Test(score, a_student_with_only_a_file_client)
{
	static const char *const spec[] = {
		"echo.server.a skip 10", "file.client.b pass 4", "file.client.c fail 20",
		"file.server.d skip 50", "echo.pair.e skip 6",
	};
	struct res_case cases[5];
	struct res_run run;
	struct res_scope sc;
	char line[512];

	mk_run(&run, cases, 5, spec);
	cr_assert_eq(run.max_score, 90, "the maximum for grading still counts every case");
	res_scope(&run, &sc);
	cr_assert_eq(sc.ran_points, 24);
	cr_assert_eq(sc.skipped_points, 66);
	rpt_score_line(&run, line, sizeof(line));
	cr_assert_str_eq(line,
	    "score 4/24 for the programs present (file_client); 66 points in skipped cases");
}

Test(score, programs_listed_once_in_suite_order_pairs_give_both)
{
	static const char *const spec[] = {
		"echo.pair.a pass 1", "echo.client.b pass 1", "udp.server.c fail 1",
		"file.server.d skip 1", "echo.server.e pass 1",
	};
	struct res_case cases[5];
	struct res_run run;
	char line[512];

	mk_run(&run, cases, 5, spec);
	rpt_score_line(&run, line, sizeof(line));
	cr_assert_str_eq(line, "score 3/4 for the programs present (echo_server, echo_client, "
	    "udp_echo_server); 1 point in skipped cases");
}

Test(score, everything_skipped)
{
	static const char *const spec[] = { "echo.server.a skip 2", "echo.client.b skip 3" };
	struct res_case cases[2];
	struct res_run run;
	char line[512];

	mk_run(&run, cases, 2, spec);
	rpt_score_line(&run, line, sizeof(line));
	cr_assert_str_eq(line,
	    "score 0/0 for the programs present (none); 5 points in skipped cases");
}

Test(score, no_points_no_line)
{
	static const char *const spec[] = { "echo.server.a pass 0" };
	struct res_case cases[1];
	struct res_run run;
	char line[512] = "x";

	mk_run(&run, cases, 1, spec);
	rpt_score_line(&run, line, sizeof(line));
	cr_assert_str_eq(line, "");
}

/*
 * One fault, one charge (res_tally, res_payer): each cause of a program is
 * paid by the case that is for it, not by the first case that ran into it.
 */
struct tc {
	const char *id;		/* protocol.role.name */
	const char *verdict;	/* pass, fail, error, skip */
	const char *level;
	unsigned points;
	int hidden;
	unsigned targets;	/* bits of enum cause_aspect */
	const char *causes;	/* failed target checks' causes, comma separated; "-": no cause */
};

static void
mk_charged(struct res_run *run, const struct tc *t, size_t n)
{
	memset(run, 0, sizeof(*run));
	run->cases = calloc(n, sizeof(*run->cases));
	cr_assert_not_null(run->cases);
	run->ncases = n;
	for (size_t i = 0; i < n; i++) {
		struct res_case *c = &run->cases[i];
		char proto[16], role[16], list[256], *save = NULL;
		cr_assert(sscanf(t[i].id, "%15[^.].%15[^.].", proto, role) == 2);
		c->id = strdup(t[i].id);
		c->protocol = strdup(proto);
		c->role = strdup(role);
		c->level = strdup(t[i].level);
		c->points = t[i].points;
		c->hidden = t[i].hidden;
		c->targets = t[i].targets;
		c->verdict = strcmp(t[i].verdict, "pass") == 0 ? RES_PASS :
		    strcmp(t[i].verdict, "fail") == 0 ? RES_FAIL :
		    strcmp(t[i].verdict, "error") == 0 ? RES_ERROR : RES_SKIP;
		snprintf(list, sizeof(list), "%s", t[i].causes ? t[i].causes : "");
		for (char *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
			struct res_check *k;
			c->checks = realloc(c->checks, (c->nchecks + 1) * sizeof(*c->checks));
			cr_assert_not_null(c->checks);
			k = &c->checks[c->nchecks++];
			memset(k, 0, sizeof(*k));
			k->name = strdup("x");
			k->cause = strcmp(w, "-") == 0 ? NULL : strdup(w);
		}
	}
	res_tally(run);
}

static const char *
charged(const struct res_run *run, size_t i)
{
	return run->cases[i].charged_in ? run->cases[i].charged_in : "(none)";
}

/* uc-textbook: a should-case ran first, but the must-cases are the ones for it */
Test(score, a_should_case_before_must_cases_does_not_pay)
{
	static const struct tc t[] = {
		{ "udp.client.near-64k", "fail", "should", 1, 0, 0, "echo-missing" },
		{ "udp.client.sizes-1023-1024-1025", "fail", "must", 2, 0, 0, "echo-missing" },
		{ "udp.client.sizes-29-30-31", "fail", "must", 2, 0, 0, "echo-missing" },
	};
	struct res_run run;

	mk_charged(&run, t, 3);
	cr_assert_eq(run.cases[0].score, 1, "the should-case keeps its point");
	cr_assert_str_eq(charged(&run, 0), "udp.client.sizes-1023-1024-1025");
	cr_assert_eq(run.cases[1].score, 0, "the first must-case pays");
	cr_assert_null(run.cases[1].charged_in);
	cr_assert_eq(run.cases[2].score, 2);
	cr_assert_str_eq(charged(&run, 2), "udp.client.sizes-1023-1024-1025");
	cr_assert_eq(run.score, 3);
	cr_assert_eq(run.failed, 3, "verdicts stay");
	res_run_free(&run);
}

/* more points before run order, at the same level */
Test(score, more_points_pay_before_run_order)
{
	static const struct tc t[] = {
		{ "echo.client.sends-line-bytes", "fail", "must", 1, 0, 0, "sent-bytes" },
		{ "echo.client.basic-lines", "fail", "must", 2, 0, 0, "sent-bytes" },
	};
	struct res_run run;

	mk_charged(&run, t, 2);
	cr_assert_eq(run.cases[0].score, 1);
	cr_assert_str_eq(charged(&run, 0), "echo.client.basic-lines");
	cr_assert_eq(run.cases[1].score, 0);
	res_run_free(&run);
}

/* the case whose scenario targets the cause's aspect pays, whatever its rank */
Test(score, a_targeted_case_after_a_non_targeted_one_pays)
{
	static const struct tc t[] = {
		{ "file.server.text", "fail", "must", 5, 0, 0, "no-shutdown" },
		{ "file.server.empty-file", "fail", "should", 1, 0,
		  1u << CAUSE_ASPECT_HALF_CLOSE, "no-shutdown" },
	};
	struct res_run run;

	mk_charged(&run, t, 2);
	cr_assert_eq(run.cases[0].score, 5);
	cr_assert_str_eq(charged(&run, 0), "file.server.empty-file");
	cr_assert_eq(run.cases[1].score, 0);
	cr_assert_null(run.cases[1].charged_in);
	cr_assert_eq(res_payer(&run, "file_server", "no-shutdown"), 1);
	/* a target of another aspect is no target of this cause */
	run.cases[1].targets = 1u << CAUSE_ASPECT_REPLY;
	res_tally(&run);
	cr_assert_eq(res_payer(&run, "file_server", "no-shutdown"), 0);
	cr_assert_str_eq(charged(&run, 1), "file.server.text");
	res_run_free(&run);
}

/*
 * A scenario that names the cause id in `target:` (fs-no-fopen-check: SIGPIPE
 * met first in client-closes-early) pays before an earlier case of the same
 * rank and before a higher-points one; the verdicts stay.
 */
Test(score, a_case_naming_the_cause_id_pays_before_earlier_higher_points_cases)
{
	static const struct tc t[] = {
		{ "file.server.large-32mib", "fail", "must", 3, 0, 0, "sigpipe-death" },
		{ "file.server.client-closes-early", "fail", "must", 2, 0, 0, "sigpipe-death" },
		{ "file.server.sigpipe-on-write", "fail", "must", 2, 0, 0, "sigpipe-death" },
	};
	struct res_run run;

	mk_charged(&run, t, 3);
	cr_assert_eq(res_payer(&run, "file_server", "sigpipe-death"), 0, "no target: points decide");
	run.cases[2].target_causes = (uint64_t)1 << cause_index("sigpipe-death");
	res_tally(&run);
	cr_assert_eq(res_payer(&run, "file_server", "sigpipe-death"), 2);
	cr_assert_eq(run.cases[0].score, 3);
	cr_assert_str_eq(charged(&run, 0), "file.server.sigpipe-on-write");
	cr_assert_eq(run.cases[1].score, 2);
	cr_assert_str_eq(charged(&run, 1), "file.server.sigpipe-on-write");
	cr_assert_eq(run.cases[2].score, 0, "the case for it pays");
	cr_assert_null(run.cases[2].charged_in);
	cr_assert_eq(run.failed, 3, "verdicts stay");
	/* naming another cause is no target of this one */
	run.cases[2].target_causes = (uint64_t)1 << cause_index("short-write");
	res_tally(&run);
	cr_assert_eq(res_payer(&run, "file_server", "sigpipe-death"), 0);
	res_run_free(&run);
}

/* at equal rank a visible case pays, not a hidden one; rank comes first */
Test(score, hidden_vs_visible)
{
	static const struct tc t[] = {
		{ "echo.server.a", "fail", "must", 2, 1, 0, "lost-bytes" },
		{ "echo.server.b", "fail", "must", 2, 0, 0, "lost-bytes" },
		{ "echo.server.c", "fail", "must", 2, 1, 0, "crash" },
		{ "echo.server.d", "fail", "must", 1, 0, 0, "crash" },
	};
	struct res_run run;

	mk_charged(&run, t, 4);
	cr_assert_eq(run.cases[0].score, 2, "the hidden case does not pay");
	cr_assert_str_eq(charged(&run, 0), "echo.server.b");
	cr_assert_eq(run.cases[1].score, 0);
	cr_assert_eq(run.cases[2].score, 0, "more points: the hidden case pays");
	cr_assert_eq(run.cases[3].score, 1);
	cr_assert_str_eq(charged(&run, 3), "echo.server.c");
	res_run_free(&run);
}

/* a case costs when it pays for one of its causes; causeless failures cost */
Test(score, several_causes_and_no_cause)
{
	static const struct tc t[] = {
		{ "file.client.a", "fail", "must", 2, 0, 0, "short-read" },
		{ "file.client.b", "fail", "must", 2, 0, 0, "short-read,extra-bytes" },
		{ "file.client.c", "fail", "must", 3, 0, 0, "extra-bytes" },
		{ "file.client.d", "error", "must", 2, 0, 0, "-" },
		{ "file.client.e", "error", "must", 2, 0, 0, NULL },
		{ "file.client.f", "fail", "must", 2, 0, 0, "extra-bytes,short-read" },
		{ "file.server.g", "fail", "must", 2, 0, 0, "short-read" },
	};
	struct res_run run;

	mk_charged(&run, t, 7);
	cr_assert_eq(run.cases[0].score, 0, "pays short-read");
	cr_assert_eq(run.cases[1].score, 2, "both its causes paid elsewhere");
	cr_assert_str_eq(charged(&run, 1), "file.client.a", "the payer of its first cause");
	cr_assert_eq(run.cases[2].score, 0, "3 points: pays extra-bytes");
	cr_assert_eq(run.cases[3].score, 0, "no cause: costs");
	cr_assert_eq(run.cases[4].score, 0, "no check at all: costs");
	cr_assert_str_eq(charged(&run, 5), "file.client.c");
	cr_assert_eq(run.cases[6].score, 0, "another program pays for itself");
	res_run_free(&run);
}

/* the payer depends on what the cases are, not on where they stand */
Test(score, payer_does_not_depend_on_order)
{
	struct tc t[] = {
		{ "udp.server.near-64k", "fail", "should", 1, 0, 0, "truncated-datagram" },
		{ "udp.server.boundaries-kept", "fail", "must", 2, 1, 0, "truncated-datagram" },
		{ "udp.server.sizes-29-30-31", "fail", "must", 2, 0, 0, "truncated-datagram" },
		{ "udp.server.ipv6", "fail", "should", 1, 0, 0, "truncated-datagram" },
	};
	for (int r = 0; r < 4; r++) {
		struct res_run run;
		struct tc u[4];
		for (int i = 0; i < 4; i++)
			u[i] = t[(i + r) % 4];
		mk_charged(&run, u, 4);
		size_t p = res_payer(&run, "udp_echo_server", "truncated-datagram");
		cr_assert_neq(p, SIZE_MAX);
		cr_assert_str_eq(run.cases[p].id, "udp.server.sizes-29-30-31", "rotation %d", r);
		cr_assert_eq(run.score, 4, "rotation %d", r);
		res_run_free(&run);
	}
}

/* the problems list leads with the case that paid */
Test(score, problems_lead_with_the_payer)
{
	static const struct tc t[] = {
		{ "udp.client.near-64k", "fail", "should", 1, 0, 0, "echo-missing" },
		{ "udp.client.sizes-1023-1024-1025", "fail", "must", 2, 1, 0, "echo-missing" },
		{ "udp.client.sizes-29-30-31", "fail", "must", 2, 0, 0, "echo-missing" },
	};
	struct res_run run;
	struct res_problem *p;
	size_t n;

	mk_charged(&run, t, 3);
	cr_assert_eq(res_payer(&run, "udp_echo_client", "echo-missing"), 2, "visible at equal rank");
	cr_assert_eq(res_problems(&run, 0, &p, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(p[0].ncases, 3);
	cr_assert_eq(p[0].charged, 2);
	cr_assert_eq(p[0].cases[0], 2, "the payer first");
	cr_assert_eq(p[0].cases[1], 0, "then run order");
	cr_assert_eq(p[0].cases[2], 1);
	cr_assert_str_eq(res_problem_mark(&p[0], 0), "failed: its points lost here");
	cr_assert_str_eq(res_problem_mark(&p[0], 1), "failed: no points lost, charged once");
	res_problems_free(p, n);
	res_run_free(&run);
}
