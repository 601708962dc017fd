/*
 * scn: the scenario loader. Small YAML files are written into a temporary
 * directory and loaded with the public API (scn.h); errors must carry
 * file:line:col, the offending line (excerpt) and a message that says what
 * is wrong.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cause.h"
#include "scn.h"
#include "scratch.h"

#define SUITE_DIR "scenarios"

/* Load `text` as tmpdir/`name`; returns the scenario (or NULL with err). */
static struct scn *
load_text(const char *name, const char *text, struct sc_err *err, char *path, size_t len)
{
	char buf[PATH_MAX];

	if (path == NULL) {
		path = buf;
		len = sizeof(buf);
	}
	write_file(name, text, path, len);
	sc_err_clear(err);
	return scn_load_file(path, err);
}

/* The load must fail at line:col with a message containing `needle`. */
static void
expect_error(const char *text, int line, int col, const char *needle, const char *excerpt)
{
	struct sc_err err;
	char path[PATH_MAX];
	struct scn *s = load_text("bad.yaml", text, &err, path, sizeof(path));

	if (s != NULL) {
		scn_free(s);
		cr_assert_fail("loaded although it should fail with '%s':\n%s", needle, text);
	}
	cr_assert_str_eq(err.file, path);
	cr_assert_eq(err.line, line, "line: expected %d, got %d (%s)", line, err.line, err.msg);
	cr_assert_eq(err.col, col, "col: expected %d, got %d (%s)", col, err.col, err.msg);
	cr_assert_not_null(strstr(err.msg, needle), "message '%s' lacks '%s'", err.msg, needle);
	if (excerpt)
		cr_assert_str_eq(err.excerpt, excerpt);
}

/* sc_err_print renders "prog: file:line:col: msg", the line and a caret. */
static char *
render(const struct sc_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	sc_err_print(f, "sockcheck", err);
	fclose(f);
	return buf;
}

TestSuite(scn, .init = mk_tmp, .fini = rm_tmp, .timeout = 30);

static const char full[] =
    "title: A full scenario\n"
    "protocol: file\n"
    "role: client\n"
    "level: should\n"
    "points: 7\n"
    "timeout: 2.5\n"
    "input:\n"
    "  size: 4KiB\n"
    "  pattern: binary\n"
    "  seed: 42\n"
    "peers:\n"
    "  - flags: [--chunk, 1, --gap-us, 200]\n"
    "    delay_ms: 50\n"
    "    concurrent: true\n"
    "    input: {size: 3MiB, pattern: zero}\n"
    "  - expect: ignore\n"
    "expect:\n"
    "  exit: failure\n"
    "  data: false\n"
    "  reply: false\n"
    "  stderr_message: true\n"
    "  output_absent: true\n"
    "  max_seconds: 1.5\n"
    "hint: >\n"
    "  Read until read() returns 0.\n"
    "memcheck: true\n"
    "memcheck_fail: [invalid-read, leak-definite]\n";

Test(scn, valid_scenario_has_every_field)
{
	struct sc_err err;
	struct scn *s = load_text("full-one.yaml", full, &err, NULL, 0);

	cr_assert_not_null(s, "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
	cr_assert_str_eq(s->id, "file.client.full-one");
	cr_assert_str_eq(s->title, "A full scenario");
	cr_assert_eq(s->protocol, SCN_FILE);
	cr_assert_eq(s->role, SCN_CLIENT);
	cr_assert_eq(s->level, SCN_SHOULD);
	cr_assert_eq(s->points, 7);
	cr_assert_float_eq(s->timeout_s, 2.5, 1e-9);
	cr_assert(s->input.set);
	cr_assert_eq(s->input.size, 4096);
	cr_assert_eq(s->input.pattern, SCN_PAT_BINARY);
	cr_assert_eq(s->input.seed, 42);
	cr_assert_null(s->input.text);

	cr_assert_eq(s->npeers, 2);
	cr_assert_eq(s->peers[0].nflags, 4);
	cr_assert_str_eq(s->peers[0].flags[0], "--chunk");
	cr_assert_str_eq(s->peers[0].flags[1], "1");
	cr_assert_str_eq(s->peers[0].flags[2], "--gap-us");
	cr_assert_str_eq(s->peers[0].flags[3], "200");
	cr_assert_null(s->peers[0].flags[4]);
	cr_assert_eq(s->peers[0].delay_ms, 50);
	cr_assert_eq(s->peers[0].concurrent, 1);
	cr_assert(s->peers[0].input.set);
	cr_assert_eq(s->peers[0].input.size, 3ULL * 1024 * 1024);
	cr_assert_eq(s->peers[0].input.pattern, SCN_PAT_ZERO);
	cr_assert_eq(s->peers[0].expect, SCN_PEER_ECHO);
	cr_assert_eq(s->peers[1].nflags, 0);
	cr_assert_eq(s->peers[1].concurrent, 0);
	cr_assert_eq(s->peers[1].input.set, 0);
	cr_assert_eq(s->peers[1].expect, SCN_PEER_IGNORE);

	cr_assert_eq(s->expect.exit, SCN_EXIT_FAILURE);
	cr_assert_eq(s->expect.data, SCN_NO);
	cr_assert_eq(s->expect.reply, SCN_NO);
	cr_assert_eq(s->expect.stderr_message, SCN_YES);
	cr_assert_eq(s->expect.output_absent, SCN_YES);
	cr_assert_eq(s->expect.closes, SCN_ANY);
	cr_assert_float_eq(s->expect.max_seconds, 1.5, 1e-9);
	cr_assert_str_eq(s->hint, "Read until read() returns 0.\n");
	cr_assert_eq(s->memcheck, 1);
	cr_assert_not_null(s->memcheck_fail);
	cr_assert_str_eq(s->memcheck_fail[0], "invalid-read");
	cr_assert_str_eq(s->memcheck_fail[1], "leak-definite");
	cr_assert_null(s->memcheck_fail[2]);
	cr_assert_null(s->inject);
	scn_free(s);
}

Test(scn, defaults_by_role)
{
	struct sc_err err;
	struct scn *s = load_text("min.yaml",
	    "title: t\nprotocol: file\nrole: server\nhint: h\n", &err, NULL, 0);

	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_str_eq(s->id, "file.server.min");
	cr_assert_eq(s->level, SCN_MUST);
	cr_assert_eq(s->points, 1);
	cr_assert_float_eq(s->timeout_s, 10, 1e-9);
	cr_assert_eq(s->memcheck, -1);
	cr_assert_null(s->memcheck_fail);
	cr_assert_eq(s->input.set, 0);
	cr_assert_eq(s->npeers, 1, "one peer with no flags by default");
	cr_assert_eq(s->peers[0].nflags, 0);
	cr_assert_eq(s->expect.exit, SCN_EXIT_DEFAULT);
	cr_assert_eq(s->expect.data, SCN_YES);
	cr_assert_eq(s->expect.eof, SCN_YES);
	cr_assert_eq(s->expect.reply, SCN_YES);
	cr_assert_eq(s->expect.closes, SCN_ANY);
	cr_assert_eq(s->stdin_spec.close, 1);
	cr_assert_eq(s->stdin_spec.nlines, 0);
	scn_free(s);

	s = load_text("ec.yaml", "title: t\nprotocol: echo\nrole: client\nhint: h\n", &err, NULL, 0);
	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->expect.closes, SCN_YES);
	cr_assert_eq(s->expect.eof, SCN_ANY);
	cr_assert_eq(s->expect.reply, SCN_ANY);
	scn_free(s);

	/* pair: no reference peer */
	s = load_text("pr.yaml", "title: t\nprotocol: echo\nrole: pair\nhint: h\n", &err, NULL, 0);
	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->role, SCN_PAIR);
	cr_assert_eq(s->npeers, 0);
	scn_free(s);

	/* input given without size: 64 bytes of text, seed 1 */
	s = load_text("in.yaml", "title: t\nprotocol: echo\nrole: server\nhint: h\n"
	    "input: {pattern: random}\n", &err, NULL, 0);
	cr_assert_not_null(s, "%s", err.msg);
	cr_assert(s->input.set);
	cr_assert_eq(s->input.size, 64);
	cr_assert_eq(s->input.seed, 1);
	cr_assert_eq(s->input.pattern, SCN_PAT_RANDOM);
	scn_free(s);
}

Test(scn, sizes_with_suffixes)
{
	static const struct { const char *text; uint64_t bytes; } cases[] = {
		{ "0", 0 }, { "12", 12 }, { "1KiB", 1024 }, { "4KiB", 4096 },
		{ "1MiB", 1048576 }, { "256MiB", 268435456ULL }, { "2GiB", 2147483648ULL },
		{ "3 KiB", 3072 }, { "1024GiB", 1ULL << 40 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[256];
		struct sc_err err;
		snprintf(text, sizeof(text), "title: t\nprotocol: file\nrole: client\nhint: h\n"
		    "input:\n  size: %s\n", cases[i].text);
		struct scn *s = load_text("sz.yaml", text, &err, NULL, 0);
		cr_assert_not_null(s, "size %s: %s", cases[i].text, err.msg);
		cr_assert_eq(s->input.size, cases[i].bytes, "size %s: got %llu", cases[i].text,
		    (unsigned long long)s->input.size);
		scn_free(s);
	}
}

Test(scn, bad_sizes)
{
	static const char *const bad[] = { "-1", "-4KiB", "4kb", "4 MB", "1.5MiB", "KiB", "x",
	    "4KiBB", "1025GiB", "99999999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), "title: t\nprotocol: file\nrole: client\nhint: h\n"
		    "input:\n  pattern: text\n  size: %s\n", bad[i]);
		expect_error(text, 7, 9, "input.size", NULL);
	}
	/* a size in a flow mapping: the column of the value */
	expect_error("title: t\nprotocol: file\nrole: client\nhint: h\n"
	    "input: {size: -5}\n", 5, 15, "bad size '-5'", "input: {size: -5}");
	/* a list where a size belongs */
	expect_error("title: t\nprotocol: file\nrole: client\nhint: h\n"
	    "input: {size: [1, 2]}\n", 5, 15, "'input.size' must be a size; got a list", NULL);
	/* well formed but too large: said so, not "bad size" */
	expect_error("title: t\nprotocol: file\nrole: client\nhint: h\n"
	    "input: {size: 1025GiB}\n", 5, 15, "'input.size': 1025GiB is too large (at most 1024GiB)",
	    NULL);
	expect_error("title: t\nprotocol: file\nrole: client\nhint: h\n"
	    "input: {size: 99999999999999999999999}\n", 5, 15, "is too large", NULL);
}

Test(scn, text_input_and_stdin)
{
	struct sc_err err;
	struct scn *s = load_text("lines.yaml",
	    "title: t\n"
	    "protocol: echo\n"
	    "role: client\n"
	    "input:\n"
	    "  text: \"ab\\n\"\n"
	    "stdin:\n"
	    "  lines: [hello, \"two words\", 123]\n"
	    "  quit: yes\n"
	    "  close: false\n"
	    "  line_gap_ms: 250\n"
	    "hint: h\n", &err, NULL, 0);

	cr_assert_not_null(s, "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
	cr_assert_eq(s->input.text_len, 3);
	cr_assert_str_eq(s->input.text, "ab\n");
	cr_assert_eq(s->stdin_spec.nlines, 3);
	cr_assert_str_eq(s->stdin_spec.lines[0], "hello");
	cr_assert_str_eq(s->stdin_spec.lines[1], "two words");
	cr_assert_str_eq(s->stdin_spec.lines[2], "123");
	cr_assert_null(s->stdin_spec.lines[3]);
	cr_assert_eq(s->stdin_spec.quit, 1);
	cr_assert_eq(s->stdin_spec.close, 0);
	cr_assert_eq(s->stdin_spec.line_gap_ms, 250);
	scn_free(s);
}

/*
 * input.text is literal data (echo.server peers send it): a NUL byte in a
 * double-quoted YAML string ("\0") is data too, and text_len bytes of text
 * must be readable and equal to it.
 */
Test(scn, text_with_nul_bytes_is_kept_whole)
{
	struct sc_err err;
	struct scn *s = load_text("nul.yaml", "title: t\nprotocol: echo\nrole: server\nhint: h\n"
	    "input: {text: \"a\\0b\\n\"}\n", &err, NULL, 0);

	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->input.text_len, 4);
	cr_assert_eq(memcmp(s->input.text, "a\0b\n", 4), 0,
	    "input.text was cut at its NUL byte although text_len is 4");
	scn_free(s);
}

Test(scn, setup_and_inject)
{
	struct sc_err err;
	struct scn *s = load_text("refused.yaml",
	    "title: t\nprotocol: echo\nrole: client\nhint: h\n"
	    "setup: {no_server: true}\n"
	    "inject: {write_max: 7, fail: [read, write]}\n", &err, NULL, 0);

	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->setup.no_server, 1);
	cr_assert_eq(s->npeers, 0, "nothing listens: no peer");
	cr_assert_eq(s->expect.data, SCN_NO);
	cr_assert_eq(s->expect.closes, SCN_ANY);
	cr_assert_not_null(s->inject);
	cr_assert_str_eq(s->inject[0], "write_max=7");
	cr_assert_str_eq(s->inject[1], "fail=read");
	cr_assert_str_eq(s->inject[2], "fail=write");
	cr_assert_null(s->inject[3]);
	scn_free(s);

	/* no_file applies to file.server only; no_server to clients only */
	/* a block mapping starts at its first key (libyaml's mark) */
	expect_error("title: t\nprotocol: file\nrole: client\nhint: h\nsetup:\n  no_file: true\n",
	    6, 3, "'setup.no_file' applies to file.server only", NULL);
	expect_error("title: t\nprotocol: echo\nrole: server\nhint: h\nsetup: {no_server: true}\n",
	    5, 8, "'setup.no_server' applies to clients only", NULL);
	expect_error("title: t\nprotocol: echo\nrole: server\nhint: h\ninject: {bogus: 1}\n",
	    5, 10, "unknown key 'bogus' in inject", NULL);
	expect_error("title: t\nprotocol: echo\nrole: server\nhint: h\ninject: {write_max: 0}\n",
	    5, 21, "'write_max' must be an integer from 1", NULL);
	/* an error after a first good key (frees what it built: see ASan) */
	expect_error("title: t\nprotocol: echo\nrole: server\nhint: h\n"
	    "inject: {write_max: 7, bogus: 1}\n", 5, 24, "unknown key 'bogus' in inject", NULL);
}

/* ---- errors: file:line:col, excerpt, caret ---- */

static const char head[] = "title: t\nprotocol: echo\nrole: server\nhint: h\n";

Test(scn, unknown_key_suggests_the_close_one)
{
	char text[512];

	snprintf(text, sizeof(text), "%stimout: 5\n", head);
	expect_error(text, 5, 1, "unknown key 'timout' in the scenario (did you mean 'timeout'?)",
	    "timout: 5");
	snprintf(text, sizeof(text), "%sexpect:\n  exits: success\n", head);
	expect_error(text, 6, 3, "unknown key 'exits' in expect (did you mean 'exit'?)",
	    "  exits: success");
	snprintf(text, sizeof(text), "%speers:\n  - flag: [--chunk, 1]\n", head);
	expect_error(text, 6, 5, "did you mean 'flags'?", NULL);
	snprintf(text, sizeof(text), "%sinput: {sise: 12}\n", head);
	expect_error(text, 5, 9, "did you mean 'size'?", NULL);
}

Test(scn, unknown_key_far_from_any_has_no_suggestion)
{
	char text[512];
	struct sc_err err;
	struct scn *s;

	snprintf(text, sizeof(text), "%scompletely_unrelated: 1\n", head);
	expect_error(text, 5, 1, "unknown key 'completely_unrelated' in the scenario", NULL);
	s = load_text("bad.yaml", text, &err, NULL, 0);
	cr_assert_null(s);
	cr_assert_null(strstr(err.msg, "did you mean"), "%s", err.msg);
}

Test(scn, wrong_type_string_for_number)
{
	char text[512];

	snprintf(text, sizeof(text), "%spoints: three\n", head);
	expect_error(text, 5, 9, "'points' must be an integer from 0 to 1000; got 'three'",
	    "points: three");
	snprintf(text, sizeof(text), "%spoints: \"3\"\n", head);
	expect_error(text, 5, 9, "'points' must be an integer", NULL);
	snprintf(text, sizeof(text), "%spoints: -2\n", head);
	expect_error(text, 5, 9, "'points' must be an integer", NULL);
	snprintf(text, sizeof(text), "%spoints: 1001\n", head);
	expect_error(text, 5, 9, "'points' must be an integer from 0 to 1000; got '1001'", NULL);
	snprintf(text, sizeof(text), "%spoints: 2.5\n", head);
	expect_error(text, 5, 9, "'points' must be an integer", NULL);
	snprintf(text, sizeof(text), "%stimeout: soon\n", head);
	expect_error(text, 5, 10, "'timeout' must be a number from 0.1 to 3600; got 'soon'", NULL);
	snprintf(text, sizeof(text), "%stimeout: 0\n", head);
	expect_error(text, 5, 10, "'timeout' must be a number", NULL);
	snprintf(text, sizeof(text), "%stimeout: [1]\n", head);
	expect_error(text, 5, 10, "'timeout' must be a number; got a list", NULL);
	snprintf(text, sizeof(text), "%stitle2: x\nmemcheck: maybe\n", "title: t\nprotocol: echo\n"
	    "role: server\nhint: h\n");
	expect_error(text, 5, 1, "did you mean 'title'?", NULL);
	snprintf(text, sizeof(text), "%smemcheck: maybe\n", head);
	expect_error(text, 5, 11, "'memcheck' must be true or false; got 'maybe'", NULL);
	snprintf(text, sizeof(text), "%sstdin:\n  lines: hello\n", head);
	expect_error(text, 6, 10, "'stdin.lines' must be a list", NULL);
	snprintf(text, sizeof(text), "%speers: {flags: [1]}\n", head);
	expect_error(text, 5, 8, "'peers' must be a list", NULL);
	snprintf(text, sizeof(text), "%sexpect: [data]\n", head);
	expect_error(text, 5, 9, "'expect' must be a mapping", NULL);
	snprintf(text, sizeof(text), "%stitle2: x\n", head);
	expect_error(text, 5, 1, "unknown key 'title2'", NULL);
}

Test(scn, bad_enum_values)
{
	expect_error("title: t\nprotocol: echo\nrole: sever\nhint: h\n", 3, 7,
	    "'role' must be one of server, client or pair; got 'sever'", "role: sever");
	expect_error("title: t\nprotocol: ftp\nrole: server\nhint: h\n", 2, 11,
	    "'protocol' must be one of echo, file or udp; got 'ftp'", NULL);
	expect_error("title: t\nprotocol: echo\nrole: server\nlevel: may\nhint: h\n", 4, 8,
	    "'level' must be one of must, should or info; got 'may'", NULL);
	expect_error("title: t\nprotocol: echo\nrole: server\nhint: h\ninput: {pattern: ascii}\n",
	    5, 18, "'input.pattern' must be one of text, binary, random or zero", NULL);
	expect_error("title: t\nprotocol: echo\nrole: client\nhint: h\nexpect:\n  exit: ok\n",
	    6, 9, "'expect.exit' must be one of default, success, failure or any; got 'ok'", NULL);
	expect_error("title: t\nprotocol: echo\nrole: server\nhint: h\npeers:\n  - expect: all\n",
	    6, 13, "'peers[].expect' must be one of echo, nothing or ignore", NULL);
	expect_error("title: t\nprotocol: echo\nrole: server\nhint: h\nmemcheck_fail: [oops]\n",
	    5, 17, "unknown kind 'oops'", NULL);
}

Test(scn, duplicate_key)
{
	expect_error("title: t\nprotocol: echo\nrole: server\npoints: 1\nhint: h\npoints: 2\n",
	    6, 1, "duplicate key 'points'", "points: 2");
	expect_error("title: t\nprotocol: echo\nrole: server\nhint: h\n"
	    "expect:\n  data: true\n  data: false\n", 7, 3, "duplicate key 'data'", NULL);
}

Test(scn, missing_required_key)
{
	expect_error("title: t\nprotocol: echo\nrole: server\n", 1, 1,
	    "missing required key 'hint'", NULL);
	expect_error("protocol: echo\nrole: server\nhint: h\n", 1, 1,
	    "missing required key 'title'", NULL);
}

Test(scn, yaml_syntax_error)
{
	struct sc_err err;
	struct scn *s;

	/* an unclosed flow sequence: the error is at or after where it opened */
	s = load_text("syn.yaml", "title: t\nprotocol: echo\nrole: server\nhint: h\n"
	    "peers: [{flags: [--chunk, 1]}\n", &err, NULL, 0);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err.msg, "YAML syntax"), "%s", err.msg);
	cr_assert_geq(err.line, 5, "%d:%d %s", err.line, err.col, err.msg);
	cr_assert_gt(err.col, 0);

	/* a tab where indentation is expected */
	expect_error("title: t\nprotocol: echo\nrole: server\nhint: h\nexpect:\n\tdata: true\n",
	    6, 1, "YAML syntax", NULL);
	/* a bad indentation inside a mapping */
	expect_error("title: t\n  protocol: echo\n", 2, 11, "YAML syntax", NULL);
	/* an alias */
	expect_error("title: &a t\nhint: *a\nprotocol: echo\nrole: server\n", 2, 7,
	    "aliases", "hint: *a");
}

Test(scn, empty_file_and_not_a_mapping)
{
	expect_error("", 1, 1, "missing required key 'title'", NULL);
	expect_error("# only a comment\n", 1, 1, "missing required key 'title'", NULL);
	expect_error("- a\n- b\n", 1, 1, "a scenario must be a mapping", NULL);
	expect_error("just a string\n", 1, 1, "a scenario must be a mapping", NULL);
}

Test(scn, multi_document_file)
{
	expect_error("title: t\nprotocol: echo\nrole: server\nhint: h\n---\ntitle: u\n", 5, 1,
	    "only one YAML document per file", "---");
	expect_error("---\ntitle: t\nprotocol: echo\nrole: server\nhint: h\n...\n---\ntitle: u\n",
	    7, 1, "only one YAML document per file", NULL);
}

Test(scn, error_renders_with_excerpt_and_caret)
{
	struct sc_err err;
	char path[PATH_MAX], want[PATH_MAX + 256];
	struct scn *s;
	char *out;

	s = load_text("caret.yaml", "title: t\nprotocol: echo\nrole: sever\nhint: h\n", &err, path,
	    sizeof(path));
	cr_assert_null(s);
	out = render(&err);
	snprintf(want, sizeof(want), "sockcheck: %s:3:7: 'role' must be one of server, client or "
	    "pair; got 'sever'\n    role: sever\n          ^\n", path);
	cr_assert_str_eq(out, want);
	free(out);

	/* a tab-indented excerpt keeps its tabs under the caret */
	s = load_text("caret2.yaml", "title: t\nprotocol: echo\nrole: server\nhint: \"h\\t\"\n"
	    "points: \"x\"\t# tab\n", &err, path, sizeof(path));
	cr_assert_null(s);
	cr_assert_eq(err.line, 5);
	cr_assert_eq(err.col, 9);
	out = render(&err);
	cr_assert_not_null(strstr(out, "\n    points: \"x\"\t# tab\n            ^\n"), "%s", out);
	free(out);
}

Test(scn, id_must_match_the_path_in_a_suite)
{
	struct sc_err err;
	struct scn_suite suite;
	char path[PATH_MAX], sdir[PATH_MAX];

	snprintf(sdir, sizeof(sdir), "%s/suite", tmpdir);
	write_file("suite/echo/server/ok.yaml", head, path, sizeof(path));
	write_file("suite/echo/server/other.yaml", "title: t\nprotocol: echo\nrole: server\n"
	    "hint: h\nid: echo.server.other\n", path, sizeof(path));
	sc_err_clear(&err);
	cr_assert_eq(scn_load_suite(sdir, &suite, &err), 0, "%s", err.msg);
	cr_assert_eq(suite.count, 2);
	cr_assert_str_eq(suite.items[0]->id, "echo.server.ok");
	cr_assert_str_eq(suite.items[1]->id, "echo.server.other");
	scn_suite_free(&suite);

	/* an id that disagrees with the path */
	write_file("suite/echo/server/other.yaml", "title: t\nprotocol: echo\nrole: server\n"
	    "hint: h\nid: echo.server.wrong\n", path, sizeof(path));
	sc_err_clear(&err);
	cr_assert_eq(scn_load_suite(sdir, &suite, &err), -1);
	cr_assert_eq(err.line, 5);
	cr_assert_eq(err.col, 5);
	cr_assert_not_null(strstr(err.msg, "'echo.server.wrong'"), "%s", err.msg);
	cr_assert_eq(suite.count, 0);

	/* a protocol/role that disagrees with the path */
	write_file("suite/echo/server/other.yaml", "title: t\nprotocol: echo\nrole: client\n"
	    "hint: h\n", path, sizeof(path));
	sc_err_clear(&err);
	cr_assert_eq(scn_load_suite(sdir, &suite, &err), -1);
	cr_assert_str_eq(err.file, path);
	cr_assert_eq(err.line, 3);
	cr_assert_eq(err.col, 7);
	cr_assert_not_null(strstr(err.msg, "don't match the file's place"), "%s", err.msg);

	/* a scenario outside <protocol>/<role>/ */
	unlink(path);
	write_file("suite/echo/stray.yaml", head, path, sizeof(path));
	sc_err_clear(&err);
	cr_assert_eq(scn_load_suite(sdir, &suite, &err), -1);
	cr_assert_not_null(strstr(err.msg, "<protocol>/<role>/"), "%s", err.msg);
}

Test(scn, empty_suite_is_an_error)
{
	struct sc_err err;
	struct scn_suite suite;

	sc_err_clear(&err);
	cr_assert_eq(scn_load_suite(tmpdir, &suite, &err), -1);
	cr_assert_not_null(strstr(err.msg, "no scenarios"), "%s", err.msg);
	sc_err_clear(&err);
	cr_assert_eq(scn_load_suite("/nonexistent/dir", &suite, &err), -1);
	cr_assert_neq(err.msg[0], '\0');
}

/* target: the aspects with their own case (one fault, one charge). */
Test(scn, target_aspects)
{
	struct sc_err err;
	struct scn *s = load_text("t.yaml", "title: t\nprotocol: file\nrole: server\nhint: h\n"
	    "target: [half-close, error-text]\n", &err, NULL, 0);

	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->targets, (1u << CAUSE_ASPECT_HALF_CLOSE) | (1u << CAUSE_ASPECT_ERROR_TEXT));
	scn_free(s);
	s = load_text("t.yaml", "title: t\nprotocol: file\nrole: client\nhint: h\ntarget: reply\n",
	    &err, NULL, 0);
	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->targets, 1u << CAUSE_ASPECT_REPLY);
	scn_free(s);
	s = load_text("t.yaml", "title: t\nprotocol: file\nrole: client\nhint: h\n", &err, NULL, 0);
	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->targets, 0, "no target by default");
	cr_assert_eq(s->target_causes, 0);
	scn_free(s);
	/* a cause id (cause.c) next to an aspect: it decides who pays, not the verdict */
	s = load_text("t.yaml", "title: t\nprotocol: file\nrole: server\nhint: h\n"
	    "target: [sigpipe-death, half-close, short-write]\n", &err, NULL, 0);
	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->targets, 1u << CAUSE_ASPECT_HALF_CLOSE);
	cr_assert_eq(s->target_causes, ((uint64_t)1 << cause_index("sigpipe-death")) |
	    ((uint64_t)1 << cause_index("short-write")));
	cr_assert_geq(cause_index("sigpipe-death"), 0);
	cr_assert_eq(cause_index("no-such-cause"), -1);
	scn_free(s);
	/* "quit-word" is an aspect and a cause of it: the aspect is meant */
	s = load_text("t.yaml", "title: t\nprotocol: echo\nrole: client\nhint: h\ntarget: quit-word\n",
	    &err, NULL, 0);
	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->targets, 1u << CAUSE_ASPECT_QUIT_WORD);
	cr_assert_eq(s->target_causes, 0);
	scn_free(s);
	expect_error("title: t\nprotocol: echo\nrole: client\nhint: h\ntarget: [eof]\n", 5, 10,
	    "'target': unknown aspect or cause 'eof' (aspects: end-of-input, quit-word, reply, "
	    "error-text, half-close; causes: no-start, no-listen, ", NULL);
	/* the whole list of causes, up to the last one */
	expect_error("title: t\nprotocol: echo\nrole: client\nhint: h\ntarget: [reply, sigpipe]\n",
	    5, 17, "sigpipe-death, hang, ", NULL);
	expect_error("title: t\nprotocol: echo\nrole: client\nhint: h\ntarget: [sigpipe]\n",
	    5, 10, ", memory-error, leak)", NULL);
	expect_error("title: t\nprotocol: echo\nrole: client\nhint: h\ntarget: {a: b}\n", 5, 9,
	    "'target' must be an aspect or a cause id, or a list of them", NULL);
}

/* The aspects with their own case are targeted where scenarios/README.md says (new
 * scenarios may target them too). */
Test(scn, suite_targets)
{
	static const struct { const char *id; unsigned aspect; } own[] = {
		{ "echo.client.eof-exits", CAUSE_ASPECT_END_OF_INPUT },
		{ "echo.client.quit-word", CAUSE_ASPECT_QUIT_WORD },
		{ "file.client.reply-after-eof", CAUSE_ASPECT_REPLY },
		{ "echo.client.connection-refused", CAUSE_ASPECT_ERROR_TEXT },
		{ "file.client.connection-refused", CAUSE_ASPECT_ERROR_TEXT },
		{ "file.server.missing-file", CAUSE_ASPECT_ERROR_TEXT },
		{ "file.server.half-close-thank-you", CAUSE_ASPECT_HALF_CLOSE },
		{ "file.server.empty-file", CAUSE_ASPECT_HALF_CLOSE },
	};
	static const struct { const char *id, *cause; } for_cause[] = {
		{ "echo.server.sigpipe-on-write", "sigpipe-death" },
		{ "file.server.sigpipe-on-write", "sigpipe-death" },
		{ "echo.server.short-writes", "short-write" },
		{ "file.server.short-writes", "short-write" },
		{ "echo.server.recv-fails-forever", "spin" },
		{ "echo.server.idle-nothing-unasked", "unasked-bytes" },
		{ "echo.client.sends-line-bytes", "sent-bytes" },
		{ "echo.client.mangled-echo", "prints-sent" },
		{ "echo.server.binary-nul", "binary-unsafe" },
		{ "file.server.binary-nul", "binary-unsafe" },
		{ "file.client.binary-nul", "binary-unsafe" },
		{ "udp.server.several-clients", "reply-address" },
		{ "udp.client.lost-reply", "no-receive-timeout" },
		{ "echo.server.ipv6", "ipv4-only" },
		{ "echo.client.ipv6", "ipv4-only" },
		{ "file.server.ipv6", "ipv4-only" },
		{ "file.client.ipv6", "ipv4-only" },
		{ "udp.server.ipv6", "ipv4-only" },
		{ "udp.client.ipv6", "ipv4-only" },
	};
	struct sc_err err;
	struct scn_suite suite;
	size_t found = 0;

	cr_assert_eq(scn_load_suite(SUITE_DIR, &suite, &err), 0, "%s", err.msg);
	for (size_t i = 0; i < suite.count; i++) {
		const struct scn *s = suite.items[i];
		for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++)
			if (strcmp(own[k].id, s->id) == 0) {
				cr_assert_eq(s->targets, 1u << own[k].aspect, "%s: targets 0x%x", s->id,
				    s->targets);
				found++;
			}
		/* the cases built for one cause name it: they pay for it */
		for (size_t k = 0; k < sizeof(for_cause) / sizeof(for_cause[0]); k++)
			if (strcmp(for_cause[k].id, s->id) == 0) {
				cr_assert_eq(s->target_causes,
				    (uint64_t)1 << cause_index(for_cause[k].cause), "%s", s->id);
				cr_assert_eq(s->targets, 0, "%s: a cause id is no aspect", s->id);
				found++;
			}
		if (strcmp(s->id, "echo.server.client-closes-early") == 0 ||
		    strcmp(s->id, "file.server.client-closes-early") == 0)
			cr_assert_eq(s->target_causes, 0, "%s", s->id);
		/* the data cases judge none of them */
		if (strcmp(s->id, "file.server.text") == 0 || strcmp(s->id, "echo.client.basic-lines") == 0 ||
		    strcmp(s->id, "file.client.text") == 0)
			cr_assert_eq(s->targets, 0, "%s", s->id);
	}
	cr_assert_eq(found, sizeof(own) / sizeof(own[0]) + sizeof(for_cause) / sizeof(for_cause[0]));
	scn_suite_free(&suite);
}

Test(scn, whole_suite_loads)
{
	struct sc_err err;
	struct scn_suite suite;
	size_t nserver = 0, nclient = 0, npair = 0;

	sc_err_clear(&err);
	cr_assert_eq(scn_load_suite(SUITE_DIR, &suite, &err), 0, "%s:%d:%d: %s", err.file,
	    err.line, err.col, err.msg);
	cr_assert_geq(suite.count, 40, "only %zu scenarios", suite.count);
	for (size_t i = 0; i < suite.count; i++) {
		const struct scn *s = suite.items[i];
		char want[64];
		cr_assert_not_null(s->title, "%s", s->id);
		cr_assert_not_null(s->hint, "%s", s->id);
		cr_assert_gt(strlen(s->hint), 0, "%s", s->id);
		snprintf(want, sizeof(want), "%s.%s.", scn_protocol_name(s->protocol),
		    scn_role_name(s->role));
		cr_assert_eq(strncmp(s->id, want, strlen(want)), 0, "%s vs %s", s->id, want);
		if (i > 0)
			cr_assert_lt(strcmp(suite.items[i - 1]->id, s->id), 0, "sorted and unique");
		cr_assert_gt(s->timeout_s, 0);
		nserver += s->role == SCN_SERVER;
		nclient += s->role == SCN_CLIENT;
		npair += s->role == SCN_PAIR;
		/* every file also loads on its own, to the same id */
		struct sc_err e2;
		struct scn *one = scn_load_file(s->path, &e2);
		cr_assert_not_null(one, "%s: %s", s->path, e2.msg);
		cr_assert_str_eq(one->id, s->id);
		scn_free(one);
	}
	cr_assert_gt(nserver, 0);
	cr_assert_gt(nclient, 0);
	cr_assert_gt(npair, 0);
	scn_suite_free(&suite);
	cr_assert_eq(suite.count, 0);
	cr_assert_null(suite.items);
}

Test(scn, id_matching)
{
	cr_assert(scn_id_matches("echo.server.one-message", NULL));
	cr_assert(scn_id_matches("echo.server.one-message", ""));
	cr_assert(scn_id_matches("echo.server.one-message", "echo.server.one-message"));
	cr_assert(scn_id_matches("echo.server.one-message", "echo.server.*"));
	cr_assert(scn_id_matches("echo.server.one-message", "*.one-*"));
	cr_assert(scn_id_matches("echo.server.one-message", "echo.?erver.*"));
	cr_assert(scn_id_matches("echo.server.one-message", "echo.[sc]*.one-message"));
	cr_assert_not(scn_id_matches("echo.server.one-message", "echo.client.*"));
	cr_assert_not(scn_id_matches("echo.server.one-message", "echo.server"));
	cr_assert_not(scn_id_matches("echo.server.one-message", "one-message"));
	cr_assert_not(scn_id_matches("echo.server.one-message", "echo.server.one-message.x"));
	/* comma lists: any alternative */
	cr_assert(scn_id_matches("file.client.text", "echo.*,file.client.*"));
	cr_assert(scn_id_matches("file.client.text", "file.client.text,echo.*"));
	cr_assert_not(scn_id_matches("file.server.text", "echo.*,file.client.*"));
	cr_assert(scn_id_matches("file.server.text", "x,,file.server.text"));
	cr_assert_not(scn_id_matches("file.server.text", ","));
}

Test(scn, names)
{
	cr_assert_str_eq(scn_protocol_name(SCN_ECHO), "echo");
	cr_assert_str_eq(scn_protocol_name(SCN_FILE), "file");
	cr_assert_str_eq(scn_role_name(SCN_SERVER), "server");
	cr_assert_str_eq(scn_role_name(SCN_CLIENT), "client");
	cr_assert_str_eq(scn_role_name(SCN_PAIR), "pair");
	cr_assert_str_eq(scn_level_name(SCN_MUST), "must");
	cr_assert_str_eq(scn_level_name(SCN_SHOULD), "should");
	cr_assert_str_eq(scn_level_name(SCN_INFO), "info");
	cr_assert_str_eq(scn_pattern_name(SCN_PAT_TEXT), "text");
	cr_assert_str_eq(scn_pattern_name(SCN_PAT_ZERO), "zero");
}

Test(scn, missing_file)
{
	struct sc_err err;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/nope.yaml", tmpdir);
	sc_err_clear(&err);
	cr_assert_null(scn_load_file(path, &err));
	cr_assert_not_null(strstr(err.msg, "No such file"), "%s", err.msg);
}

Test(scn, key_must_be_a_plain_name)
{
	expect_error("title: t\nprotocol: echo\nrole: server\nhint: h\n? [a, b]\n: 1\n", 5, 3,
	    "a key must be a plain name", NULL);
	expect_error("title: t\nprotocol: echo\nrole: server\nhint: h\n{x: 1}: 2\n", 5, 1,
	    "a key must be a plain name", NULL);
}

Test(scn, nesting_too_deep)
{
	char text[1024];
	size_t n = 0;

	n += (size_t)snprintf(text, sizeof(text), "title: t\nprotocol: echo\nrole: server\n"
	    "hint: h\nstdin: {lines: ");
	for (int i = 0; i < 80; i++)
		text[n++] = '[';
	for (int i = 0; i < 80; i++)
		text[n++] = ']';
	snprintf(text + n, sizeof(text) - n, "}\n");
	expect_error(text, 5, 0 + 15 + 64, "nested too deep", NULL);
}

/* peers given and then dropped by no_server: loads, and frees cleanly (ASan) */
Test(scn, no_server_with_peers)
{
	struct sc_err err;
	struct scn *s = load_text("ns.yaml", "title: t\nprotocol: file\nrole: client\nhint: h\n"
	    "peers: [{flags: [--chunk, 1]}]\nsetup: {no_server: true}\n", &err, NULL, 0);

	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->npeers, 0);
	cr_assert_eq(s->expect.reply, SCN_NO);
	scn_free(s);
}

/* the usage case: no peers, nothing to judge but the end; not for pairs, no peers given */
Test(scn, no_args_usage_case)
{
	struct sc_err err;
	struct scn *s = load_text("usage.yaml", "title: t\nprotocol: udp\nrole: server\nhint: h\n"
	    "setup: {no_args: true}\nexpect: {exit: failure}\n", &err, NULL, 0);

	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->setup.no_args, 1);
	cr_assert_eq(s->npeers, 0, "no peer: the program only prints its usage");
	cr_assert_eq(s->expect.data, SCN_NO);
	scn_free(s);
	expect_error("title: t\nprotocol: echo\nrole: pair\nhint: h\nsetup: {no_args: true}\n",
	    5, 8, "'setup.no_args' applies to servers and clients", NULL);
	expect_error("title: t\nprotocol: echo\nrole: server\nhint: h\npeers: [{}]\n"
	    "setup: {no_args: true}\n", 6, 8, "'setup.no_args': the program only prints its usage",
	    NULL);
}

/* setup.args: a client keeps its server (one that ignores the argument runs
 * as usual), a server gets no client; no peers or inject of its own */
Test(scn, args_usage_cases)
{
	struct sc_err err;
	struct scn *s = load_text("usage-extra-arg.yaml", "title: t\nprotocol: echo\nrole: client\n"
	    "hint: h\nsetup: {args: extra}\nexpect: {exit: failure}\n", &err, NULL, 0);

	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->setup.args, SCN_ARGS_EXTRA);
	cr_assert_eq(s->npeers, 1, "the client's server is there");
	cr_assert_eq(s->expect.data, SCN_NO);
	cr_assert(scn_usage_case(s));
	scn_free(s);
	s = load_text("usage-bad-port.yaml", "title: t\nprotocol: file\nrole: server\nhint: h\n"
	    "setup: {args: bad-port}\nexpect: {exit: failure}\n", &err, NULL, 0);
	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->setup.args, SCN_ARGS_BAD_PORT);
	cr_assert_eq(s->npeers, 0, "a server gets no client");
	cr_assert(scn_server_refuses(s));
	scn_free(s);
	expect_error("title: t\nprotocol: echo\nrole: server\nhint: h\nsetup: {args: many}\n",
	    5, 15, "setup.args", NULL);
	expect_error("title: t\nprotocol: echo\nrole: client\nhint: h\npeers: [{}]\n"
	    "setup: {args: extra}\n", 6, 8, "'setup.args': the program only prints its usage",
	    NULL);
}

/* a port in use: a server case with a failure injected, no client, a
 * failing exit expected; not one with a missing file or its usage */
Test(scn, server_refuses)
{
	struct sc_err err;
	struct scn *s = load_text("port-in-use.yaml", "title: t\nprotocol: udp\nrole: server\n"
	    "hint: h\ninject: {fail: \"bind:1:EADDRINUSE\"}\npeers: []\nexpect: {exit: failure}\n",
	    &err, NULL, 0);

	cr_assert_not_null(s, "%s", err.msg);
	cr_assert(scn_server_refuses(s));
	cr_assert(!scn_usage_case(s));
	scn_free(s);
	s = load_text("missing-file.yaml", "title: t\nprotocol: file\nrole: server\nhint: h\n"
	    "setup: {no_file: true}\npeers: []\nexpect: {exit: failure}\n", &err, NULL, 0);
	cr_assert_not_null(s, "%s", err.msg);
	cr_assert(!scn_server_refuses(s), "a missing file is judged as before");
	scn_free(s);
}

/*
 * A syntax error points at the line that is wrong, not at the line where
 * libyaml gave up: a key without its colon, an unclosed quote or bracket
 * (libyaml's context mark says where the construct started).
 */
Test(scn, yaml_syntax_error_points_at_the_offending_line)
{
	expect_error("title: t\nprotocol echo\nrole: server\nhint: h\n", 2, 1, "YAML syntax",
	    "protocol echo");
	expect_error("title: t\nhint: \"unclosed\nrole: server\n", 2, 7, "YAML syntax",
	    "hint: \"unclosed");
	expect_error("title: t\npeers: [a, b\nrole: server\n", 2, 8, "YAML syntax",
	    "peers: [a, b");
}
