/*
 * Hostile input at the module level (the end-to-end corpus is
 * tests/hostile.sh): command templates and profiles that try to break out
 * of their limits or the working copy, YAML built to be slow, and file
 * chores on paths a student program controls (FIFOs, links to devices,
 * links out of the tree).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsx.h"
#include "prof.h"
#include "ytree.h"
#include "scratch.h"

static char *
path_of(const char *name)
{
	static char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TestSuite(hostile, .init = mk_tmp, .fini = rm_tmp, .timeout = 10);

/* ---- command templates ---- */

/* A word longer than any buffer: refused, or kept whole; never cut to another name. */
Test(hostile, expand_long_word_is_not_silently_cut)
{
	size_t len = 100000;
	char *tmpl = malloc(len + 16);
	struct sc_err err;
	char **argv;

	cr_assert_not_null(tmpl);
	memcpy(tmpl, "./", 2);
	memset(tmpl + 2, 'a', len);
	strcpy(tmpl + 2 + len, " {port}");
	sc_err_clear(&err);
	argv = prof_expand(tmpl, "127.0.0.1", 5000, "f", "o", &err);
	if (argv != NULL) {
		cr_expect_eq(strlen(argv[0]), len + 2, "the program name was cut from %zu to %zu bytes",
		    len + 2, strlen(argv[0]));
		cr_expect_str_eq(argv[1], "5000");
		prof_argv_free(argv);
	} else {
		cr_expect_neq(err.msg[0], '\0', "refused without a message");
	}
	free(tmpl);
}

/* A long value substituted into a placeholder: the same. */
Test(hostile, expand_long_placeholder_value_is_not_silently_cut)
{
	size_t len = 20000;
	char *host = malloc(len + 1);
	struct sc_err err;
	char **argv;

	cr_assert_not_null(host);
	memset(host, 'h', len);
	host[len] = '\0';
	sc_err_clear(&err);
	argv = prof_expand("./c {host} {port}", host, 1, "f", "o", &err);
	if (argv != NULL) {
		cr_expect_eq(strlen(argv[1]), len, "{host} was cut from %zu to %zu bytes", len,
		    strlen(argv[1]));
		prof_argv_free(argv);
	} else {
		cr_expect_neq(err.msg[0], '\0', "refused without a message");
	}
	free(host);
}

/* Very many words: all of them, quickly (no quadratic growth). */
Test(hostile, expand_many_words)
{
	size_t n = 100000;
	char *tmpl = malloc(3 * n + 8);
	struct sc_err err;
	char **argv;
	size_t k = 0;
	double t0;

	cr_assert_not_null(tmpl);
	strcpy(tmpl, "./x");
	for (size_t i = 0; i < n; i++)
		strcat(tmpl + 3 + 2 * i, " w");
	sc_err_clear(&err);
	t0 = now_s();
	argv = prof_expand(tmpl, "127.0.0.1", 1, "f", "o", &err);
	cr_expect_lt(now_s() - t0, 2.0, "expanding %zu words took %.1f s", n, now_s() - t0);
	if (argv != NULL) {
		while (argv[k])
			k++;
		cr_expect_eq(k, n + 1);
		prof_argv_free(argv);
	}
	free(tmpl);
}

/* ---- the profile ---- */

static int
load_profile(const char *text, struct prof *p, struct sc_err *err)
{
	write_bytes("sockcheck.yaml", text, strlen(text), NULL, 0);
	sc_err_clear(err);
	return prof_load_file(path_of("sockcheck.yaml"), tmpdir, p, err);
}

/* A port_pattern that is not a regular expression: an error at load, with its place. */
Test(hostile, profile_bad_port_pattern_is_an_error_at_load)
{
	struct prof p;
	struct sc_err err;
	int rc = load_profile("programs:\n  echo_server:\n    command: ./s\n    port: printed\n"
	    "    port_pattern: \"([0-9]+\"\n", &p, &err);

	if (rc == 0)
		prof_free(&p);
	cr_expect_eq(rc, -1, "an invalid port_pattern was accepted (the run would wait 5 s for "
	    "a port it can never find)");
	if (rc < 0)
		cr_expect_eq(err.line, 5, "error at line %d: %s", err.line, err.msg);
}

/*
 * The served file and the output file are names relative to the program's
 * working copy; sockcheck (root, when grading) writes the served file there
 * and reads the output file. Course layouts put data above the program
 * ("../test/data/x.c"), so one level above the working copy (the case's own
 * scratch directory) is allowed; a name that climbs further out or is
 * absolute must be refused.
 */
static void
expect_refused(const char *text, const char *what)
{
	struct prof p;
	struct sc_err err;
	int rc = load_profile(text, &p, &err);

	if (rc == 0)
		prof_free(&p);
	cr_expect_eq(rc, -1, "accepted %s", what);
	if (rc < 0)
		cr_expect_gt(err.line, 0, "%s: no line: %s", what, err.msg);
}

Test(hostile, profile_file_names_stay_in_the_working_copy)
{
	expect_refused("programs:\n  file_server:\n    command: ./s {port}\n"
	    "    file: ../../../../etc/passwd\n", "file: ../../../../etc/passwd");
	expect_refused("programs:\n  file_server:\n    command: ./s {port}\n"
	    "    file: /etc/passwd\n", "file: /etc/passwd");
	expect_refused("programs:\n  file_server:\n    command: ./s {port}\n"
	    "    file: data/../../../x\n", "file: data/../../../x");
	expect_refused("programs:\n  file_server:\n    command: ./s {port}\n"
	    "    file: ../../x\n", "file: ../../x");
	expect_refused("programs:\n  file_server:\n    command: ./s {port}\n"
	    "    file: ..\n", "file: ..");
	expect_refused("programs:\n  file_client:\n    command: ./c {host} {port}\n"
	    "    out: ../../../../etc/shadow\n", "out: ../../../../etc/shadow");
	expect_refused("programs:\n  file_client:\n    command: ./c {host} {port}\n"
	    "    out: /etc/shadow\n", "out: /etc/shadow");
}

/* One level up stays in the case's scratch directory: accepted, and normalised. */
Test(hostile, profile_file_names_one_level_up_are_accepted)
{
	struct prof p;
	struct sc_err err;
	char norm[256];

	cr_assert_eq(load_profile("programs:\n  file_server:\n    command: ./s {port}\n"
	    "    file: ../test/data/x.c\n", &p, &err), 0, "%s", err.msg);
	cr_expect_str_eq(p.progs[PROF_FILE_SERVER].file, "../test/data/x.c");
	cr_expect(p.progs[PROF_FILE_SERVER].set & PROF_SET_FILE);
	prof_free(&p);
	cr_assert_eq(prof_path_inside("../test/data/x.c", "work", norm, sizeof(norm)), 0);
	cr_expect_str_eq(norm, "test/data/x.c");
	cr_assert_eq(prof_path_inside("a/./b", "work", norm, sizeof(norm)), 0);
	cr_expect_str_eq(norm, "work/a/b");
	cr_expect_eq(prof_path_inside("a/../..", "work", norm, sizeof(norm)), -1);
	cr_expect_eq(prof_path_inside("", "work", norm, sizeof(norm)), -1);
}

/* ---- YAML built to be slow ---- */

/* A mapping of 50000 keys: an error (unknown keys) or not, but within a second or two. */
Test(hostile, yaml_many_keys_is_not_quadratic, .timeout = 10)
{
	size_t n = 50000, off = 0;
	char *text = malloc(n * 24 + 64);
	struct sc_err err;
	struct yt_node *root;
	double t0;

	cr_assert_not_null(text);
	for (size_t i = 0; i < n; i++)
		off += (size_t)sprintf(text + off, "key%zu: %zu\n", i, i);
	write_bytes("many.yaml", text, off, NULL, 0);
	free(text);
	sc_err_clear(&err);
	t0 = now_s();
	root = yt_load_file(path_of("many.yaml"), &err);
	cr_expect_lt(now_s() - t0, 2.0, "a 50000-key mapping took %.1f s to load (duplicate-key "
	    "check is quadratic?)", now_s() - t0);
	yt_free(root);
}

/* Deep nesting: an error with a position, no stack overflow. */
Test(hostile, yaml_deep_nesting_is_an_error)
{
	size_t n = 200000;
	char *text = malloc(2 * n + 16);
	struct sc_err err;
	struct yt_node *root;

	cr_assert_not_null(text);
	memcpy(text, "a: ", 3);
	memset(text + 3, '[', n);
	memset(text + 3 + n, ']', n);
	memcpy(text + 3 + 2 * n, "\n", 2);
	write_bytes("deep.yaml", text, strlen(text), NULL, 0);
	free(text);
	sc_err_clear(&err);
	root = yt_load_file(path_of("deep.yaml"), &err);
	cr_expect_null(root);
	yt_free(root);
	cr_expect_eq(err.line, 1);
	cr_expect_gt(err.col, 0);
}

/* ---- file chores on paths a student program controls ---- */

/*
 * Digest the file `name` of the test directory in a child, given `secs` to
 * answer: fsx_sha256_file (beneath = 0) or fsx_digest_beneath (beneath = 1,
 * how the harness reads a student's output file). Its return value, or 99
 * when it had to be killed (so that a hang fails the test without leaving
 * the test's directory behind).
 */
static int
digest_within(const char *name, int beneath, double secs)
{
	pid_t pid = fork();
	int st;
	double t0 = now_s();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char hex[65];
		uint64_t size = 0;
		struct sc_err err;
		sc_err_clear(&err);
		_exit((beneath ? fsx_digest_beneath(tmpdir, name, hex, &size, &err) :
		    fsx_sha256_file(path_of(name), hex, &size, &err)) + 10);
	}
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (now_s() - t0 > secs) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return 99;
		}
		usleep(10000);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) - 10 : 98;
}

/* The output file left as a FIFO that nobody writes: an answer at once, not a hang. */
Test(hostile, digest_of_a_fifo_does_not_block)
{
	cr_assert_eq(mkfifo(path_of("receive.dat"), 0666), 0);
	for (int beneath = 0; beneath <= 1; beneath++) {
		int rc = digest_within("receive.dat", beneath, 2.0);
		cr_expect_neq(rc, 99, "%s blocks on a FIFO",
		    beneath ? "fsx_digest_beneath" : "fsx_sha256_file");
		cr_expect_eq(rc, 2, "%s: a FIFO not reported as 'something else' (%d)",
		    beneath ? "fsx_digest_beneath" : "fsx_sha256_file", rc);
	}
}

/* The output file left as a link to /dev/zero: an answer at once, not an endless read. */
Test(hostile, digest_of_a_link_to_a_device_ends)
{
	cr_assert_eq(symlink("/dev/zero", path_of("receive.dat")), 0);
	for (int beneath = 0; beneath <= 1; beneath++) {
		int rc = digest_within("receive.dat", beneath, 2.0);
		cr_expect_neq(rc, 99, "%s reads /dev/zero for ever",
		    beneath ? "fsx_digest_beneath" : "fsx_sha256_file");
		cr_expect_eq(rc, 2, "%s: a link not reported as 'something else' (%d)",
		    beneath ? "fsx_digest_beneath" : "fsx_sha256_file", rc);
	}
}

/* Removing a working copy never follows its links out of it. */
Test(hostile, remove_tree_does_not_follow_links)
{
	char outside[PATH_MAX], tree[PATH_MAX], link[PATH_MAX + 32];
	struct sc_err err;
	struct stat st;

	snprintf(outside, sizeof(outside), "%s/outside", tmpdir);
	snprintf(tree, sizeof(tree), "%s/tree", tmpdir);
	cr_assert_eq(mkdir(outside, 0755), 0);
	write_bytes("outside/precious", "keep\n", 5, NULL, 0);
	cr_assert_eq(mkdir(tree, 0755), 0);
	snprintf(link, sizeof(link), "%s/dir-link", tree);
	cr_assert_eq(symlink(outside, link), 0);
	snprintf(link, sizeof(link), "%s/file-link", tree);
	cr_assert_eq(symlink(path_of("outside/precious"), link), 0);
	snprintf(link, sizeof(link), "%s/locked", tree);
	cr_assert_eq(mkdir(link, 0), 0);
	sc_err_clear(&err);
	cr_expect_eq(fsx_remove_tree(tree, &err), 0, "%s", err.msg);
	cr_expect_neq(lstat(tree, &st), 0, "the tree is still there");
	cr_expect_eq(stat(path_of("outside/precious"), &st), 0, "a file outside was removed");
}

/* Copying a submission skips FIFOs (a read would block) and keeps links as links. */
Test(hostile, copy_tree_skips_fifos_and_keeps_links, .timeout = 5)
{
	char src[PATH_MAX], dst[PATH_MAX], p[PATH_MAX + 32];
	struct sc_err err;
	struct stat st;

	snprintf(src, sizeof(src), "%s/src", tmpdir);
	snprintf(dst, sizeof(dst), "%s/dst", tmpdir);
	cr_assert_eq(mkdir(src, 0755), 0);
	snprintf(p, sizeof(p), "%s/echo_server.c", src);
	cr_assert_eq(mkfifo(p, 0644), 0);
	snprintf(p, sizeof(p), "%s/passwd", src);
	cr_assert_eq(symlink("/etc/passwd", p), 0);
	sc_err_clear(&err);
	cr_expect_eq(fsx_copy_tree(src, dst, NULL, &err), 0, "%s", err.msg);
	snprintf(p, sizeof(p), "%s/passwd", dst);
	cr_expect_eq(lstat(p, &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "a link was copied as what it points to");
}
