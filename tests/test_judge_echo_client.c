/*
 * judge, echo client: the echoes it prints, the bytes it sends per line, a
 * hang on a line, what it printed without receiving it, an echo on
 * standard error, from synthetic cases (tests/judge_cases.h).
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cause.h"
#include "judge.h"
#include "judge_cases.h"
#include "scratch.h"

TestSuite(judge, .init = mk_tmp, .fini = rm_tmp, .timeout = 30);

/* ---- echo.client ---- */

Test(judge, echo_client_messages)
{
	struct scn *s = scenario("basic-lines.yaml", "title: t\nprotocol: echo\nrole: client\n"
	    "hint: h\nstdin: {lines: [hello, world]}\nexpect: {max_seconds: 1}\n");
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };
	struct judge_msg msgs[2] = {
		{ "hello", 5, "hello" }, { "world", 5, "world" },
	};

	default_profile(&p);
	peer_log("ev1.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"eof\",\"conn\":1,\"off\":12}\n", &log);
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.p = &p;
	exited(&in.student, 0, "> hello\n> world\n");
	in.peers = &log;
	in.npeers = 1;
	in.msgs = msgs;
	in.nmsgs = 2;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	assert_check(&c, "echo 1", 1, "found whole");
	assert_check(&c, "echo 2", 1, NULL);
	assert_check(&c, "close", 1, "the server saw EOF");
	assert_check(&c, "time", 1, NULL);
	res_case_free(&c);

	/* the second echo is missing; too slow */
	exited(&in.student, 0, "hello\n");
	in.student.seconds = 1.5;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "echo 1", 1, NULL);
	assert_check(&c, "echo 2", 0, "not found");
	assert_check(&c, "time", 0, "ended after 1.50 s");
	res_case_free(&c);

	/* the same 1.5 s, 0.8 s of it waiting for a CPU: the program's 0.7 s is in time */
	exited(&in.student, 0, "hello\nworld\n");
	in.student.seconds = 1.5;
	in.student.queued_seconds = 0.8;
	judge_case(&in, &c);
	assert_check(&c, "time", 1, "ended after 1.50 s, 0.80 s of it waiting for a CPU");
	res_case_free(&c);

	/* a wait for a CPU does not excuse a program that was slow by itself */
	exited(&in.student, 0, "hello\nworld\n");
	in.student.seconds = 2.5;
	in.student.queued_seconds = 0.8;
	judge_case(&in, &c);
	assert_check(&c, "time", 0, "ended after 2.50 s, 0.80 s of it waiting for a CPU");
	res_case_free(&c);
	in.student.queued_seconds = 0;

	/* no output at all */
	exited(&in.student, 0, "");
	judge_case(&in, &c);
	assert_check(&c, "echo 1", 0, "not found (no output at all)");
	res_case_free(&c);
	peer_log_free(&log);

	/* the connection stayed open */
	peer_log("ev2.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"accept\",\"conn\":1}\n",
	    &log);
	exited(&in.student, 0, "hello\nworld\n");
	in.student.seconds = 0.1;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "close", 0, "the connection was still open");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge, echo_client_prints_what_it_sent)
{
	struct scn *s = scenario("mangled-echo.yaml", "title: t\nprotocol: echo\nrole: client\n"
	    "hint: h\nstdin: {lines: [abc]}\npeers: [{flags: [--mangle]}]\n");
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };
	struct judge_msg msg = { "nop", 3, "abc" };

	default_profile(&p);
	peer_log("ev1.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"eof\",\"conn\":1}\n", &log);
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.p = &p;
	exited(&in.student, 0, "abc\n");
	in.peers = &log;
	in.npeers = 1;
	in.msgs = &msg;
	in.nmsgs = 1;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "echo 1", 0, "the client printed what it sent, not what it received");
	assert_diag(&c, "Print the buffer recv() filled");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/* The bytes sent for each line, from the server's first bytes, judged on their own. */
Test(judge, echo_client_sent_bytes_judged_per_line)
{
	struct scn *s = scenario("sends-line-bytes.yaml", "title: t\nprotocol: echo\nrole: client\n"
	    "hint: h\nstdin: {lines: [hello, world]}\nexpect: {sent_exact: true, data: false}\n"
	    "target: sent-bytes\n");
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };
	struct judge_msg msgs[2] = { { "hello", 5, "hello" }, { "world", 5, "world" } };

	default_profile(&p);
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.p = &p;
	exited(&in.student, 0, "");
	in.npeers = 1;
	in.msgs = msgs;
	in.nmsgs = 2;
	in.sent_known = 1;
	in.sent_size[0] = 10;
	in.sent_size[1] = 12;

	/* the whole buffer for the first line, then sent again at the end of
	 * input: the lines were wrong before the input ended */
	peer_log("ev1.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"read\",\"conn\":1,\"off\":0,\"n\":8,\"head\":\"hello\\u0000\\u0000x\"}\n"
	    "{\"t\":4,\"ev\":\"read\",\"conn\":1,\"off\":8,\"n\":8,\"head\":\"world\\u0000\\u0000x\"}\n"
	    "{\"t\":5,\"ev\":\"read\",\"conn\":1,\"off\":16,\"n\":8,\"head\":\"world\\u0000\\u0000x\"}\n"
	    "{\"t\":6,\"ev\":\"eof\",\"conn\":1}\n", &log);
	cr_assert_eq(log.conns[0].head_in_len, 24);
	in.peers = &log;
	in.resent = 1;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "sent", 0, "line 1 (5 bytes) was followed by \"\\0\\0xworld");
	assert_cause(&c, "sent", "sent-bytes");
	res_case_free(&c);
	peer_log_free(&log);

	/* each line right, then the last one again after the input: the end of
	 * input's fault, not this case's */
	peer_log("ev2.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"read\",\"conn\":1,\"off\":0,\"n\":5,\"head\":\"hello\"}\n"
	    "{\"t\":4,\"ev\":\"read\",\"conn\":1,\"off\":5,\"n\":5,\"head\":\"world\"}\n"
	    "{\"t\":5,\"ev\":\"read\",\"conn\":1,\"off\":10,\"n\":5,\"head\":\"world\"}\n"
	    "{\"t\":6,\"ev\":\"eof\",\"conn\":1}\n", &log);
	in.peers = &log;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/* Stuck on a line, a client never reached its quit word: a hang, not the quit word's fault. */
Test(judge, echo_client_stuck_on_a_line_is_a_hang)
{
	struct scn *s = scenario("quit-word.yaml", "title: t\nprotocol: echo\nrole: client\n"
	    "hint: h\nstdin: {lines: [before], quit: true, close: false}\ntarget: [quit-word]\n");
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };
	struct judge_msg msg = { "before", 6, "before" };

	default_profile(&p);
	peer_log("ev1.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"accept\",\"conn\":1}\n",
	    &log);
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.p = &p;
	in.student.started = 1;
	in.student.killed = in.student.killed_at_deadline = 1;
	in.student.seconds = 1.2;
	in.peers = &log;
	in.npeers = 1;
	in.msgs = &msg;
	in.nmsgs = 1;
	in.student.out = "[send] ";
	in.student.out_len = 7;
	judge_case(&in, &c);
	assert_cause(&c, "exit", "hang");
	res_case_free(&c);

	/* its echo printed: it was waiting at the quit word */
	in.student.out = "[recv] before\n";
	in.student.out_len = 14;
	judge_case(&in, &c);
	assert_cause(&c, "exit", "quit-word");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/* An echo printed before the client received it (the preload's count) is not an echo. */
Test(judge, echo_client_printing_what_it_never_received)
{
	struct scn *s = scenario("eintr.yaml", "title: t\nprotocol: echo\nrole: client\n"
	    "hint: h\nstdin: {lines: [abcd, efgh]}\ninject: {eintr_every: 2}\n");
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };
	struct judge_msg msgs[2] = { { "abcd", 4, "abcd" }, { "efgh", 4, "efgh" } };

	default_profile(&p);
	peer_log("ev1.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"eof\",\"conn\":1}\n", &log);
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.p = &p;
	exited(&in.student, 0, "[recv] abcd\n[recv] efgh\n");
	in.peers = &log;
	in.npeers = 1;
	in.msgs = msgs;
	in.nmsgs = 2;
	in.inject = "every 2nd read()/recv() on a socket failed with EINTR";
	in.received = 4;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "echo 1", 1, NULL);
	assert_cause(&c, "echo 2", "prints-sent");
	assert_diag(&c, "printed text it never received");
	res_case_free(&c);

	/* all of it received: both are echoes */
	in.received = 8;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/* An echo printed on standard error is named so, not "not found". */
Test(judge, echo_client_echo_on_stderr)
{
	struct scn *s = scenario("stderr.yaml", "title: t\nprotocol: echo\nrole: client\n"
	    "hint: h\nstdin: {lines: [abcd]}\n");
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };
	struct judge_msg msg = { "abcd", 4, "abcd" };

	default_profile(&p);
	peer_log("ev1.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"eof\",\"conn\":1}\n", &log);
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.p = &p;
	exited(&in.student, 0, "[send] ");
	in.student.err = "[recv] abcd\n";
	in.student.err_len = strlen(in.student.err);
	in.peers = &log;
	in.npeers = 1;
	in.msgs = &msg;
	in.nmsgs = 1;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_cause(&c, "echo 1", "echo-on-stderr");
	res_case_free(&c);

	/* nowhere at all: missing */
	in.student.err = "";
	in.student.err_len = 0;
	judge_case(&in, &c);
	assert_cause(&c, "echo 1", "echo-missing");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}
