/*
 * fnd: the convention finder's pure parts: the quit word a prompt announces,
 * the line that prints a port, the preload library's trace lines, the
 * effective profile (the profile's keys win) and what infer writes.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <regex.h>

#include "fnd.h"
#include "fnd_int.h"
#include "prof.h"
#include "scratch.h"

static void
expect_quit(const char *prompt, const char *want)
{
	char w[32] = "";
	int r = fnd_quit_from_prompt(prompt, strlen(prompt), w, sizeof(w));

	if (want == NULL) {
		cr_expect_eq(r, 0, "%s: found \"%s\"", prompt, w);
		return;
	}
	cr_expect_eq(r, 1, "%s: no quit word found", prompt);
	cr_expect_str_eq(w, want, "%s: \"%s\" instead of \"%s\"", prompt, w, want);
}

Test(fnd, quit_word_from_the_textbook_prompt)
{
	expect_quit("Connected...........\nInput message(Q to quit): ", "Q");
	expect_quit("Insert message(q to quit): ", "q");
}

Test(fnd, quit_word_quoted_or_named)
{
	expect_quit("Type a message ('quit' to end): ", "quit");
	expect_quit("Enter a line, or \"exit\" to stop: ", "exit");
	expect_quit("message (quit: q) > ", "q");
	expect_quit("exit=x | enter text: ", "x");
}

Test(fnd, quit_word_in_korean)
{
	expect_quit("\xeb\xa9\x94\xec\x8b\x9c\xec\xa7\x80 \xec\x9e\x85\xeb\xa0\xa5 (q: "
	    "\xec\xa2\x85\xeb\xa3\x8c): ", "q");
}

Test(fnd, no_quit_word_in_a_plain_prompt)
{
	expect_quit("[send] ", NULL);
	expect_quit("> ", NULL);
	expect_quit("Message: ", NULL);
	/* words that only look like one */
	expect_quit("Do you want to quit? ", NULL);
	expect_quit("Press a key to continue", NULL);
}

Test(fnd, a_nul_in_the_output_does_not_hide_the_prompt)
{
	static const char out[] = "junk\0Input message(Q to quit): ";
	char w[8];

	cr_expect_eq(fnd_quit_from_prompt(out, sizeof(out) - 1, w, sizeof(w)), 1);
	cr_expect_str_eq(w, "Q");
}

Test(fnd, printed_port_with_the_default_pattern)
{
	static const char out[] = "After bind ephemeral port=41234\n";
	char pat[128];

	cr_assert_eq(fnd_port_printed(out, strlen(out), 41234, pat, sizeof(pat)), 1);
	cr_expect_str_eq(pat, "", "the default pattern finds it; got \"%s\"", pat);
}

Test(fnd, printed_port_needs_its_own_pattern)
{
	static const char out[] = "server ready\nlistening at 0.0.0.0:41234 (tcp)\n";
	char pat[128];
	regex_t re;
	regmatch_t m[2];

	cr_assert_eq(fnd_port_printed(out, strlen(out), 41234, pat, sizeof(pat)), 1);
	cr_assert_neq(pat[0], '\0');
	/* the pattern finds the number again, as the cases will */
	cr_assert_eq(regcomp(&re, pat, REG_EXTENDED | REG_ICASE), 0, "%s", pat);
	cr_assert_eq(regexec(&re, out, 2, m, 0), 0, "%s", pat);
	cr_expect_eq(strtoul(out + m[1].rm_so, NULL, 10), 41234UL);
	regfree(&re);
}

Test(fnd, a_port_not_printed_or_only_inside_a_number)
{
	static const char out[] = "pid 141234 started\n";
	char pat[64];

	cr_expect_eq(fnd_port_printed(out, strlen(out), 41234, pat, sizeof(pat)), 0);
	cr_expect_eq(fnd_port_printed("", 0, 5000, pat, sizeof(pat)), 0);
}

Test(fnd, trace_lines)
{
	struct fnd_trace_line t;

	cr_assert_eq(fnd_trace_parse("open 2 0 ../test/data/x.c\n", &t), 0);
	cr_expect_eq(t.kind, FND_T_OPEN);
	cr_expect_eq(t.err, 2);
	cr_expect_str_eq(t.path, "../test/data/x.c");
	cr_assert_eq(fnd_trace_parse("open 0 577 received file.dat\n", &t), 0);
	cr_expect_str_eq(t.path, "received file.dat");
	cr_expect_eq(t.flags, 577);
	cr_assert_eq(fnd_trace_parse("open 0 0 a\\nb\\\\c\n", &t), 0);
	cr_expect_str_eq(t.path, "a\nb\\c");
	cr_assert_eq(fnd_trace_parse("socket 3 2 2\n", &t), 0);
	cr_expect(t.kind == FND_T_SOCKET && t.fd == 3 && t.domain == 2 && t.type == 2);
	cr_assert_eq(fnd_trace_parse("bind 3 0\n", &t), 0);
	cr_expect(t.kind == FND_T_BIND && t.port == 0);
	cr_assert_eq(fnd_trace_parse("connect 3 111 9190\n", &t), 0);
	cr_expect(t.kind == FND_T_CONNECT && t.err == 111 && t.port == 9190);
	cr_expect_str_eq(t.addr, "", "an older trace line without the address");
	cr_assert_eq(fnd_trace_parse("connect 3 0 9190 127.0.0.1\n", &t), 0);
	cr_expect(t.kind == FND_T_CONNECT && t.err == 0 && t.port == 9190);
	cr_expect_str_eq(t.addr, "127.0.0.1");
	cr_assert_eq(fnd_trace_parse("sendto 4 101 5000 192.168.56.101\n", &t), 0);
	cr_expect(t.kind == FND_T_SENDTO && t.fd == 4 && t.err == 101 && t.port == 5000);
	cr_expect_str_eq(t.addr, "192.168.56.101");
	cr_assert_eq(fnd_trace_parse("sendto 4 0 5000 fd00::17\n", &t), 0);
	cr_expect_str_eq(t.addr, "fd00::17");
	cr_assert_eq(fnd_trace_parse("sendto 4 0 5000 -\n", &t), 0);
	cr_expect_str_eq(t.addr, "", "another family: no address");
	cr_assert_eq(fnd_trace_parse("loaded pid=1 name=x active=0 trace=1\n", &t), 0);
	cr_expect_eq(t.kind, FND_T_OTHER);
}

/* A file server found with a fixed port and argv[1] as its file. */
static void
found_file_server(struct fnd_result *r)
{
	struct fnd_prog *fp = &r->progs[PROF_FILE_SERVER];

	memset(r, 0, sizeof(*r));
	fp->probed = 1;
	fp->sock = FND_SOCK_TCP;
	fp->command = strdup("./file_server {file}");
	fp->port_found = 1;
	fp->port_mode = PROF_PORT_FIXED;
	fp->fixed_port = 9090;
	fp->argv_file = 1;
	fp->open_error = strdup("opened data.txt: No such file or directory");
	fp->seconds = 0.2;
	fp->runs = 2;
}

static int
load_profile(const char *text, struct prof *p, struct sc_err *err)
{
	write_file("sockcheck.yaml", text, NULL, 0);
	sc_err_clear(err);
	return prof_load(tmpdir, p, err);
}

Test(fnd, the_profile_wins_the_finder_fills_the_rest, .init = mk_tmp, .fini = rm_tmp)
{
	struct prof p, eff;
	struct fnd_result r;
	struct sc_err err;

	cr_assert_eq(load_profile("programs:\n  file_server:\n    port: 7000\n", &p, &err), 0,
	    "%s", err.msg);
	found_file_server(&r);
	cr_assert_eq(fnd_effective(&p, &r, &eff, &err), 0, "%s", err.msg);
	cr_expect_eq(eff.progs[PROF_FILE_SERVER].port_mode, PROF_PORT_FIXED);
	cr_expect_eq(eff.progs[PROF_FILE_SERVER].fixed_port, 7000, "the profile's port");
	cr_expect_str_eq(eff.progs[PROF_FILE_SERVER].command, "./file_server {file}",
	    "the finder's command");
	prof_free(&eff);
	fnd_result_free(&r);
	prof_free(&p);
}

Test(fnd, quit_none_and_udp_reach_the_effective_profile, .init = mk_tmp, .fini = rm_tmp)
{
	struct prof p, eff;
	struct fnd_result r;
	struct sc_err err;

	cr_assert_eq(load_profile("programs:\n  echo_client:\n    quit: none\n  echo_server:\n"
	    "    command: ./echo_server {port}\n", &p, &err), 0, "%s", err.msg);
	cr_expect(p.progs[PROF_ECHO_CLIENT].no_quit);
	cr_expect_null(p.progs[PROF_ECHO_CLIENT].quit);
	memset(&r, 0, sizeof(r));
	r.progs[PROF_ECHO_CLIENT].probed = 1;
	r.progs[PROF_ECHO_CLIENT].quit_found = 1;
	r.progs[PROF_ECHO_CLIENT].quit = strdup("Q");
	r.progs[PROF_ECHO_SERVER].probed = 1;
	r.progs[PROF_ECHO_SERVER].sock = FND_SOCK_UDP;
	cr_assert_eq(fnd_effective(&p, &r, &eff, &err), 0, "%s", err.msg);
	cr_expect(eff.progs[PROF_ECHO_CLIENT].no_quit, "the profile's quit: none stands");
	/* the profile gave the command: it runs the program its own way */
	cr_expect_null(eff.progs[PROF_ECHO_SERVER].skip);
	prof_free(&eff);
	prof_free(&p);

	/* without a profile: the UDP server's cases get a reason to be skipped */
	cr_assert_eq(prof_load("/nonexistent", &p, &err), 0);
	cr_assert_eq(fnd_effective(&p, &r, &eff, &err), 0, "%s", err.msg);
	cr_assert_not_null(eff.progs[PROF_ECHO_SERVER].skip);
	cr_expect(strstr(eff.progs[PROF_ECHO_SERVER].skip, "UDP") != NULL);
	cr_expect_str_eq(eff.progs[PROF_ECHO_CLIENT].quit, "Q");
	prof_free(&eff);
	prof_free(&p);
	fnd_result_free(&r);
}

Test(fnd, describe_says_what_was_found)
{
	struct prof p;
	struct fnd_result r;
	struct sc_err err;
	char *d;

	cr_assert_eq(prof_load("/nonexistent", &p, &err), 0);
	found_file_server(&r);
	d = fnd_describe(&p, &r);
	cr_assert_not_null(d);
	cr_expect(strncmp(d, "file_server: port fixed at 9090; argv[1] is the served file",
	    59) == 0, "%s", d);
	cr_expect(strchr(d, '\n') == NULL, "one program, one line: %s", d);
	free(d);
	fnd_result_free(&r);
	prof_free(&p);
}

/* What infer writes for `r`, loaded back as a profile into `back`; the text (to free). */
static char *
infer_and_load(const struct prof *p, const struct fnd_result *r, struct prof *back)
{
	struct sc_err err;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cr_assert_eq(fnd_write_yaml(f, p, r), 0);
	fclose(f);
	write_file("sockcheck.yaml", text, NULL, 0);
	cr_assert_eq(prof_load(tmpdir, back, &err), 0, "%s:%d: %s\n%s", err.file, err.line,
	    err.msg, text);
	return text;
}

/* infer's output is a profile: it loads, and gives the same effective values. */
Test(fnd, infer_writes_a_profile_that_loads_back, .init = mk_tmp, .fini = rm_tmp)
{
	struct prof p, back;
	struct fnd_result r;
	struct sc_err err;
	char *text;

	cr_assert_eq(prof_load("/nonexistent", &p, &err), 0);
	p.progs[PROF_FILE_SERVER].present = 1;
	p.progs[PROF_ECHO_CLIENT].present = 1;
	found_file_server(&r);
	r.progs[PROF_ECHO_CLIENT].probed = 1;
	r.progs[PROF_ECHO_CLIENT].quit_found = 1;
	r.progs[PROF_ECHO_CLIENT].quit = strdup("Q \"x\"");
	r.progs[PROF_ECHO_CLIENT].quit_from_prompt = 1;
	text = infer_and_load(&p, &r, &back);
	cr_expect(strstr(text, "# ") != NULL, "commented for review");
	cr_expect_str_eq(back.progs[PROF_FILE_SERVER].command, "./file_server {file}");
	cr_expect_eq(back.progs[PROF_FILE_SERVER].port_mode, PROF_PORT_FIXED);
	cr_expect_eq(back.progs[PROF_FILE_SERVER].fixed_port, 9090);
	cr_expect_str_eq(back.progs[PROF_ECHO_CLIENT].quit, "Q \"x\"");
	cr_expect(!back.progs[PROF_ECHO_SERVER].present, "not in the submission, not written");
	prof_free(&back);

	/* quit: none comes back as none */
	free(r.progs[PROF_ECHO_CLIENT].quit);
	r.progs[PROF_ECHO_CLIENT].quit = NULL;
	r.progs[PROF_ECHO_CLIENT].no_quit = 1;
	free(text);
	text = infer_and_load(&p, &r, &back);
	cr_expect(back.progs[PROF_ECHO_CLIENT].no_quit, "%s", text);
	prof_free(&back);
	free(text);
	fnd_result_free(&r);
	prof_free(&p);
}

Test(fnd, failed_open_from_a_trace, .init = mk_tmp, .fini = rm_tmp)
{
	char path[PATH_MAX], cwd[PATH_MAX], msg[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace.log", tmpdir);
	snprintf(cwd, sizeof(cwd), "%s/work", tmpdir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "loaded pid=1 name=file_server active=0 trace=1\n"
	    "open 2 0 /etc/ld.so.preload\n"		/* the system's: not the program's file */
	    "open 0 0 file_server.c\n"
	    "open 2 0 data.txt\n");
	fclose(f);
	cr_assert_eq(fnd_failed_open(path, cwd, msg, sizeof(msg)), 1);
	cr_expect_str_eq(msg, "opened data.txt: No such file or directory");
	f = fopen(path, "w");
	fprintf(f, "open 0 0 data.txt\n");
	fclose(f);
	cr_expect_eq(fnd_failed_open(path, cwd, msg, sizeof(msg)), 0);
}

/* A UDP client found with its arguments swapped, a fixed port and address, no quit word. */
static void
found_udp_client(struct fnd_result *r)
{
	struct fnd_prog *fp = &r->progs[PROF_UDP_CLIENT];

	memset(r, 0, sizeof(*r));
	fp->probed = 1;
	fp->sock = FND_SOCK_UDP;
	fp->command = strdup("./udp_echo_client {port} {host}");
	fp->port_found = 1;
	fp->port_mode = PROF_PORT_FIXED;
	fp->fixed_port = 9190;
	fp->fixed_client_port = 1;
	fp->host = strdup("192.168.56.101");
	fp->udp_connected = 1;
	fp->quit_found = 1;
	fp->no_quit = 1;
	fp->runs = 3;
	r->progs[PROF_UDP_SERVER].probed = 1;
	r->progs[PROF_UDP_SERVER].sock = FND_SOCK_UDP;
	r->progs[PROF_UDP_SERVER].command = strdup("./udp_echo_server");
	r->progs[PROF_UDP_SERVER].port_found = 1;
	r->progs[PROF_UDP_SERVER].port_mode = PROF_PORT_PRINTED;
}

/* A UDP program in a UDP slot runs (no skip), as it was found; the profile still wins. */
Test(fnd, udp_programs_run_as_found, .init = mk_tmp, .fini = rm_tmp)
{
	struct prof p, eff;
	struct fnd_result r;
	struct sc_err err;
	char *d;

	cr_assert_eq(prof_load("/nonexistent", &p, &err), 0);
	found_udp_client(&r);
	cr_assert_eq(fnd_effective(&p, &r, &eff, &err), 0, "%s", err.msg);
	cr_expect_null(eff.progs[PROF_UDP_SERVER].skip, "%s", eff.progs[PROF_UDP_SERVER].skip);
	cr_expect_null(eff.progs[PROF_UDP_CLIENT].skip, "%s", eff.progs[PROF_UDP_CLIENT].skip);
	cr_expect_eq(eff.progs[PROF_UDP_SERVER].port_mode, PROF_PORT_PRINTED);
	cr_expect_str_eq(eff.progs[PROF_UDP_SERVER].command, "./udp_echo_server");
	cr_expect_str_eq(eff.progs[PROF_UDP_CLIENT].command, "./udp_echo_client {port} {host}");
	cr_expect_eq(eff.progs[PROF_UDP_CLIENT].port_mode, PROF_PORT_FIXED);
	cr_expect_eq(eff.progs[PROF_UDP_CLIENT].fixed_port, 9190);
	cr_expect_str_eq(eff.progs[PROF_UDP_CLIENT].host, "192.168.56.101");
	cr_expect(eff.progs[PROF_UDP_CLIENT].no_quit);
	cr_expect_null(eff.progs[PROF_UDP_CLIENT].quit);
	prof_free(&eff);
	d = fnd_describe(&p, &r);
	cr_assert_not_null(d);
	cr_expect(strstr(d, "udp_echo_client: run as ./udp_echo_client {port} {host}; sends to port "
	    "9190, fixed in the program; sends to 192.168.56.101, fixed in the program; connect()s "
	    "its socket; no quit word ends it (quit: none)") != NULL, "%s", d);
	cr_expect(strstr(d, "udp_echo_server: ephemeral port, printed") != NULL, "%s", d);
	cr_expect(strstr(d, "where TCP is expected") == NULL, "%s", d);
	free(d);
	prof_free(&p);

	/* the profile's host and quit word stand */
	cr_assert_eq(load_profile("programs:\n  udp_echo_client:\n    host: 127.0.0.1\n"
	    "    quit: bye\n", &p, &err), 0, "%s", err.msg);
	cr_assert_eq(fnd_effective(&p, &r, &eff, &err), 0, "%s", err.msg);
	cr_expect_str_eq(eff.progs[PROF_UDP_CLIENT].host, "127.0.0.1");
	cr_expect_str_eq(eff.progs[PROF_UDP_CLIENT].quit, "bye");
	cr_expect(!eff.progs[PROF_UDP_CLIENT].no_quit);
	prof_free(&eff);
	prof_free(&p);
	fnd_result_free(&r);
}

/* infer writes a UDP client's findings as a profile that loads back to the same. */
Test(fnd, infer_writes_udp_findings, .init = mk_tmp, .fini = rm_tmp)
{
	struct prof p, back;
	struct fnd_result r;
	struct sc_err err;
	char *text;

	cr_assert_eq(prof_load("/nonexistent", &p, &err), 0);
	p.progs[PROF_UDP_CLIENT].present = 1;
	p.progs[PROF_UDP_SERVER].present = 1;
	found_udp_client(&r);
	text = infer_and_load(&p, &r, &back);
	cr_expect_str_eq(back.progs[PROF_UDP_CLIENT].command, "./udp_echo_client {port} {host}");
	cr_expect_eq(back.progs[PROF_UDP_CLIENT].fixed_port, 9190, "%s", text);
	cr_expect_str_eq(back.progs[PROF_UDP_CLIENT].host, "192.168.56.101", "%s", text);
	cr_expect(back.progs[PROF_UDP_CLIENT].no_quit, "%s", text);
	cr_expect_eq(back.progs[PROF_UDP_SERVER].port_mode, PROF_PORT_PRINTED, "%s", text);
	prof_free(&back);
	free(text);
	fnd_result_free(&r);
	prof_free(&p);
}

/* The cache keeps every field it stores: what is loaded is what was stored
 * (fnd_cache.c reads and writes one table), a byte that is not UTF-8 too. */
Test(fnd, cache_round_trip, .init = mk_tmp, .fini = rm_tmp)
{
	struct fnd_env e = { .work_dir = tmpdir, .cache_dir = tmpdir };
	struct fnd_prog a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.sock = FND_SOCK_UDP;
	a.command = strdup("./file_server {file}");
	a.port_found = 1;
	a.port_mode = PROF_PORT_FIXED;
	a.fixed_port = 9090;
	a.port_not_given = 1;
	a.port_pattern = strdup("port=([0-9]+)");
	a.argv_file = 1;
	a.file = strdup("data\xe9.txt");
	a.open_error = strdup("opened x: No such file or directory");
	a.out = strdup("receive.dat");
	a.stdin_text = strdup("receive.dat\n");
	a.quit_found = 1;
	a.quit = strdup("Q");
	a.no_quit = 1;
	a.quit_from_prompt = 1;
	a.fixed_client_port = 1;
	a.host = strdup("192.168.56.101");
	a.udp_connected = 1;
	a.note = strdup("a note");
	fnd_cache_store(&e, "k", &a);
	cr_assert_eq(fnd_cache_load(&e, "k", &b), 1);
	cr_expect(b.probed && b.cached && b.runs == 0);
	cr_expect_eq(b.sock, a.sock);
	cr_expect_str_eq(b.command, a.command);
	cr_expect_eq(b.port_found, 1);
	cr_expect_eq(b.port_mode, PROF_PORT_FIXED);
	cr_expect_eq(b.fixed_port, 9090);
	cr_expect_eq(b.port_not_given, 1);
	cr_expect_str_eq(b.port_pattern, a.port_pattern);
	cr_expect_eq(b.argv_file, 1);
	cr_expect_str_eq(b.file, a.file);
	cr_expect_str_eq(b.open_error, a.open_error);
	cr_expect_str_eq(b.out, a.out);
	cr_expect_str_eq(b.stdin_text, a.stdin_text);
	cr_expect_eq(b.quit_found, 1);
	cr_expect_str_eq(b.quit, "Q");
	cr_expect_eq(b.no_quit, 1);
	cr_expect_eq(b.quit_from_prompt, 1);
	cr_expect_eq(b.fixed_client_port, 1);
	cr_expect_str_eq(b.host, a.host);
	cr_expect_eq(b.udp_connected, 1);
	cr_expect_str_eq(b.note, a.note);
	cr_expect_eq(fnd_cache_load(&e, "missing", &b), 0);
}
