/*
 * prof: the submission profile (sockcheck.yaml), its textbook defaults and
 * the expansion of command templates into argv.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prof.h"
#include "scratch.h"

static char *
profile_path(void)
{
	static char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/sockcheck.yaml", tmpdir);
	return path;
}

/* Load `text` as the profile; returns 0, or -1 with err set. */
static int
load_profile(const char *text, struct prof *p, struct sc_err *err)
{
	write_file("sockcheck.yaml", text, NULL, 0);
	sc_err_clear(err);
	return prof_load(tmpdir, p, err);
}

/* The profile must fail at line:col with a message containing `needle`. */
static void
expect_error(const char *text, int line, int col, const char *needle)
{
	struct prof p;
	struct sc_err err;

	if (load_profile(text, &p, &err) == 0) {
		prof_free(&p);
		cr_assert_fail("loaded although it should fail with '%s':\n%s", needle, text);
	}
	cr_assert_str_eq(err.file, profile_path());
	cr_assert_eq(err.line, line, "line: expected %d, got %d (%s)", line, err.line, err.msg);
	cr_assert_eq(err.col, col, "col: expected %d, got %d (%s)", col, err.col, err.msg);
	cr_assert_not_null(strstr(err.msg, needle), "message '%s' lacks '%s'", err.msg, needle);
	cr_assert_neq(err.excerpt[0], '\0', "no excerpt for %s", err.msg);
}

static void
assert_argv(char **argv, const char *const *want)
{
	size_t i;

	cr_assert_not_null(argv);
	for (i = 0; want[i]; i++) {
		cr_assert_not_null(argv[i], "word %zu missing (want '%s')", i, want[i]);
		cr_assert_str_eq(argv[i], want[i], "word %zu", i);
	}
	cr_assert_null(argv[i], "extra word '%s'", argv[i]);
}

/* Expand with host 127.0.0.1, port 5000, file "data.bin", out "out.dat". */
static void
expect_expand(const char *tmpl, const char *const *want)
{
	struct sc_err err;
	char **argv;

	sc_err_clear(&err);
	argv = prof_expand(tmpl, "127.0.0.1", 5000, "data.bin", "out.dat", &err);
	cr_assert_not_null(argv, "'%s': %s", tmpl, err.msg);
	assert_argv(argv, want);
	prof_argv_free(argv);
}

static void
expect_expand_error(const char *tmpl, const char *needle)
{
	struct sc_err err;
	char **argv;

	sc_err_clear(&err);
	argv = prof_expand(tmpl, "127.0.0.1", 5000, "data.bin", "out.dat", &err);
	if (argv) {
		prof_argv_free(argv);
		cr_assert_fail("'%s' expanded although it should fail with '%s'", tmpl, needle);
	}
	cr_assert_not_null(strstr(err.msg, needle), "'%s': message '%s' lacks '%s'", tmpl, err.msg,
	    needle);
}

TestSuite(prof, .init = mk_tmp, .fini = rm_tmp, .timeout = 30);

Test(prof, defaults_without_a_profile)
{
	struct prof p;
	struct sc_err err;

	sc_err_clear(&err);
	cr_assert_eq(prof_load(tmpdir, &p, &err), 0, "%s", err.msg);
	cr_assert_null(p.path);
	cr_assert_null(p.build);
	cr_assert_eq(p.build_timeout_s, 120);
	cr_assert_eq(p.memcheck, -1);
	cr_assert_eq(p.nreplies, 0);
	cr_assert_null(p.memcheck_fail);
	cr_assert_str_eq(p.progs[PROF_ECHO_SERVER].command, "./echo_server {port}");
	cr_assert_str_eq(p.progs[PROF_ECHO_CLIENT].command, "./echo_client {host} {port}");
	cr_assert_str_eq(p.progs[PROF_FILE_SERVER].command, "./file_server {port}");
	cr_assert_str_eq(p.progs[PROF_FILE_CLIENT].command, "./file_client {host} {port}");
	for (int k = 0; k < PROF_NPROGS; k++) {
		cr_assert_eq(p.progs[k].present, 0, "%s: nothing in an empty dir", prof_prog_name(k));
		cr_assert_eq(p.progs[k].port_mode, PROF_PORT_ARGV);
		cr_assert_eq(p.progs[k].stdout_mode, PROF_STDOUT_LINE);
	}
	cr_assert_str_eq(p.progs[PROF_FILE_SERVER].file, "file_server.c");
	cr_assert_str_eq(p.progs[PROF_FILE_CLIENT].out, "receive.dat");
	cr_assert_str_eq(p.progs[PROF_ECHO_CLIENT].quit, "");
	prof_free(&p);
}

Test(prof, defaults_find_programs_by_convention)
{
	struct prof p;
	struct sc_err err;

	write_file("echo_server.c", "int main(void) { return 0; }\n", NULL, 0);
	write_file("file_client", "", NULL, 0);
	mkdir(strcat(strcpy((char[PATH_MAX]){ 0 }, tmpdir), "/file_server"), 0755);
	sc_err_clear(&err);
	cr_assert_eq(prof_load(tmpdir, &p, &err), 0, "%s", err.msg);
	cr_assert_eq(p.progs[PROF_ECHO_SERVER].present, 1, "echo_server.c counts");
	cr_assert_eq(p.progs[PROF_FILE_CLIENT].present, 1, "a file_client binary counts");
	cr_assert_eq(p.progs[PROF_FILE_SERVER].present, 0, "a directory is not a program");
	cr_assert_eq(p.progs[PROF_ECHO_CLIENT].present, 0);
	prof_free(&p);
}

Test(prof, default_commands_expand_to_the_lecture_argv)
{
	struct prof p;
	struct sc_err err;
	char **argv;

	cr_assert_eq(prof_load(tmpdir, &p, &err), 0);
	argv = prof_expand(p.progs[PROF_ECHO_SERVER].command, "127.0.0.1", 40000, NULL, NULL, &err);
	assert_argv(argv, (const char *const[]){ "./echo_server", "40000", NULL });
	prof_argv_free(argv);
	argv = prof_expand(p.progs[PROF_FILE_CLIENT].command, "::1", 1, NULL, NULL, &err);
	assert_argv(argv, (const char *const[]){ "./file_client", "::1", "1", NULL });
	prof_argv_free(argv);
	prof_free(&p);
}

Test(prof, prog_names)
{
	cr_assert_str_eq(prof_prog_name(PROF_ECHO_SERVER), "echo_server");
	cr_assert_str_eq(prof_prog_name(PROF_ECHO_CLIENT), "echo_client");
	cr_assert_str_eq(prof_prog_name(PROF_FILE_SERVER), "file_server");
	cr_assert_str_eq(prof_prog_name(PROF_FILE_CLIENT), "file_client");
	cr_assert_str_eq(prof_prog_name(PROF_NPROGS), "?");
}

Test(prof, full_profile)
{
	struct prof p;
	struct sc_err err;

	write_file("file_client.c", "", NULL, 0);	/* not declared below: not present */
	cr_assert_eq(load_profile(
	    "build: make -C src all\n"
	    "build_timeout: 30\n"
	    "programs:\n"
	    "  echo_server:\n"
	    "    command: ./srv -p {port}\n"
	    "    port: 7777\n"
	    "  echo_client:\n"
	    "    command: python3 client.py {host} {port}\n"
	    "    quit: QUIT\n"
	    "    stdin: \"name\\n\"\n"
	    "    stdout: pty\n"
	    "    host: localhost\n"
	    "  file_server:\n"
	    "    command: java -cp build FileServer {file} {port}\n"
	    "    port: printed\n"
	    "    port_pattern: 'listening on port ([0-9]+)'\n"
	    "    file: served.bin\n"
	    "    stdout: pipe\n"
	    "reply: [\"Thank you\\n\", \"Danke\\n\"]\n"
	    "memcheck: true\n"
	    "memcheck_fail: [invalid-write, leak-definite]\n", &p, &err), 0,
	    "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);

	cr_assert_str_eq(p.path, profile_path());
	cr_assert_str_eq(p.build, "make -C src all");
	cr_assert_eq(p.build_timeout_s, 30);
	cr_assert_eq(p.memcheck, 1);
	cr_assert_str_eq(p.memcheck_fail[0], "invalid-write");
	cr_assert_str_eq(p.memcheck_fail[1], "leak-definite");
	cr_assert_null(p.memcheck_fail[2]);
	cr_assert_eq(p.nreplies, 2);
	cr_assert_eq(p.replies[0].len, 10);
	cr_assert_eq(memcmp(p.replies[0].bytes, "Thank you\n", 10), 0);
	cr_assert_eq(p.replies[1].len, 6);
	cr_assert_eq(memcmp(p.replies[1].bytes, "Danke\n", 6), 0);
	cr_assert_not(p.reply_none);

	const struct prof_prog *es = &p.progs[PROF_ECHO_SERVER];
	cr_assert_eq(es->present, 1);
	cr_assert_str_eq(es->command, "./srv -p {port}");
	cr_assert_eq(es->port_mode, PROF_PORT_FIXED);
	cr_assert_eq(es->fixed_port, 7777);

	const struct prof_prog *ec = &p.progs[PROF_ECHO_CLIENT];
	cr_assert_eq(ec->present, 1);
	cr_assert_eq(ec->port_mode, PROF_PORT_ARGV);
	cr_assert_str_eq(ec->quit, "QUIT");
	cr_assert_str_eq(ec->stdin_text, "name\n");
	cr_assert_eq(ec->stdout_mode, PROF_STDOUT_PTY);
	cr_assert_str_eq(ec->host, "localhost");

	const struct prof_prog *fs = &p.progs[PROF_FILE_SERVER];
	cr_assert_eq(fs->present, 1);
	cr_assert_eq(fs->port_mode, PROF_PORT_PRINTED);
	cr_assert_str_eq(fs->port_pattern, "listening on port ([0-9]+)");
	cr_assert_str_eq(fs->file, "served.bin");
	cr_assert_eq(fs->stdout_mode, PROF_STDOUT_PIPE);

	/* programs: lists what the submission has; the others are absent */
	cr_assert_eq(p.progs[PROF_FILE_CLIENT].present, 0);
	/* ... but keep their defaults */
	cr_assert_str_eq(p.progs[PROF_FILE_CLIENT].out, "receive.dat");
	prof_free(&p);
}

Test(prof, port_modes_and_single_reply)
{
	struct prof p;
	struct sc_err err;

	cr_assert_eq(load_profile(
	    "programs:\n"
	    "  echo_server: {command: ./s, port: listening}\n"
	    "  file_server: {command: ./f, port: argv}\n"
	    "  file_client: {command: './c {host} {port} {out}', out: got.bin, port: 65535}\n"
	    "reply: Merci\n", &p, &err), 0, "%s", err.msg);
	cr_assert_eq(p.progs[PROF_ECHO_SERVER].port_mode, PROF_PORT_LISTENING);
	cr_assert_eq(p.progs[PROF_FILE_SERVER].port_mode, PROF_PORT_ARGV);
	cr_assert_eq(p.progs[PROF_FILE_CLIENT].port_mode, PROF_PORT_FIXED);
	cr_assert_eq(p.progs[PROF_FILE_CLIENT].fixed_port, 65535);
	cr_assert_str_eq(p.progs[PROF_FILE_CLIENT].out, "got.bin");
	cr_assert_eq(p.nreplies, 1);
	cr_assert_eq(p.replies[0].len, 5);
	cr_assert_str_eq(p.replies[0].bytes, "Merci");
	prof_free(&p);
}

/* Replies are byte strings: escapes decoded, NULs kept, the length stored. */
Test(prof, reply_bytes_with_escapes_and_none)
{
	struct prof p;
	struct sc_err err;

	/* plain and single-quoted: sockcheck decodes the escapes */
	cr_assert_eq(load_profile("reply: [Thank you\\0, 'ok\\r\\n', a\\x41\\x00b, back\\\\slash]\n",
	    &p, &err), 0, "%s", err.msg);
	cr_assert_eq(p.nreplies, 4);
	cr_assert_eq(p.replies[0].len, 10);
	cr_assert_eq(memcmp(p.replies[0].bytes, "Thank you\0", 10), 0);
	cr_assert_eq(p.replies[1].len, 4);
	cr_assert_eq(memcmp(p.replies[1].bytes, "ok\r\n", 4), 0);
	cr_assert_eq(p.replies[2].len, 4);
	cr_assert_eq(memcmp(p.replies[2].bytes, "aA\0b", 4), 0);
	cr_assert_eq(p.replies[3].len, 10);
	cr_assert_eq(memcmp(p.replies[3].bytes, "back\\slash", 10), 0);
	prof_free(&p);

	/* double quotes: YAML's own escapes, NUL included, decoded once */
	cr_assert_eq(load_profile("reply: \"Thank you\\0\"\n", &p, &err), 0, "%s", err.msg);
	cr_assert_eq(p.nreplies, 1);
	cr_assert_eq(p.replies[0].len, 10);
	cr_assert_eq(memcmp(p.replies[0].bytes, "Thank you\0", 10), 0);
	prof_free(&p);
	cr_assert_eq(load_profile("reply: \"a\\\\n\"\n", &p, &err), 0, "%s", err.msg);
	cr_assert_eq(p.replies[0].len, 3, "a backslash in double quotes stays one");
	cr_assert_eq(memcmp(p.replies[0].bytes, "a\\n", 3), 0);
	prof_free(&p);

	/* none: the protocol has no reply */
	cr_assert_eq(load_profile("reply: none\n", &p, &err), 0, "%s", err.msg);
	cr_assert(p.reply_none);
	cr_assert_eq(p.nreplies, 0);
	prof_free(&p);
	/* ... but a quoted 'none' is the four bytes */
	cr_assert_eq(load_profile("reply: 'none'\n", &p, &err), 0, "%s", err.msg);
	cr_assert_not(p.reply_none);
	cr_assert_eq(p.replies[0].len, 4);
	prof_free(&p);
}

Test(prof, empty_profile_is_the_defaults)
{
	struct prof p;
	struct sc_err err;

	write_file("echo_client", "", NULL, 0);
	cr_assert_eq(load_profile("", &p, &err), 0, "%s", err.msg);
	cr_assert_str_eq(p.path, profile_path());
	cr_assert_eq(p.progs[PROF_ECHO_CLIENT].present, 1);
	cr_assert_str_eq(p.progs[PROF_ECHO_CLIENT].command, "./echo_client {host} {port}");
	prof_free(&p);
}

Test(prof, limits_with_the_report_cap)
{
	struct prof p;
	struct sc_err err;

	cr_assert_eq(load_profile("limits:\n  memory: 512MiB\n  report: 20MiB\n", &p, &err), 0,
	    "%s", err.msg);
	cr_assert_eq(p.limits.memory, 512ull << 20);
	cr_assert_eq(p.limits.report, 20ull << 20);
	prof_free(&p);
	expect_error("limits:\n  report: 0\n", 2, 11, "'limits.report' must be a positive size");
	expect_error("limits:\n  reports: 1MiB\n", 2, 3, "unknown key 'reports' in limits");
}

Test(prof, bad_keys_and_values)
{
	expect_error("build: make\nbiuld: make\n", 2, 1, "unknown key 'biuld' in the profile");
	expect_error("programs:\n  echo_srv:\n    command: ./s\n", 2, 3, "unknown program 'echo_srv'");
	expect_error("programs:\n  echo_server:\n    command: ./s\n    prot: 80\n", 4, 5,
	    "unknown key 'prot' in a program entry");
	expect_error("programs:\n  echo_server:\n    port: 0\n", 3, 11,
	    "'port' must be argv, printed, listening or a port number from 1 to 65535; got '0'");
	expect_error("programs:\n  echo_server:\n    port: 65536\n", 3, 11, "got '65536'");
	expect_error("programs:\n  echo_server:\n    port: eighty\n", 3, 11, "got 'eighty'");
	expect_error("programs:\n  echo_server:\n    port: 80x\n", 3, 11, "got '80x'");
	expect_error("programs:\n  echo_server:\n    stdout: tty\n", 3, 13,
	    "'stdout' must be one of pipe, line or pty; got 'tty'");
	expect_error("programs:\n  echo_server:\n    command: ./s {prot}\n", 3, 14,
	    "'command': unknown placeholder '{prot}'");
	expect_error("programs:\n  echo_server:\n    command: \"./s 'a\"\n", 3, 14,
	    "'command': unbalanced quote");
	expect_error("programs:\n  echo_server:\n    command: [./s, x]\n", 3, 14,
	    "'command' must be a scalar");
	expect_error("programs:\n  echo_server: ./s\n", 2, 16, "a program entry must be a mapping");
	expect_error("programs: [echo_server]\n", 1, 11, "'programs' must be a mapping");
	expect_error("build_timeout: 0\n", 1, 16, "'build_timeout' must be a number of seconds");
	expect_error("build_timeout: soon\n", 1, 16, "'build_timeout' must be a number of seconds");
	expect_error("build: [make, all]\n", 1, 8, "'build' must be a string");
	expect_error("memcheck: sometimes\n", 1, 11, "'memcheck' must be true or false");
	expect_error("memcheck_fail: [leaks]\n", 1, 16, "unknown kind 'leaks'");
	expect_error("reply: [{a: b}]\n", 1, 9, "'reply' must be a string or a list of strings");
	expect_error("reply: {a: b}\n", 1, 8, "'reply' must be a string, a list of strings, or none");
	expect_error("reply: Thanks\\q\n", 1, 8, "unknown escape '\\q'");
	expect_error("reply: Thanks\\x4\n", 1, 8, "\\x takes two hex digits");
	expect_error("reply: Thanks\\\n", 1, 8, "a backslash at the end");
	expect_error("reply: ''\n", 1, 8, "an empty reply");
	expect_error("build: make\nbuild: make all\n", 2, 1, "duplicate key 'build'");
	expect_error("- build\n", 1, 1, "a profile must be a mapping");
	expect_error("build: make\n\tprograms: {}\nreply: x\n", 2, 1, "YAML syntax");
}

Test(prof, syntax_error_at_end_of_stream)
{
	struct prof p;
	struct sc_err err;

	/* libyaml notices an unclosed quote at the end of the stream */
	cr_assert_eq(load_profile("build: make\nreply: 'x\nmemcheck: true\n", &p, &err), -1);
	cr_assert_str_eq(err.file, profile_path());
	cr_assert_not_null(strstr(err.msg, "YAML syntax"), "%s", err.msg);
	cr_assert_geq(err.line, 2, "%d:%d", err.line, err.col);
	cr_assert_gt(err.col, 0);
}

Test(prof, error_keeps_nothing_allocated_in_the_struct)
{
	struct prof p;
	struct sc_err err;

	/* after a failed load the struct is cleared: prof_free again is harmless */
	cr_assert_eq(load_profile("bogus: 1\n", &p, &err), -1);
	cr_assert_null(p.path);
	cr_assert_null(p.progs[0].command);
	prof_free(&p);
}

Test(prof, expand_words_and_placeholders)
{
	expect_expand("./a", (const char *const[]){ "./a", NULL });
	expect_expand("./a {host} {port}", (const char *const[]){ "./a", "127.0.0.1", "5000", NULL });
	expect_expand("  ./a\t{port}   {file}  {out} ",
	    (const char *const[]){ "./a", "5000", "data.bin", "out.dat", NULL });
	expect_expand("java -cp . Server --port={port} -f{file}",
	    (const char *const[]){ "java", "-cp", ".", "Server", "--port=5000", "-fdata.bin", NULL });
	expect_expand("./a {host}:{port}", (const char *const[]){ "./a", "127.0.0.1:5000", NULL });
	expect_expand("./a {port}{port}", (const char *const[]){ "./a", "50005000", NULL });
}

Test(prof, expand_quoting)
{
	/* single quotes: literal, spaces kept */
	expect_expand("./a 'two words' x", (const char *const[]){ "./a", "two words", "x", NULL });
	expect_expand("./a 'it''s'", (const char *const[]){ "./a", "its", NULL });
	expect_expand("./a '\\n'", (const char *const[]){ "./a", "\\n", NULL });
	/* double quotes: \" and \\ escaped, other backslashes kept */
	expect_expand("./a \"say \\\"hi\\\"\"", (const char *const[]){ "./a", "say \"hi\"", NULL });
	expect_expand("./a \"a\\\\b\"", (const char *const[]){ "./a", "a\\b", NULL });
	expect_expand("./a \"a\\nb\"", (const char *const[]){ "./a", "a\\nb", NULL });
	/* backslash outside quotes escapes the next character */
	expect_expand("./a two\\ words", (const char *const[]){ "./a", "two words", NULL });
	expect_expand("./a \\{port}", (const char *const[]){ "./a", "{port}", NULL });
	/* quotes join with what surrounds them */
	expect_expand("./a pre'mid dle'post", (const char *const[]){ "./a", "premid dlepost", NULL });
	/* an empty quoted word is a word */
	expect_expand("./a '' \"\"", (const char *const[]){ "./a", "", "", NULL });
}

Test(prof, expand_values_with_spaces_stay_one_word)
{
	struct sc_err err;
	char **argv = prof_expand("./c {host} {port} {out}", "::1", 9, "f", "my out file.dat", &err);

	assert_argv(argv, (const char *const[]){ "./c", "::1", "9", "my out file.dat", NULL });
	prof_argv_free(argv);
}

/*
 * Shell-like words: like $x in a shell, a placeholder inside double quotes
 * is expanded ("{out}" protects nothing, but students write it).
 */
Test(prof, expand_placeholder_inside_double_quotes)
{
	expect_expand("./c \"{host}\" \"{port}\"", (const char *const[]){ "./c", "127.0.0.1", "5000",
	    NULL });
	expect_expand("./c \"--out={out}\"", (const char *const[]){ "./c", "--out=out.dat", NULL });
}

Test(prof, expand_errors)
{
	expect_expand_error("", "empty command");
	expect_expand_error("   \t ", "empty command");
	expect_expand_error("./a {prot}", "unknown placeholder '{prot}'");
	expect_expand_error("./a {hostname}", "unknown placeholder '{hostname}'");
	expect_expand_error("./a {}", "unknown placeholder '{}'");
	expect_expand_error("./a {port", "unknown placeholder");
	expect_expand_error("./a 'open", "unbalanced quote");
	expect_expand_error("./a \"open", "unbalanced quote");
	expect_expand_error("./a \"open\\\"", "unbalanced quote");
}
