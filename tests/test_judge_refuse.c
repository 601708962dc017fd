/*
 * judge_refuse: the cases where a program must stop at a failure (issue 27):
 * a server whose bind() fails (a port in use, injected) or that is given
 * arguments it cannot use must exit non-zero with a message, and one that
 * listens anyway fails at once, cause error-ignored or args-unchecked; an
 * echo client whose sends are cut short and never continued is charged
 * short-write, not a misread echo.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cause.h"
#include "judge.h"
#include "judge_cases.h"
#include "scratch.h"

TestSuite(judge_refuse, .init = mk_tmp, .fini = rm_tmp, .timeout = 30);

static const char port_in_use_yaml[] =
    "title: t\nprotocol: echo\nrole: server\nhint: h\ninject: {fail: \"bind:1:EADDRINUSE\"}\n"
    "peers: []\nexpect: {exit: failure, stderr_message: true}\ntarget: [error-text, error-ignored]\n";
static const char extra_arg_yaml[] =
    "title: t\nprotocol: echo\nrole: client\nhint: h\nsetup: {args: extra}\n"
    "expect: {exit: failure, stderr_message: true}\n";

/* A judged case of `yaml` for a student program as `init` left it. */
static void
judge_it(const char *name, const char *yaml, struct judge_proc *st, int ready, struct res_case *c)
{
	struct scn *s = scenario(name, yaml);
	struct prof p;
	struct judge_in in;

	default_profile(&p);
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.p = &p;
	in.student = *st;
	in.ready = ready;
	in.port = 41877;
	in.out_first_diff = -1;
	cr_assert_eq(judge_case(&in, c), 0);
	prof_free(&p);
	scn_free(s);
}

Test(judge_refuse, port_in_use_served_anyway_fails_at_once)
{
	struct judge_proc st = { .started = 1, .killed = 1, .seconds = 0.1, .out = "", .err = "" };
	struct res_case c = { 0 };

	/* listening on a port the kernel picked, stopped by sockcheck */
	judge_it("port-in-use.yaml", port_in_use_yaml, &st, 1, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "exit", 0, "listened on port 41877 instead");
	assert_cause(&c, "exit", "error-ignored");
	assert_cause(&c, "stderr", "stderr-message");
	cr_assert_null(find_check(&c, "listen"), "nothing to listen for in a case it must refuse");
	res_case_free(&c);
}

Test(judge_refuse, port_in_use_refused_passes)
{
	struct judge_proc st = { .started = 1, .ended = 1, .exited = 1, .status = 1,
		.seconds = 0.01, .out = "", .err = "bind: Address already in use\n",
		.err_len = 29 };
	struct res_case c = { 0 };

	judge_it("port-in-use.yaml", port_in_use_yaml, &st, 0, &c);
	cr_assert_eq(c.verdict, RES_PASS, "%s", c.summary ? c.summary : "");
	res_case_free(&c);
}

Test(judge_refuse, port_in_use_waiting_is_error_ignored_not_hang)
{
	struct judge_proc st = { .started = 1, .killed = 1, .killed_at_deadline = 1,
		.seconds = 3.0, .out = "", .err = "" };
	struct res_case c = { 0 };

	/* bound nowhere, blocked until the deadline */
	judge_it("port-in-use.yaml", port_in_use_yaml, &st, 0, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_cause(&c, "exit", "error-ignored");
	res_case_free(&c);
}

Test(judge_refuse, extra_argument_taken_is_args_unchecked)
{
	struct judge_proc st = { .started = 1, .ended = 1, .exited = 1, .status = 0,
		.seconds = 0.05, .out = "", .err = "" };
	struct res_case c = { 0 };

	judge_it("usage-extra-arg.yaml", extra_arg_yaml, &st, 0, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "exit", 0, "exit status 0");
	assert_cause(&c, "exit", "args-unchecked");
	res_case_free(&c);
}

/* The reference server's log: it received `got` of the client's bytes. */
static void
server_log(unsigned got, struct peer_log *log)
{
	char jsonl[1024];

	snprintf(jsonl, sizeof(jsonl),
	    "{\"t\":1,\"ev\":\"start\",\"prog\":\"echo_server\",\"pid\":1}\n"
	    "{\"t\":2,\"ev\":\"accept\",\"conn\":1,\"addr\":\"127.0.0.1\",\"port\":41000}\n"
	    "{\"t\":3,\"ev\":\"read\",\"conn\":1,\"off\":0,\"n\":%u,\"head\":\"%.*s\"}\n"
	    "{\"t\":4,\"ev\":\"write\",\"conn\":1,\"off\":0,\"n\":%u}\n"
	    "{\"t\":5,\"ev\":\"summary\",\"conn\":1,\"bytes_out\":%u,\"bytes_in\":%u,\"writes\":1,"
	    "\"reads\":1,\"xxh128_out\":\"aa\",\"xxh128_in\":\"aa\",\"eof\":true,\"rst\":false}\n",
	    got, (int)got, "abcdefgh", got, got, got);
	peer_log("server.jsonl", jsonl, log);
}

/* An echo client case of one line "abcdefgh"; the server got `got` bytes. */
static void
short_send(const char *inject, unsigned got, struct res_case *c)
{
	struct scn *s = scenario("short-writes.yaml", "title: t\nprotocol: echo\nrole: client\n"
	    "hint: h\nstdin: {lines: [abcdefgh]}\ninject: {write_max: 3}\n");
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct judge_msg msg = { "abcdefgh", 8, "abcdefgh" };

	default_profile(&p);
	server_log(got, &log);
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.p = &p;
	in.student.started = 1;
	in.student.killed = 1;
	in.student.seconds = 0.5;
	in.student.out = "[send] abc";
	in.student.out_len = strlen(in.student.out);
	in.student.err = "";
	in.peers = &log;
	in.npeers = 1;
	in.msgs = &msg;
	in.nmsgs = 1;
	in.inject = inject;
	in.out_first_diff = -1;
	cr_assert_eq(judge_case(&in, c), 0);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge_refuse, echo_client_send_not_continued_is_short_write)
{
	struct res_case c = { 0 };

	short_send("every write()/send() on a socket accepted at most 3 bytes", 3, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_cause(&c, "echo 1", "short-write");
	res_case_free(&c);
	/* the whole line went out (it hangs in its reading): a missing echo is
	 * the client's reading, not a send */
	memset(&c, 0, sizeof(c));
	short_send("every write()/send() on a socket accepted at most 3 bytes", 8, &c);
	assert_cause(&c, "echo 1", "echo-missing");
	res_case_free(&c);
	/* no sends cut: the same as ever */
	memset(&c, 0, sizeof(c));
	short_send(NULL, 3, &c);
	assert_cause(&c, "echo 1", "echo-missing");
	res_case_free(&c);
}
