/*
 * asg: the assignment loader and its rules; grade's pure helpers (content
 * hash of a submission, shards). Assignment files are written into a
 * temporary directory; errors must carry file:line:col and say what is
 * wrong. The suite is a handful of hand-made scenarios (ids and points are
 * all asg looks at).
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asg.h"
#include "grade.h"
#include "scratch.h"

static int
load(const char *text, struct asg *a, struct sc_err *err)
{
	char path[PATH_MAX];
	write_file("a.yaml", text, path, sizeof(path));
	sc_err_clear(err);
	return asg_load(path, a, err);
}

/* A load that must fail at line:col with a message containing `what`. */
static void
load_fails(const char *text, int line, int col, const char *what)
{
	struct asg a;
	struct sc_err err;

	cr_assert_eq(load(text, &a, &err), -1, "loaded although it should fail (%s)", what);
	cr_assert_str_eq(strrchr(err.file, '/') ? strrchr(err.file, '/') + 1 : err.file, "a.yaml");
	cr_assert_eq(err.line, line, "line %d, wanted %d: %s", err.line, line, err.msg);
	cr_assert_eq(err.col, col, "col %d, wanted %d: %s", err.col, col, err.msg);
	cr_assert_not_null(strstr(err.msg, what), "message '%s' lacks '%s'", err.msg, what);
	cr_assert(err.excerpt[0] != '\0', "no excerpt for %s", err.msg);
}

/* ---- a small suite ---- */

static const char *const ids[] = {
	"echo.client.basic", "echo.server.binary-nul", "echo.server.one-message",
	"echo.pair.student-pair", "file.server.large-32mib", "file.server.text", NULL
};
static struct scn scns[6];
static struct scn *items[6];
static struct scn_suite suite;

static void
mk_suite(void)
{
	for (size_t i = 0; ids[i]; i++) {
		memset(&scns[i], 0, sizeof(scns[i]));
		scns[i].id = (char *)ids[i];
		scns[i].points = strstr(ids[i], "pair") ? 0 : 2;
		items[i] = &scns[i];
	}
	suite.items = items;
	suite.count = 6;
}

static const struct scn *
by_id(const char *id)
{
	for (size_t i = 0; i < suite.count; i++)
		if (strcmp(suite.items[i]->id, id) == 0)
			return suite.items[i];
	cr_assert_fail("no scenario %s", id);
	return NULL;
}

static void
setup(void)
{
	mk_tmp();
	mk_suite();
}

TestSuite(asg, .init = setup, .fini = rm_tmp, .timeout = 20);

Test(asg, full_example_loads_and_applies_rules_in_order)
{
	struct asg a;
	struct sc_err err;
	unsigned p;
	int h;
	double sc;

	cr_assert_eq(load("title: \"Lab 4\"\n"
	    "timeout_scale: 1.5\n"
	    "build_timeout: 30\n"
	    "report_cap: 20MiB\n"
	    "memcheck: true\n"
	    "cases:\n"
	    "  - select: [\"echo.*\", \"file.*\"]\n"
	    "  - select: \"*.pair.*\"\n"
	    "    exclude: true\n"
	    "  - select: file.server.large-32mib\n"
	    "    points: 4\n"
	    "    hidden: true\n"
	    "    timeout_scale: 2\n"
	    "  - select: \"file.server.*\"\n"
	    "    points: 3\n", &a, &err), 0, "%s", err.msg);
	cr_assert_str_eq(a.title, "Lab 4");
	cr_assert_float_eq(a.timeout_scale, 1.5, 1e-9);
	cr_assert_eq(a.build_timeout_s, 30);
	cr_assert_eq(a.report_cap, 20ull << 20);
	cr_assert_eq(a.memcheck, 1);
	cr_assert_eq(a.nrules, 4);
	cr_assert_eq(asg_check(&a, &suite, &err), 0, "%s", err.msg);

	/* scenario points, visible, the file's scale */
	cr_assert_eq(asg_lookup(&a, by_id("echo.server.one-message"), &p, &h, &sc), 1);
	cr_assert_eq(p, 2);
	cr_assert_eq(h, 0);
	cr_assert_float_eq(sc, 1.5, 1e-9);
	/* excluded by a later rule */
	cr_assert_eq(asg_lookup(&a, by_id("echo.pair.student-pair"), &p, &h, &sc), 0);
	/* points: the last matching rule that sets them wins (3 after 4) */
	cr_assert_eq(asg_lookup(&a, by_id("file.server.large-32mib"), &p, &h, &sc), 1);
	cr_assert_eq(p, 3);
	cr_assert_eq(h, 1, "hidden kept from the rule that set it");
	cr_assert_float_eq(sc, 3.0, 1e-9, "rule scale times file scale");
	cr_assert_eq(asg_lookup(&a, by_id("file.server.text"), &p, &h, &sc), 1);
	cr_assert_eq(p, 3);
	cr_assert_eq(h, 0);
	asg_free(&a);
}

Test(asg, no_assignment_selects_everything_with_scenario_points)
{
	unsigned p;
	int h;
	double sc;

	cr_assert_eq(asg_lookup(NULL, by_id("file.server.text"), &p, &h, &sc), 1);
	cr_assert_eq(p, 2);
	cr_assert_eq(h, 0);
	cr_assert_float_eq(sc, 1.0, 1e-9);
}

Test(asg, no_cases_key_selects_everything)
{
	struct asg a;
	struct sc_err err;
	unsigned p;
	int h;
	double sc;

	cr_assert_eq(load("title: all of it\n", &a, &err), 0, "%s", err.msg);
	for (size_t i = 0; i < suite.count; i++)
		cr_assert_eq(asg_lookup(&a, suite.items[i], &p, &h, &sc), 1);
	asg_free(&a);
}

Test(asg, a_list_that_starts_by_excluding_starts_from_everything)
{
	struct asg a;
	struct sc_err err;
	unsigned p;
	int h;
	double sc;

	cr_assert_eq(load("cases:\n  - select: \"*.pair.*\"\n    exclude: true\n", &a, &err), 0,
	    "%s", err.msg);
	cr_assert_eq(asg_check(&a, &suite, &err), 0, "%s", err.msg);
	cr_assert_eq(asg_lookup(&a, by_id("echo.pair.student-pair"), &p, &h, &sc), 0);
	cr_assert_eq(asg_lookup(&a, by_id("echo.server.one-message"), &p, &h, &sc), 1);
	asg_free(&a);
}

Test(asg, select_then_reselect_after_exclude)
{
	struct asg a;
	struct sc_err err;
	unsigned p;
	int h;
	double sc;

	cr_assert_eq(load("cases:\n"
	    "  - select: \"echo.server.*\"\n"
	    "  - select: \"echo.*\"\n"
	    "    exclude: true\n"
	    "  - select: echo.server.binary-nul\n", &a, &err), 0, "%s", err.msg);
	cr_assert_eq(asg_lookup(&a, by_id("echo.server.binary-nul"), &p, &h, &sc), 1);
	cr_assert_eq(asg_lookup(&a, by_id("echo.server.one-message"), &p, &h, &sc), 0);
	cr_assert_eq(asg_lookup(&a, by_id("file.server.text"), &p, &h, &sc), 0,
	    "not selected by any rule");
	asg_free(&a);
}

Test(asg, unknown_key_suggests_the_right_one)
{
	load_fails("cases:\n  - select: \"echo.*\"\n    pionts: 3\n", 3, 5, "did you mean 'points'");
	load_fails("titel: x\n", 1, 1, "did you mean 'title'");
	load_fails("frobnicate: 1\n", 1, 1, "unknown key 'frobnicate' in an assignment");
}

Test(asg, bad_values_are_located)
{
	load_fails("timeout_scale: 0\n", 1, 16, "'timeout_scale' must be a number from 0.1 to 100");
	load_fails("build_timeout: -3\n", 1, 16, "'build_timeout' must be an integer");
	load_fails("cases:\n  - select: x\n    points: 1001\n", 3, 13, "from 0 to 1000");
	load_fails("cases:\n  - select: x\n    points: \"3\"\n", 3, 13, "'points' must be an integer");
	load_fails("cases:\n  - select: x\n    hidden: maybe\n", 3, 13, "true or false");
	load_fails("memcheck: 1\n", 1, 11, "'memcheck' must be true or false");
	load_fails("report_cap: 100KiB\n", 1, 13, "'report_cap' must be at least 1MiB");
}

Test(asg, bad_structure_is_located)
{
	load_fails("- select: x\n", 1, 1, "must be a mapping");
	load_fails("cases: echo.*\n", 1, 8, "'cases' must be a list");
	load_fails("cases: []\n", 1, 8, "'cases' is empty");
	load_fails("cases:\n  - echo.*\n", 2, 5, "must be a mapping");
	load_fails("cases:\n  - points: 3\n", 2, 5, "needs 'select'");
	load_fails("cases:\n  - select: {a: b}\n", 2, 13, "'select' must be");
	load_fails("cases:\n  - select: [a, [b]]\n", 2, 17, "'select' must be");
	load_fails("cases:\n  - select: \"echo.*,file.*\"\n", 2, 13, "one glob per list item");
	load_fails("cases:\n  - select: \"\"\n", 2, 13, "empty glob");
	load_fails("cases:\n  - select: x\n    exclude: true\n    points: 2\n", 4, 13,
	    "an 'exclude' item takes no points");
}

Test(asg, yaml_syntax_errors_are_located)
{
	struct asg a;
	struct sc_err err;

	cr_assert_eq(load("cases:\n  - select: [a, b\n", &a, &err), -1);
	cr_assert(err.line >= 2, "line %d: %s", err.line, err.msg);
	cr_assert_not_null(strstr(err.msg, "YAML"), "%s", err.msg);
	cr_assert_eq(load("title: a\ntitle: b\n", &a, &err), -1);
	cr_assert_eq(err.line, 2);
	cr_assert_not_null(strstr(err.msg, "duplicate key"), "%s", err.msg);
}

Test(asg, a_glob_that_matches_nothing_is_an_error_with_a_suggestion)
{
	struct asg a;
	struct sc_err err;

	cr_assert_eq(load("cases:\n  - select: [\"echo.*\", \"echo.server.onemessage\"]\n", &a, &err),
	    0, "%s", err.msg);
	cr_assert_eq(asg_check(&a, &suite, &err), -1);
	cr_assert_eq(err.line, 2);
	cr_assert_eq(err.col, 24, "col %d", err.col);
	cr_assert_not_null(strstr(err.msg, "matches no case"), "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, "did you mean 'echo.server.one-message'"), "%s", err.msg);
	asg_free(&a);

	cr_assert_eq(load("cases:\n  - select: \"ftp.*\"\n", &a, &err), 0, "%s", err.msg);
	cr_assert_eq(asg_check(&a, &suite, &err), -1);
	cr_assert_not_null(strstr(err.msg, "sockcheck list"), "%s", err.msg);
	asg_free(&a);
}

Test(asg, selecting_nothing_is_an_error)
{
	struct asg a;
	struct sc_err err;

	cr_assert_eq(load("cases:\n  - select: \"echo.*\"\n  - select: \"*\"\n    exclude: true\n",
	    &a, &err), 0, "%s", err.msg);
	cr_assert_eq(asg_check(&a, &suite, &err), -1);
	cr_assert_not_null(strstr(err.msg, "selects no case"), "%s", err.msg);
	asg_free(&a);
}

Test(asg, suite_is_relative_to_the_assignment_file)
{
	struct asg a;
	struct sc_err err;
	char want[PATH_MAX];

	cr_assert_eq(load("suite: ../my-scenarios\n", &a, &err), 0, "%s", err.msg);
	snprintf(want, sizeof(want), "%s/../my-scenarios", tmpdir);
	cr_assert_str_eq(a.suite, want);
	asg_free(&a);
	cr_assert_eq(load("suite: /abs/scenarios\n", &a, &err), 0, "%s", err.msg);
	cr_assert_str_eq(a.suite, "/abs/scenarios");
	asg_free(&a);
}

Test(asg, the_example_assignment_loads)
{
	struct asg a;
	struct sc_err err;

	sc_err_clear(&err);
	cr_assert_eq(asg_load("assignments/echo-file.yaml", &a, &err), 0, "%s:%d:%d: %s", err.file,
	    err.line, err.col, err.msg);
	cr_assert_not_null(a.title);
	cr_assert(a.nrules > 0);
	asg_free(&a);
}

/* ---- grade helpers ---- */

TestSuite(grade, .init = mk_tmp, .fini = rm_tmp, .timeout = 20);

static void
hash_of(const char *rel, char hex[65])
{
	char dir[PATH_MAX];
	struct sc_err err;

	snprintf(dir, sizeof(dir), "%s/%s", tmpdir, rel);
	sc_err_clear(&err);
	cr_assert_eq(grade_hash_tree(dir, hex, &err), 0, "%s", err.msg);
	cr_assert_eq(strlen(hex), 64);
}

Test(grade, content_hash_sees_content_names_modes_and_nothing_else)
{
	char p[PATH_MAX], a[65], b[65], c[65];

	/* the same tree written in a different order hashes the same */
	write_file("a/x.c", "int x;\n", p, sizeof(p));
	write_file("a/sub/y.c", "int y;\n", p, sizeof(p));
	write_file("b/sub/y.c", "int y;\n", p, sizeof(p));
	write_file("b/x.c", "int x;\n", p, sizeof(p));
	hash_of("a", a);
	hash_of("b", b);
	cr_assert_str_eq(a, b);

	/* .git is left out */
	write_file("b/.git/index", "whatever\n", p, sizeof(p));
	hash_of("b", b);
	cr_assert_str_eq(a, b);

	/* a byte changed */
	write_file("b/x.c", "int X;\n", p, sizeof(p));
	hash_of("b", b);
	cr_assert_str_neq(a, b);
	write_file("b/x.c", "int x;\n", p, sizeof(p));
	hash_of("b", b);
	cr_assert_str_eq(a, b);

	/* the executable bit */
	snprintf(p, sizeof(p), "%s/b/x.c", tmpdir);
	cr_assert_eq(chmod(p, 0755), 0);
	hash_of("b", b);
	cr_assert_str_neq(a, b);
	cr_assert_eq(chmod(p, 0644), 0);

	/* a file renamed, a file added, an empty directory */
	write_file("b/z.c", "", p, sizeof(p));
	hash_of("b", c);
	cr_assert_str_neq(a, c);
	snprintf(p, sizeof(p), "%s/b/z.c", tmpdir);
	unlink(p);
	hash_of("b", b);
	cr_assert_str_eq(a, b);
	snprintf(p, sizeof(p), "%s/b/empty", tmpdir);
	cr_assert_eq(mkdir(p, 0755), 0);
	hash_of("b", b);
	cr_assert_str_neq(a, b);
	rmdir(p);

	/* content moved across the file boundary: "ab"+"c" is not "a"+"bc" */
	write_file("c/1", "ab", p, sizeof(p));
	write_file("c/2", "c", p, sizeof(p));
	write_file("d/1", "a", p, sizeof(p));
	write_file("d/2", "bc", p, sizeof(p));
	hash_of("c", a);
	hash_of("d", b);
	cr_assert_str_neq(a, b);
}

Test(grade, content_hash_of_a_missing_directory_fails)
{
	char hex[65], dir[PATH_MAX];
	struct sc_err err;

	snprintf(dir, sizeof(dir), "%s/nope", tmpdir);
	cr_assert_eq(grade_hash_tree(dir, hex, &err), -1);
	cr_assert_not_null(strstr(err.msg, "nope"), "%s", err.msg);
}

Test(grade, shards_parse)
{
	unsigned k, n;
	struct sc_err err;

	cr_assert_eq(grade_parse_shard("1/2", &k, &n, &err), 0);
	cr_assert_eq(k, 1);
	cr_assert_eq(n, 2);
	cr_assert_eq(grade_parse_shard("7/7", &k, &n, &err), 0);
	const char *bad[] = { "0/2", "3/2", "1/0", "1", "1/", "/2", "a/b", "1/2x", "-1/2",
		"1/-2", "1/20000", " 1/2", NULL };
	for (size_t i = 0; bad[i]; i++) {
		cr_assert_eq(grade_parse_shard(bad[i], &k, &n, &err), -1, "accepted '%s'", bad[i]);
		cr_assert_not_null(strstr(err.msg, "K/N"), "%s", err.msg);
	}
}

Test(grade, shards_split_names_deterministically_and_evenly)
{
	unsigned count[5] = { 0 };
	char name[32];

	cr_assert_eq(grade_shard_of("alice", 1), 1);
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "student%04u", i);
		unsigned k = grade_shard_of(name, 5);
		cr_assert(k >= 1 && k <= 5);
		cr_assert_eq(k, grade_shard_of(name, 5), "not deterministic");
		count[k - 1]++;
	}
	/* 200 expected per shard; a hash split stays well within 150..250 */
	for (unsigned k = 0; k < 5; k++)
		cr_assert(count[k] > 150 && count[k] < 250, "shard %u got %u of 1000", k + 1, count[k]);
	/*
	 * Fixed values (the first 8 bytes of SHA-256 of the name, big-endian,
	 * modulo N, plus 1; docs/grading.md): a split must not change between
	 * versions or machines, or shards graded apart would overlap.
	 */
	cr_assert_eq(grade_shard_of("alice", 2), 2);
	cr_assert_eq(grade_shard_of("bob", 2), 1);
	cr_assert_eq(grade_shard_of("alice", 10), 8);
	cr_assert_eq(grade_shard_of("carol", 10), 3);
}
