/*
 * The score line of the terminal and Markdown reports: what the maximum
 * counts when cases were skipped (res_scope, rpt_score_line).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

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
