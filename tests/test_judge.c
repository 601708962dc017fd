/*
 * judge: verdicts, checks, summaries and diagnoses from synthetic cases.
 * Scenarios are loaded from small YAML files, peer event logs are read
 * from JSON-lines files written here (peer_log_read), and struct judge_in
 * is filled the way run_finish.c's run_finish() fills it.
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

/* A server sockcheck stopped after the exchange: started, listening, not ended. */
static void
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
static void
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

static void
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

/* ---- echo.server ---- */

static const char echo_server_yaml[] =
    "title: one message\nprotocol: echo\nrole: server\nhint: echo it\n";

static const char echo_client_ok[] =
    "{\"t\":1,\"ev\":\"start\",\"prog\":\"echo_client\",\"pid\":1}\n"
    "{\"t\":10,\"ev\":\"connect\",\"conn\":1,\"addr\":\"127.0.0.1\",\"port\":5000}\n"
    "{\"t\":20,\"ev\":\"write\",\"conn\":1,\"off\":0,\"n\":64}\n"
    "{\"t\":30,\"ev\":\"read\",\"conn\":1,\"off\":0,\"n\":40}\n"
    "{\"t\":31,\"ev\":\"read\",\"conn\":1,\"off\":40,\"n\":24}\n"
    "{\"t\":40,\"ev\":\"summary\",\"conn\":1,\"bytes_out\":64,\"bytes_in\":64,\"writes\":1,"
    "\"reads\":2,\"xxh128_out\":\"aa\",\"xxh128_in\":\"aa\",\"eof\":false,\"rst\":false}\n"
    "{\"t\":50,\"ev\":\"close\",\"conn\":1,\"reason\":\"done\"}\n"
    "{\"t\":60,\"ev\":\"end\",\"status\":0,\"message\":\"ok\"}\n";

static void
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

Test(judge, echo_server_pass)
{
	struct scn *s = scenario("one-message.yaml", echo_server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev1.jsonl", echo_client_ok, &log);
	cr_assert_eq(log.nconns, 1);
	cr_assert_eq(log.conns[0].bytes_in, 64);
	cr_assert_eq(log.conns[0].reads, 2);
	cr_assert_eq(log.conns[0].small_reads, 1);
	cr_assert(log.ended);
	echo_server_case(s, &p, &log, &in);
	cr_assert_eq(judge_case(&in, &c), 0);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	cr_assert_str_eq(c.summary, "");
	cr_assert_null(c.diagnosis);
	assert_check(&c, "client 1", 1, "all 64 bytes came back");
	cr_assert_null(find_check(&c, "exit"), "a server stopped by sockcheck has no exit check");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/* the first wrong byte is where a NUL belonged: the strlen() bug */
Test(judge, echo_server_mismatch_names_offset_and_bytes)
{
	struct scn *s = scenario("binary-nul.yaml", echo_server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev1.jsonl",
	    "{\"t\":1,\"ev\":\"start\"}\n"
	    "{\"t\":10,\"ev\":\"connect\",\"conn\":1}\n"
	    "{\"t\":20,\"ev\":\"write\",\"conn\":1,\"off\":0,\"n\":256}\n"
	    "{\"t\":30,\"ev\":\"read\",\"conn\":1,\"off\":0,\"n\":256}\n"
	    "{\"t\":31,\"ev\":\"mismatch\",\"conn\":1,\"off\":17,\"expected\":0,\"got\":65}\n"
	    "{\"t\":32,\"ev\":\"mismatch\",\"conn\":1,\"off\":99,\"expected\":1,\"got\":2}\n"
	    "{\"t\":40,\"ev\":\"summary\",\"conn\":1,\"bytes_out\":256,\"bytes_in\":256}\n"
	    "{\"t\":60,\"ev\":\"end\",\"status\":1,\"message\":\"mismatch\"}\n", &log);
	echo_server_case(s, &p, &log, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "client 1", 0, "byte 17 came back as 0x41 instead of 0x00");
	assert_summary(&c, "client 1: expected its 256 bytes echoed back, in order; got byte 17");
	assert_diag(&c, "strlen()");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge, echo_server_mismatch_not_at_nul_blames_no_strlen)
{
	struct scn *s = scenario("binary-nul.yaml", echo_server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev1b.jsonl",
	    "{\"t\":1,\"ev\":\"start\"}\n"
	    "{\"t\":10,\"ev\":\"connect\",\"conn\":1}\n"
	    "{\"t\":20,\"ev\":\"write\",\"conn\":1,\"off\":0,\"n\":256}\n"
	    "{\"t\":30,\"ev\":\"read\",\"conn\":1,\"off\":0,\"n\":256}\n"
	    "{\"t\":31,\"ev\":\"mismatch\",\"conn\":1,\"off\":17,\"expected\":65,\"got\":0}\n"
	    "{\"t\":32,\"ev\":\"mismatch\",\"conn\":1,\"off\":99,\"expected\":1,\"got\":2}\n"
	    "{\"t\":40,\"ev\":\"summary\",\"conn\":1,\"bytes_out\":256,\"bytes_in\":256}\n"
	    "{\"t\":60,\"ev\":\"end\",\"status\":1,\"message\":\"mismatch\"}\n", &log);
	echo_server_case(s, &p, &log, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "client 1", 0, "byte 17 came back as 0x00 instead of 0x41");
	assert_summary(&c, "client 1: expected its 256 bytes echoed back, in order; got byte 17");
	assert_diag(&c, "differ from what was sent");
	cr_assert_null(strstr(c.diagnosis, "strlen"));
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge, echo_server_short_echo_then_close)
{
	struct scn *s = scenario("one-mebibyte.yaml", echo_server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	/* the peer was stopped before its summary: running totals count */
	peer_log("ev1.jsonl",
	    "{\"t\":1,\"ev\":\"start\"}\n"
	    "{\"t\":10,\"ev\":\"connect\",\"conn\":1}\n"
	    "{\"t\":20,\"ev\":\"write\",\"conn\":1,\"off\":0,\"n\":1000}\n"
	    "{\"t\":21,\"ev\":\"write\",\"conn\":1,\"off\":1000,\"n\":1000}\n"
	    "{\"t\":30,\"ev\":\"read\",\"conn\":1,\"off\":0,\"n\":1500}\n"
	    "{\"t\":31,\"ev\":\"eof\",\"conn\":1,\"off\":1500}\n"
	    "{\"t\":32,\"ev\":\"summary\",\"conn\":1,\"bytes_out\":2000,\"bytes_in\":1500,\"eof\":true}\n"
	    "this line was cut short by a kill {\"t\":\n", &log);
	echo_server_case(s, &p, &log, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "client 1", 0, "1500 of 2000 bytes came back; then the server closed");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/*
 * A server that closed the connection after an injected write EINTR (the
 * preload's "unretried" count) lost the bytes because of it: no-eintr-retry,
 * even when the case's first injection (every 3rd read) never fired.
 */
Test(judge, echo_server_eintr_not_retried_is_the_cause)
{
	struct scn *s = scenario("eintr-server.yaml", "title: t\nprotocol: echo\nrole: server\n"
	    "hint: h\ninject: {eintr_every: 3, fail: [\"write:2:EINTR\"]}\n");
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev1.jsonl",
	    "{\"t\":1,\"ev\":\"start\"}\n"
	    "{\"t\":10,\"ev\":\"connect\",\"conn\":1}\n"
	    "{\"t\":20,\"ev\":\"write\",\"conn\":1,\"off\":0,\"n\":2000}\n"
	    "{\"t\":30,\"ev\":\"read\",\"conn\":1,\"off\":0,\"n\":512}\n"
	    "{\"t\":31,\"ev\":\"eof\",\"conn\":1,\"off\":512}\n"
	    "{\"t\":32,\"ev\":\"summary\",\"conn\":1,\"bytes_out\":2000,\"bytes_in\":512,"
	    "\"eof\":true}\n", &log);
	echo_server_case(s, &p, &log, &in);
	in.inject = "every 3rd read()/recv() on a socket failed with EINTR (never triggered); "
	    "call 2 of write() failed with EINTR";
	in.eintr_unretried = 1;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_cause(&c, "client 1", "no-eintr-retry");
	res_case_free(&c);

	/* every EINTR retried: the lost bytes are a fault of their own */
	in.eintr_unretried = 0;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_cause(&c, "client 1", "lost-bytes");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge, echo_server_second_client_could_not_connect)
{
	struct scn *s = scenario("two.yaml", "title: t\nprotocol: echo\nrole: server\nhint: h\n"
	    "peers:\n  - {flags: [--reset-after, 10], expect: ignore}\n  - {}\n");
	struct prof p;
	struct peer_log logs[2];
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev1.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"connect\",\"conn\":1}\n",
	    &logs[0]);
	peer_log("ev2.jsonl", "{\"t\":1,\"ev\":\"start\"}\n"
	    "{\"t\":2,\"ev\":\"connect_error\",\"error\":\"ECONNREFUSED\"}\n"
	    "{\"t\":3,\"ev\":\"end\",\"status\":1}\n", &logs[1]);
	echo_server_case(s, &p, logs, &in);
	in.npeers = 2;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	cr_assert_null(find_check(&c, "client 1"), "an ignored peer is not judged");
	assert_check(&c, "client 2", 0, "could not connect: ECONNREFUSED");
	assert_diag(&c, "second client found nothing listening on port 5000");
	res_case_free(&c);
	peer_log_free(&logs[0]);
	peer_log_free(&logs[1]);
	prof_free(&p);
	scn_free(s);
}

Test(judge, echo_server_unasked_bytes)
{
	struct scn *s = scenario("idle.yaml", "title: t\nprotocol: echo\nrole: server\nhint: h\n"
	    "peers:\n  - {flags: [--idle-ms, 200, --expect-nothing], expect: nothing}\n");
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev1.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"connect\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"idle\",\"conn\":1,\"ms\":200,\"n\":12}\n", &log);
	echo_server_case(s, &p, &log, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "client 1", 0, "received 12 bytes it never sent");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/* ---- death by a signal, start errors, deadlines ---- */

static void
judge_death(int sig, const char *named, const char *diag_needle)
{
	struct scn *s = scenario("client-closes-early.yaml", echo_server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev1.jsonl", echo_client_ok, &log);
	echo_server_case(s, &p, &log, &in);
	died(&in.student, sig);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL, "death by %d: verdict %d", sig, c.verdict);
	assert_check(&c, "exit", 0, named);
	assert_summary(&c, named);
	if (diag_needle)
		assert_diag(&c, diag_needle);
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge, death_by_sigpipe_is_named)
{
	judge_death(SIGPIPE, "echo_server died of SIGPIPE", "signal(SIGPIPE, SIG_IGN)");
}

Test(judge, death_by_sigsegv_is_named)
{
	judge_death(SIGSEGV, "echo_server died of SIGSEGV (segmentation fault)", "NULL pointer");
}

Test(judge, death_by_other_signal_uses_strsignal)
{
	judge_death(SIGUSR1, "echo_server died of User defined signal 1", NULL);
}

Test(judge, client_death_is_an_error_even_when_data_is_right)
{
	struct scn *s = scenario("text.yaml", "title: t\nprotocol: file\nrole: client\nhint: h\n");
	struct prof p;
	struct peer_log log;
	struct judge_in in = { 0 };
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev1.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"reply\",\"conn\":1,\"text\":\"Thank you\\n\",\"n\":10,"
	    "\"before_eof\":false}\n", &log);
	in.s = s;
	in.p = &p;
	died(&in.student, SIGABRT);
	in.peers = &log;
	in.npeers = 1;
	in.peer_specs = s->peers;
	in.have_expected = 1;
	in.exp_size = 10;
	strcpy(in.exp_digest, "0123456789abcdef");
	in.out_checked = in.out_exists = 1;
	in.out_size = 10;
	strcpy(in.out_digest, "0123456789abcdef");
	in.out_first_diff = -1;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "exit", 0, "file_client died of SIGABRT");
	assert_check(&c, "data", 1, "identical");
	assert_check(&c, "reply", 1, NULL);
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge, start_error_and_deadline)
{
	struct scn *s = scenario("one-message.yaml", echo_server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev1.jsonl", echo_client_ok, &log);
	echo_server_case(s, &p, &log, &in);
	memset(&in.student, 0, sizeof(in.student));
	in.student.start_error = "./echo_server: No such file or directory";
	in.ready = 0;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "start", 0, "No such file or directory");
	res_case_free(&c);

	/* not started for lack of processes: sockcheck could not run the case */
	memset(&c, 0, sizeof(c));
	in.student.start_error = "fork: Resource temporarily unavailable";
	in.student.start_shortage = 1;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_ERROR);
	assert_check(&c, "start", 0, "Resource temporarily unavailable");
	res_case_free(&c);
	in.student.start_shortage = 0;

	/* a client still running at the deadline */
	scn_free(s);
	s = scenario("hang.yaml", "title: t\nprotocol: echo\nrole: client\nhint: h\n"
	    "target: [end-of-input]\n");
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.p = &p;
	in.student.started = 1;
	in.student.killed = in.student.killed_at_deadline = 1;
	in.student.seconds = 10.04;
	in.student.out = in.student.err = "";
	in.peers = &log;
	in.npeers = 1;
	in.deadline_hit = 1;
	in.stall = "echo_client sat in read() on its standard input.";
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "exit", 0, "echo_client was still running after 10.0 s and was stopped");
	cr_assert_str_eq(find_check(&c, "exit")->cause, "no-eof-exit");
	cr_assert_not(find_check(&c, "exit")->collateral);
	assert_diag(&c, "sat in read()");
	res_case_free(&c);

	/* the same hang in a case that does not target the end of input: a note */
	scn_free(s);
	s = scenario("basic-lines.yaml", "title: t\nprotocol: echo\nrole: client\nhint: h\n");
	in.s = s;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	assert_check(&c, "exit", 0, "still running");
	cr_assert_str_eq(find_check(&c, "exit")->cause, "no-eof-exit");
	cr_assert(find_check(&c, "exit")->collateral);
	cr_assert_str_eq(c.summary, "");
	res_case_free(&c);

	/* a client hanging where the server misbehaves is at fault there: no aspect */
	scn_free(s);
	s = scenario("server-resets.yaml", "title: t\nprotocol: echo\nrole: client\nhint: h\n"
	    "expect: {exit: failure}\n");
	in.s = s;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	cr_assert_str_eq(find_check(&c, "exit")->cause, "hang");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge, server_not_listening)
{
	struct scn *s = scenario("one-message.yaml", echo_server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	memset(&log, 0, sizeof(log));
	echo_server_case(s, &p, &log, &in);
	exited(&in.student, 1, "");
	in.ready = 0;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "listen", 0, "exited with status 1 before listening");
	assert_summary(&c, "listen: expected listens on its port");
	res_case_free(&c);

	server_stopped(&in.student);
	in.ready_wait = 5;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "listen", 0, "not listening on port 5000 after 5.0 s");
	res_case_free(&c);
	prof_free(&p);
	scn_free(s);
}

/* ---- file.server ---- */

static const char file_server_yaml[] =
    "title: text\nprotocol: file\nrole: server\npoints: 2\ninput: {size: 10KiB}\nhint: h\n";
static const char file_server_half_close_yaml[] =
    "title: text\nprotocol: file\nrole: server\npoints: 2\ninput: {size: 10KiB}\nhint: h\n"
    "target: [half-close]\n";

static void
file_server_case(struct scn *s, struct prof *p, struct peer_log *log, struct judge_in *in)
{
	echo_server_case(s, p, log, in);
	in->have_expected = 1;
	in->exp_size = 10240;
	snprintf(in->exp_digest, sizeof(in->exp_digest), "%032d", 7);
}

Test(judge, file_server_without_eof_fails_with_the_shutdown_diagnosis)
{
	struct scn *s = scenario("half-close-thank-you.yaml", file_server_half_close_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };
	char ev[1024];

	default_profile(&p);
	snprintf(ev, sizeof(ev),
	    "{\"t\":1,\"ev\":\"start\"}\n"
	    "{\"t\":2,\"ev\":\"connect\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"read\",\"conn\":1,\"off\":0,\"n\":10240}\n"
	    "{\"t\":2000003,\"ev\":\"timeout\",\"conn\":1,\"what\":\"eof\",\"ms\":2000}\n"
	    "{\"t\":2000004,\"ev\":\"summary\",\"conn\":1,\"bytes_out\":0,\"bytes_in\":10240,"
	    "\"xxh128_in\":\"%032d\",\"eof\":false,\"rst\":false}\n"
	    "{\"t\":2000005,\"ev\":\"end\",\"status\":1,\"message\":\"timeout\"}\n", 7);
	peer_log("ev1.jsonl", ev, &log);
	file_server_case(s, &p, &log, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL, "summary: %s", c.summary);
	assert_check(&c, "data", 1, "all 10240 bytes, identical");
	assert_check(&c, "eof", 0, "no EOF: the connection stayed open");
	assert_check(&c, "reply", 0, "no output at all");
	/* the summary names the first failed check, as in README's example */
	cr_assert_str_eq(c.summary, "eof: expected EOF after the data (shutdown or close); "
	    "got no EOF: the connection stayed open");
	assert_diag(&c, "shutdown(sock, SHUT_WR)");
	cr_assert_null(strstr(c.diagnosis, "must read the reply"),
	    "without EOF the reply diagnosis is not given: %s", c.diagnosis);
	cr_assert_str_eq(find_check(&c, "eof")->cause, "no-shutdown");
	cr_assert_str_eq(find_check(&c, "reply")->cause, "no-shutdown");
	res_case_free(&c);

	/* a case about the data: the missing shutdown is a note there, not a failure */
	scn_free(s);
	s = scenario("text.yaml", file_server_yaml);
	in.s = s;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	assert_check(&c, "eof", 0, "no EOF");
	cr_assert(find_check(&c, "eof")->collateral);
	cr_assert(find_check(&c, "reply")->collateral);
	cr_assert_null(find_check(&c, "data")->cause, "a passed check has no cause");
	cr_assert_not(find_check(&c, "data")->collateral);
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge, file_server_pass_and_reply_printed)
{
	struct scn *s = scenario("half-close-thank-you.yaml", file_server_half_close_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };
	char ev[1024];

	default_profile(&p);
	snprintf(ev, sizeof(ev),
	    "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"connect\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"eof\",\"conn\":1,\"off\":10240}\n"
	    "{\"t\":4,\"ev\":\"summary\",\"conn\":1,\"bytes_out\":10,\"bytes_in\":10240,"
	    "\"xxh128_in\":\"%032d\",\"eof\":true}\n", 7);
	peer_log("ev1.jsonl", ev, &log);
	file_server_case(s, &p, &log, &in);
	in.student.out = "sent 10240 bytes\nThank you\n";
	in.student.out_len = strlen(in.student.out);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	assert_check(&c, "data", 1, NULL);
	assert_check(&c, "eof", 1, "EOF");
	assert_check(&c, "reply", 1, NULL);

	/* printed without its newline still counts */
	res_case_free(&c);
	in.student.out = "Thank you";
	in.student.out_len = strlen(in.student.out);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	res_case_free(&c);

	/* reply missing from the output after a proper EOF */
	in.student.out = "done\n";
	in.student.out_len = strlen(in.student.out);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "reply", 0, "not found in its output");
	cr_assert_str_eq(find_check(&c, "reply")->cause, "reply-not-read");
	assert_diag(&c, "must read the reply until EOF");
	res_case_free(&c);

	/* printed with the textbook's NUL terminator */
	in.student.out = "Thank you\0\n";
	in.student.out_len = 11;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge, file_server_close_instead_of_shutdown)
{
	struct scn *s = scenario("half-close.yaml", file_server_half_close_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };
	char ev[1024];

	default_profile(&p);
	snprintf(ev, sizeof(ev),
	    "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"connect\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"eof\",\"conn\":1,\"off\":10240}\n"
	    "{\"t\":4,\"ev\":\"write_error\",\"conn\":1,\"off\":0,\"error\":\"EPIPE\"}\n"
	    "{\"t\":5,\"ev\":\"summary\",\"conn\":1,\"bytes_in\":10240,\"xxh128_in\":\"%032d\","
	    "\"eof\":true}\n", 7);
	peer_log("ev1.jsonl", ev, &log);
	cr_assert_str_eq(log.conns[0].write_error, "EPIPE");
	file_server_case(s, &p, &log, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "eof", 1, NULL);
	assert_check(&c, "reply", 0, "no output at all");
	assert_diag(&c, "close() where shutdown(sock, SHUT_WR) belongs");
	cr_assert_str_eq(find_check(&c, "reply")->cause, "close-not-shutdown");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/*
 * The same wire (EOF, then the reply met a closed socket) from a server that
 * died of SIGSEGV after the data: the kernel closed its socket, so the
 * reply is charged to the crash, not to close() where shutdown() belongs.
 */
Test(judge, file_server_death_is_charged_not_what_the_kernel_did)
{
	struct scn *s = scenario("half-close.yaml", file_server_half_close_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };
	char ev[1024];

	default_profile(&p);
	snprintf(ev, sizeof(ev),
	    "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"connect\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"eof\",\"conn\":1,\"off\":10240}\n"
	    "{\"t\":4,\"ev\":\"rst\",\"conn\":1}\n"
	    "{\"t\":5,\"ev\":\"summary\",\"conn\":1,\"bytes_in\":10240,\"xxh128_in\":\"%032d\","
	    "\"eof\":true,\"rst\":true}\n", 7);
	peer_log("ev1.jsonl", ev, &log);
	file_server_case(s, &p, &log, &in);
	died(&in.student, SIGSEGV);
	judge_case(&in, &c);
	cr_assert_neq(c.verdict, RES_PASS);
	assert_check(&c, "exit", 0, "died of SIGSEGV");
	assert_check(&c, "reply", 0, "no output at all");
	cr_assert_str_eq(find_check(&c, "reply")->cause, "crash");
	cr_assert_null(strstr(c.diagnosis, "close() where"), "%s", c.diagnosis);
	res_case_free(&c);

	/* killed by SIGPIPE: the same, with that death's cause */
	died(&in.student, SIGPIPE);
	judge_case(&in, &c);
	cr_assert_str_eq(find_check(&c, "reply")->cause, "sigpipe-death");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/*
 * The same wire from a server that exited (status 1) when a write failed
 * with EINTR it never retried: the reply is lost to that exit, not to a
 * close() where shutdown() belongs (it may well call shutdown()).
 */
Test(judge, file_server_exit_over_eintr_is_not_close_not_shutdown)
{
	struct scn *s = scenario("half-close.yaml", file_server_half_close_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };
	char ev[1024];

	default_profile(&p);
	snprintf(ev, sizeof(ev),
	    "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"connect\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"eof\",\"conn\":1,\"off\":46}\n"
	    "{\"t\":4,\"ev\":\"rst\",\"conn\":1}\n"
	    "{\"t\":5,\"ev\":\"summary\",\"conn\":1,\"bytes_in\":46,\"xxh128_in\":\"%032d\","
	    "\"eof\":true,\"rst\":true}\n", 7);
	peer_log("ev1.jsonl", ev, &log);
	file_server_case(s, &p, &log, &in);
	exited(&in.student, 1, "");
	in.inject = "call 2 of write() failed with EINTR";
	in.eintr_unretried = 1;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	cr_assert_str_eq(find_check(&c, "reply")->cause, "no-eintr-retry");
	cr_assert_null(strstr(c.diagnosis ? c.diagnosis : "", "close() where"), "%s", c.diagnosis);
	res_case_free(&c);

	/* every EINTR retried: the closed socket is the program's close() */
	in.eintr_unretried = 0;
	judge_case(&in, &c);
	cr_assert_str_eq(find_check(&c, "reply")->cause, "close-not-shutdown");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge, file_server_short_data)
{
	struct scn *s = scenario("text.yaml", file_server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev1.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"connect\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"read_error\",\"conn\":1,\"off\":4096,\"error\":\"ECONNRESET\"}\n"
	    "{\"t\":4,\"ev\":\"summary\",\"conn\":1,\"bytes_in\":4096,\"xxh128_in\":\"ff\","
	    "\"rst\":true}\n", &log);
	cr_assert(log.conns[0].rst);
	file_server_case(s, &p, &log, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "data", 0, "4096 bytes, then a reset");
	assert_diag(&c, "The client received 4096 of 10240 bytes.");
	assert_summary(&c, "data: expected 10240 bytes, XXH3-128 000000000000...; got 4096 bytes");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/*
 * Fewer bytes, and the first that differs is where the file has a NUL (the
 * reference client's mismatch event): cut by a string function, not lost.
 */
Test(judge, file_server_cut_at_a_nul_is_binary_unsafe)
{
	struct scn *s = scenario("text.yaml", file_server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev1.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"connect\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"mismatch\",\"conn\":1,\"off\":58,\"expected\":0,\"got\":10}\n"
	    "{\"t\":4,\"ev\":\"eof\",\"conn\":1,\"off\":6000}\n"
	    "{\"t\":5,\"ev\":\"summary\",\"conn\":1,\"bytes_in\":6000,\"xxh128_in\":\"ff\","
	    "\"eof\":true}\n", &log);
	file_server_case(s, &p, &log, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	cr_assert_str_eq(find_check(&c, "data")->cause, "binary-unsafe");
	assert_diag(&c, "Its first wrong byte is at offset 58, where the file has a NUL byte");
	res_case_free(&c);
	peer_log_free(&log);

	/* the first difference is an ordinary byte: lost */
	peer_log("ev2.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"connect\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"mismatch\",\"conn\":1,\"off\":58,\"expected\":65,\"got\":10}\n"
	    "{\"t\":4,\"ev\":\"eof\",\"conn\":1,\"off\":6000}\n"
	    "{\"t\":5,\"ev\":\"summary\",\"conn\":1,\"bytes_in\":6000,\"xxh128_in\":\"ff\","
	    "\"eof\":true}\n", &log);
	file_server_case(s, &p, &log, &in);
	judge_case(&in, &c);
	cr_assert_str_eq(find_check(&c, "data")->cause, "lost-bytes");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/* ---- file.client ---- */

static void
file_client_case(struct scn *s, struct prof *p, struct peer_log *log, struct judge_in *in)
{
	memset(in, 0, sizeof(*in));
	in->s = s;
	in->p = p;
	exited(&in->student, 0, "");
	in->peers = log;
	in->npeers = 1;
	in->peer_specs = s->peers;
	in->have_expected = 1;
	in->exp_size = 4096;
	snprintf(in->exp_digest, sizeof(in->exp_digest), "%032d", 3);
	in->out_checked = 1;
	in->out_exists = 1;
	in->out_size = 4096;
	snprintf(in->out_digest, sizeof(in->out_digest), "%032d", 3);
	in->out_first_diff = -1;
}

static const char file_client_yaml[] =
    "title: chunks\nprotocol: file\nrole: client\ninput: {size: 4KiB, pattern: binary}\nhint: h\n";
static const char file_client_reply_yaml[] =
    "title: chunks\nprotocol: file\nrole: client\ninput: {size: 4KiB, pattern: binary}\nhint: h\n"
    "target: [reply]\n";

static const char file_server_thanked[] =
    "{\"t\":1,\"ev\":\"start\"}\n{\"t\":2,\"ev\":\"listen\",\"port\":5000}\n"
    "{\"t\":3,\"ev\":\"accept\",\"conn\":1}\n"
    "{\"t\":4,\"ev\":\"shutdown\",\"conn\":1,\"off\":4096}\n"
    "{\"t\":5,\"ev\":\"reply\",\"conn\":1,\"text\":\"Thank you\\n\",\"n\":10,\"before_eof\":false}\n"
    "{\"t\":6,\"ev\":\"end\",\"status\":0}\n";

Test(judge, file_client_pass)
{
	struct scn *s = scenario("one-byte-chunks.yaml", file_client_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev1.jsonl", file_server_thanked, &log);
	cr_assert(log.listening);
	cr_assert_eq(log.listen_port, 5000);
	cr_assert_str_eq(log.conns[0].reply, "Thank you\n");
	file_client_case(s, &p, &log, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	assert_check(&c, "data", 1, "identical");
	assert_check(&c, "reply", 1, "\"Thank you\\n\" after EOF");
	assert_check(&c, "exit", 1, "exit status 0");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge, file_client_output_names_first_differing_offset)
{
	struct scn *s = scenario("binary-nul.yaml", file_client_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev1.jsonl", file_server_thanked, &log);
	file_client_case(s, &p, &log, &in);
	snprintf(in.out_digest, sizeof(in.out_digest), "%032d", 4);
	in.out_first_diff = 1234;
	in.out_diff_expected = 'x';
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "data", 0, "4096 bytes; the first difference is at offset 1234");
	assert_cause(&c, "data", "data-mismatch");
	assert_summary(&c, "data: expected an output file of 4096 bytes, XXH3-128 000000000000...; "
	    "got 4096 bytes; the first difference is at offset 1234");
	res_case_free(&c);

	/* the first wrong byte is where a NUL belonged: fputs() and the like */
	in.out_size = 2048;
	in.out_diff_expected = 0;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_cause(&c, "data", "binary-unsafe");
	assert_diag(&c, "where a NUL byte belonged");
	res_case_free(&c);
	in.out_size = 4096;

	/* a prefix: stopped before EOF */
	in.out_size = 1000;
	in.out_first_diff = -1;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "data", 0, "1000 bytes");
	assert_diag(&c, "The file is a prefix of the data");
	res_case_free(&c);

	/* a prefix because the deadline came: too slow, not stopped early */
	in.student.killed = in.student.killed_at_deadline = 1;
	in.deadline_hit = 1;
	in.stall = "At the deadline: student is blocked in read(). Too slow: 1.0 MiB of "
	    "4.0 MiB crossed the connection in 10.0 s (0.10 MiB/s)";
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "data", 0, "1000 bytes");
	cr_assert(c.diagnosis == NULL || strstr(c.diagnosis, "prefix") == NULL,
	    "diagnosis '%s'", c.diagnosis);
	assert_diag(&c, "Too slow: 1.0 MiB");
	res_case_free(&c);
	in.student.killed = in.student.killed_at_deadline = 0;
	in.deadline_hit = 0;
	in.stall = NULL;

	/* longer than the data */
	in.out_size = 5000;
	in.out_first_diff = 4096;
	in.out_diff_expected = -1;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "data", 0, "5000 bytes; the first difference is at offset 4096");
	assert_diag(&c, "longer than what was sent");
	res_case_free(&c);

	/* no file at all */
	in.out_exists = 0;
	in.out_size = 0;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "data", 0, "no output file");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge, file_client_reply_missing_early_or_wrong)
{
	struct scn *s = scenario("reply-after-eof.yaml", file_client_reply_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev1.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":3,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":4,\"ev\":\"shutdown\",\"conn\":1,\"off\":4096}\n"
	    "{\"t\":5,\"ev\":\"timeout\",\"conn\":1,\"what\":\"reply\"}\n", &log);
	file_client_case(s, &p, &log, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "reply", 0, "no reply");
	assert_summary(&c, "reply: expected a reply after EOF: \"Thank you\\n\", \"Thank you\\0\", "
	    "\"Thank you\\r\\n\" or \"Thank you\"; got no reply");
	cr_assert_str_eq(find_check(&c, "reply")->cause, "no-reply");
	res_case_free(&c);
	peer_log_free(&log);

	peer_log("ev2.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":3,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":5,\"ev\":\"reply\",\"conn\":1,\"text\":\"Thank you\\n\",\"before_eof\":true}\n",
	    &log);
	in.peers = &log;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "reply", 0, "\"Thank you\\n\" before EOF");
	assert_diag(&c, "Reply only after read() has returned 0.");
	res_case_free(&c);
	peer_log_free(&log);

	peer_log("ev3.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":3,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":5,\"ev\":\"reply\",\"conn\":1,\"text\":\"Thanks\\u0000\\n\",\"before_eof\":false}\n",
	    &log);
	cr_assert_eq(log.conns[0].reply_len, 8);
	in.peers = &log;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "reply", 0, "\"Thanks\\0\\n\" (8 bytes)");
	cr_assert_str_eq(find_check(&c, "reply")->cause, "reply-format");
	res_case_free(&c);

	/* a profile that accepts other replies */
	prof_free(&p);
	p.replies = calloc(1, sizeof(*p.replies));
	p.replies[0].bytes = strdup("Thanks");
	p.replies[0].len = 6;
	p.nreplies = 1;
	peer_log_free(&log);
	peer_log("ev4.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":3,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":5,\"ev\":\"reply\",\"conn\":1,\"text\":\"Thanks\",\"before_eof\":false}\n", &log);
	in.peers = &log;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/* A file client's log: EOF sent, then `reply_json` (a JSON string) as its reply. */
static void
replied(const char *name, const char *reply_json, struct peer_log *log)
{
	char ev[512];
	snprintf(ev, sizeof(ev), "{\"t\":1,\"ev\":\"start\"}\n{\"t\":3,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":4,\"ev\":\"shutdown\",\"conn\":1,\"off\":4096}\n"
	    "{\"t\":5,\"ev\":\"reply\",\"conn\":1,\"text\":%s,\"before_eof\":false}\n", reply_json);
	peer_log(name, ev, log);
}

/* Issue 12: "Thank you" and \n, \0, \r\n or nothing pass everywhere, the reply case included. */
Test(judge, reply_forms_accepted_by_default)
{
	static const char *const ok[] = { "\"Thank you\\n\"", "\"Thank you\\u0000\"",
	    "\"Thank you\\r\\n\"", "\"Thank you\"" };
	static const size_t lens[] = { 10, 10, 11, 9 };
	struct scn *s = scenario("reply-after-eof.yaml", file_client_reply_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	for (size_t i = 0; i < 4; i++) {
		replied("ev.jsonl", ok[i], &log);
		cr_assert_eq(log.conns[0].reply_len, lens[i]);
		file_client_case(s, &p, &log, &in);
		judge_case(&in, &c);
		cr_assert_eq(c.verdict, RES_PASS, "%s: %s", ok[i], c.summary);
		assert_check(&c, "reply", 1, NULL);
		res_case_free(&c);
		peer_log_free(&log);
	}
	cr_assert(judge_reply_accepted(&p, "Thank you\0", 10));
	cr_assert_not(judge_reply_accepted(&p, "Thank you\0\n", 11));
	cr_assert_not(judge_reply_accepted(&p, "Thank you\n\n", 11));
	cr_assert_not(judge_reply_accepted(&p, "thank you\n", 10));
	prof_free(&p);
	scn_free(s);
}

/*
 * "thank you" fails the reply case only, with what arrived escaped next to
 * the accepted forms; in any other case it is a note.
 */
Test(judge, wrong_reply_fails_only_the_reply_case)
{
	struct scn *reply = scenario("reply-after-eof.yaml", file_client_reply_yaml);
	struct scn *text = scenario("text.yaml", file_client_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };
	const struct res_check *k;

	default_profile(&p);
	replied("ev.jsonl", "\"thank you\\u0000\"", &log);
	file_client_case(reply, &p, &log, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	k = find_check(&c, "reply");
	cr_assert_str_eq(k->cause, "reply-format");
	cr_assert_not(k->collateral);
	cr_assert_str_eq(k->actual, "\"thank you\\0\" (10 bytes)");
	cr_assert_str_eq(k->expected, "a reply after EOF: \"Thank you\\n\", \"Thank you\\0\", "
	    "\"Thank you\\r\\n\" or \"Thank you\"");
	assert_summary(&c, "got \"thank you\\0\" (10 bytes)");
	res_case_free(&c);

	in.s = text;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	k = find_check(&c, "reply");
	cr_assert_eq(k->ok, 0);
	cr_assert(k->collateral);
	cr_assert_str_eq(k->cause, "reply-format");
	cr_assert_str_eq(c.summary, "");
	res_case_free(&c);

	/* no reply at all: the same split */
	peer_log_free(&log);
	peer_log("ev2.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":3,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":4,\"ev\":\"shutdown\",\"conn\":1,\"off\":4096}\n", &log);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	cr_assert_str_eq(find_check(&c, "reply")->cause, "no-reply");
	cr_assert(find_check(&c, "reply")->collateral);
	res_case_free(&c);
	in.s = reply;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	cr_assert_str_eq(find_check(&c, "reply")->cause, "no-reply");
	res_case_free(&c);

	/* a reply before EOF is a fault of the transfer: the target everywhere */
	peer_log_free(&log);
	peer_log("ev3.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":3,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":5,\"ev\":\"reply\",\"conn\":1,\"text\":\"Thank you\\n\",\"before_eof\":true}\n",
	    &log);
	in.s = text;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	cr_assert_str_eq(find_check(&c, "reply")->cause, "reply-before-eof");
	cr_assert_not(find_check(&c, "reply")->collateral);
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(reply);
	scn_free(text);
}

/* reply: none: the reply case is skipped with that reason; other cases do not look. */
Test(judge, reply_none_skips_the_reply_case)
{
	struct scn *reply = scenario("reply-after-eof.yaml", file_client_reply_yaml);
	struct scn *text = scenario("text.yaml", file_client_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	p.reply_none = 1;
	peer_log("ev.jsonl", "{\"t\":1,\"ev\":\"start\"}\n{\"t\":3,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":4,\"ev\":\"shutdown\",\"conn\":1,\"off\":4096}\n", &log);
	file_client_case(reply, &p, &log, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_SKIP);
	assert_summary(&c, "reply: none");
	cr_assert_null(find_check(&c, "reply"));
	res_case_free(&c);
	in.s = text;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	cr_assert_null(find_check(&c, "reply"));
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(reply);
	scn_free(text);
}

/* Every cause the judge gives has a row in the table, and docs/grading.md lists it. */
Test(judge, cause_table_is_documented)
{
	unsigned n;
	const struct cause *t = cause_table(&n);
	FILE *f = fopen("docs/grading.md", "re");
	char *doc = NULL;
	size_t cap = 0;

	cr_assert_not_null(f, "docs/grading.md (run from the top of the tree)");
	cr_assert_gt(getdelim(&doc, &cap, '\0', f), 0);
	fclose(f);
	cr_assert_gt(n, 20);
	for (unsigned i = 0; i < n; i++) {
		char want[96];
		cr_assert_not_null(t[i].hint, "%s has no hint", t[i].id);
		cr_assert_eq(cause_find(t[i].id), &t[i], "%s twice", t[i].id);
		snprintf(want, sizeof(want), "| `%s` |", t[i].id);
		cr_assert_not_null(strstr(doc, want), "docs/grading.md lacks %s", t[i].id);
	}
	cr_assert_null(cause_find("no-such-cause"));
	cr_assert_eq(cause_aspect_of("reply-format"), CAUSE_ASPECT_REPLY);
	cr_assert_eq(cause_aspect_of("crash"), CAUSE_ASPECT_NONE);
	cr_assert_eq(cause_aspect_parse("half-close"), CAUSE_ASPECT_HALF_CLOSE);
	cr_assert_eq(cause_aspect_parse("half_close"), -1);
	free(doc);
}

/* One fault, one charge in the score: res_tally and res_problems. */
static void
add_case(struct res_run *run, const char *id, enum res_verdict v, const char *cause,
    int collateral)
{
	struct res_case *c = &run->cases[run->ncases++];
	memset(c, 0, sizeof(*c));
	c->id = strdup(id);
	c->protocol = strdup(strncmp(id, "echo", 4) == 0 ? "echo" : "file");
	c->role = strdup(strstr(id, ".server.") ? "server" : "client");
	c->level = strdup("must");
	c->points = 2;
	c->verdict = v;
	c->summary = strdup("");
	if (cause) {
		c->checks = calloc(1, sizeof(*c->checks));
		c->nchecks = 1;
		c->checks[0].name = strdup("x");
		c->checks[0].cause = strdup(cause);
		c->checks[0].collateral = collateral;
	}
}

Test(judge, tally_charges_a_cause_once_per_program)
{
	struct res_run run = { 0 };
	struct res_problem *p;
	size_t n;

	run.cases = calloc(8, sizeof(*run.cases));
	add_case(&run, "file.server.a", RES_FAIL, "lost-bytes", 0);
	add_case(&run, "file.server.b", RES_FAIL, "lost-bytes", 0);	/* charged in a */
	add_case(&run, "file.server.c", RES_ERROR, "crash", 0);	/* a new cause: costs */
	add_case(&run, "file.server.d", RES_PASS, "no-shutdown", 1);	/* a note */
	add_case(&run, "file.client.e", RES_FAIL, "lost-bytes", 0);	/* another program */
	add_case(&run, "file.client.f", RES_ERROR, NULL, 0);	/* no cause: always costs */
	add_case(&run, "file.client.g", RES_FAIL, "lost-bytes", 0);	/* charged in e */
	res_tally(&run);
	cr_assert_eq(run.cases[0].score, 0);
	cr_assert_null(run.cases[0].charged_in);
	cr_assert_eq(run.cases[1].score, 2);
	cr_assert_str_eq(run.cases[1].charged_in, "file.server.a");
	cr_assert_eq(run.cases[2].score, 0);
	cr_assert_eq(run.cases[3].score, 2);
	cr_assert_eq(run.cases[4].score, 0);
	cr_assert_eq(run.cases[5].score, 0);
	cr_assert_str_eq(run.cases[6].charged_in, "file.client.e");
	cr_assert_eq(run.score, 6);
	cr_assert_eq(run.max_score, 14);
	cr_assert_eq(run.failed, 4);
	cr_assert_eq(run.errors, 2);
	cr_assert_eq(res_exit_status(&run), 1, "a failed must-case still fails the run");

	cr_assert_eq(res_problems(&run, 0, &p, &n), 0);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(p[0].cause, "lost-bytes");
	cr_assert_str_eq(p[0].program, "file_server");
	cr_assert_eq(p[0].ncases, 2);
	cr_assert_eq(p[0].charged, 0);
	cr_assert_str_eq(res_problem_mark(&p[0], 1), "failed: no points lost, charged once");
	cr_assert_str_eq(p[1].cause, "crash");
	cr_assert_str_eq(p[2].cause, "no-shutdown");
	cr_assert_eq(p[2].charged, SIZE_MAX, "a note only costs nothing");
	cr_assert_str_eq(res_problem_mark(&p[2], 0), "a note: no points lost");
	cr_assert_str_eq(p[3].program, "file_client");
	cr_assert_eq(p[3].charged, 4);
	cr_assert_not_null(p[3].hint);
	res_problems_free(p, n);
	res_run_free(&run);
}

Test(judge, file_client_exit_status_and_stderr)
{
	struct scn *s = scenario("connection-refused.yaml", "title: t\nprotocol: file\nrole: client\n"
	    "hint: h\nsetup: {no_server: true}\nexpect: {exit: failure, stderr_message: true, "
	    "output_absent: true}\n");
	struct prof p;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.p = &p;
	exited(&in.student, 0, "");
	in.student.err = " \n";
	in.student.err_len = 2;
	in.out_checked = 1;
	in.out_exists = 1;
	in.out_size = 0;
	in.out_first_diff = -1;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "exit", 0, "exit status 0 (success reported although it failed)");
	assert_check(&c, "stderr", 0, "only white space on standard error");
	assert_check(&c, "output", 1, NULL);
	cr_assert_null(find_check(&c, "reply"), "no server: no reply check");
	cr_assert_null(find_check(&c, "data"));
	res_case_free(&c);

	exited(&in.student, 1, "");
	in.student.err = "connect: Connection refused\n";
	in.student.err_len = strlen(in.student.err);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	res_case_free(&c);

	in.out_size = 12;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "output", 0, "an output file of 12 bytes");
	res_case_free(&c);
	prof_free(&p);
	scn_free(s);
}

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

/* ---- pair ---- */

Test(judge, file_pair_server_prints_the_reply)
{
	struct scn *s = scenario("student-pair.yaml", "title: t\nprotocol: file\nrole: pair\n"
	    "hint: h\n");
	struct prof p;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.p = &p;
	server_stopped(&in.student);
	in.ready = 1;
	exited(&in.student2, 0, "");
	in.have_expected = 1;
	in.exp_size = 64;
	strcpy(in.exp_digest, "ab");
	in.out_checked = in.out_exists = 1;
	in.out_size = 64;
	strcpy(in.out_digest, "ab");
	in.out_first_diff = -1;
	judge_case(&in, &c);
	/* the half-close has its own case (file.server.half-close-thank-you): a note here */
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	assert_check(&c, "data", 1, NULL);
	assert_check(&c, "reply", 0, "not found in its output");
	cr_assert(find_check(&c, "reply")->collateral);
	cr_assert_str_eq(find_check(&c, "reply")->cause, "reply-not-read");
	res_case_free(&c);

	in.student.out = "Thank you\n";
	in.student.out_len = 10;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	res_case_free(&c);

	/* the student's client crashing fails the case (error is sockcheck's failure only) */
	died(&in.student2, SIGSEGV);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "exit", 0, "file_client died of SIGSEGV");
	res_case_free(&c);
	prof_free(&p);
	scn_free(s);
}

/* ---- helpers ---- */

Test(judge, signal_names)
{
	cr_assert_str_eq(judge_signal_name(SIGSEGV), "SIGSEGV (segmentation fault)");
	cr_assert_not_null(strstr(judge_signal_name(SIGPIPE), "SIGPIPE"));
	cr_assert_eq(strncmp(judge_signal_name(SIGABRT), "SIGABRT", 7), 0);
	cr_assert_eq(strncmp(judge_signal_name(SIGBUS), "SIGBUS", 6), 0);
	cr_assert_eq(strncmp(judge_signal_name(SIGFPE), "SIGFPE", 6), 0);
	cr_assert_str_eq(judge_signal_name(SIGKILL), "SIGKILL");
	cr_assert_str_eq(judge_signal_name(SIGTERM), "SIGTERM");
	cr_assert_eq(strncmp(judge_signal_name(SIGXCPU), "SIGXCPU", 7), 0);
	cr_assert_null(judge_signal_name(SIGUSR1));
	cr_assert_null(judge_signal_name(0));
}

Test(judge, find_message)
{
	size_t miss;
	char msg[2000], out[4000];

	cr_assert_eq(judge_find_message("xx hello yy", 11, "hello", 5, 0, &miss), 1);
	cr_assert_eq(judge_find_message("xx hell", 7, "hello", 5, 0, &miss), 0);
	cr_assert_eq(judge_find_message("", 0, "", 0, 0, &miss), 1);
	cr_assert_eq(judge_find_message("a\0b", 3, "\0b", 2, 0, &miss), 1, "NUL bytes are data");

	/* not periodic, so that a piece is found at one place only */
	unsigned x = 12345;
	for (size_t i = 0; i < sizeof(msg); i++) {
		x = x * 1103515245u + 12345u;
		msg[i] = (char)('a' + (x >> 16) % 26);
	}
	/* whole */
	memset(out, '.', sizeof(out));
	memcpy(out + 10, msg, sizeof(msg));
	cr_assert_eq(judge_find_message(out, sizeof(out), msg, sizeof(msg), 32, &miss), 1);
	/* in order, in two pieces with a prompt between */
	memset(out, '.', sizeof(out));
	memcpy(out, msg, 1000);
	memcpy(out + 1000, "\n> ", 3);
	memcpy(out + 1003, msg + 1000, 1000);
	cr_assert_eq(judge_find_message(out, 2003, msg, sizeof(msg), 32, &miss), 2);
	/* without pieces allowed it is not found */
	cr_assert_eq(judge_find_message(out, 2003, msg, sizeof(msg), 0, &miss), 0);
	/* the tail is missing: the first missing offset is reported */
	cr_assert_eq(judge_find_message(out, 1500, msg, sizeof(msg), 32, &miss), 0);
	cr_assert_geq(miss, 1000);
	cr_assert_leq(miss, 1500);
	/* the pieces out of order */
	memset(out, '.', sizeof(out));
	memcpy(out, msg + 1000, 1000);
	memcpy(out + 1500, msg, 1000);
	cr_assert_eq(judge_find_message(out, 3000, msg, sizeof(msg), 32, &miss), 0);
	cr_assert_eq(miss, 1000, "missing at %zu", miss);

	/*
	 * The textbook's BUF_SIZE-30 client: 29-byte pieces, each after its
	 * label. Where the label starts with the message's next byte, the match
	 * must still end at the piece's end.
	 */
	{
		/* three pieces: 29, 29 and 12 bytes; the second starts with 'M' */
		const char *m = "abcdefghijklmnopqrstuvwxyzABC" "MqrstuvwxyzDEFGHIJKLMNOPQRSTZ"
		    "xyzwvutsrqpo";
		char o[300];
		int n = snprintf(o, sizeof(o), "Message from server: %.29sMessage from server: "
		    "%.29sMessage from server: %s\n", m, m + 29, m + 58);

		cr_assert_eq(strlen(m), 70);
		cr_assert_eq(m[29], 'M', "the label starts with the second piece's first byte");
		cr_assert_eq(judge_find_message(o, (size_t)n, m, strlen(m), 29, &miss), 2,
		    "missing at %zu", miss);
		/* pieces smaller than the client's sends are not enough */
		n = snprintf(o, sizeof(o), "> %.10s> %.19s> %.29s> %s\n", m, m + 10, m + 29, m + 58);
		cr_assert_eq(judge_find_message(o, (size_t)n, m, strlen(m), 29, &miss), 0);
	}
}

Test(judge, peer_log_missing_or_partial)
{
	struct peer_log log;
	struct sc_err err;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/none.jsonl", tmpdir);
	cr_assert_eq(peer_log_read(path, &log, &err), 0);
	cr_assert_eq(log.found, 0);
	cr_assert_eq(log.nconns, 0);
	cr_assert_null(peer_log_conn(&log, 1));
	peer_log_free(&log);

	write_file("p.jsonl", "{\"t\":1,\"ev\":\"start\"}\n[1,2]\n{\"t\":5,\"ev\":\"accept\",\"conn\":2}\n"
	    "{\"t\":9,\"ev\":\"write\",\"conn\":2,\"n\":5}\n{\"t\":", path, sizeof(path));
	cr_assert_eq(peer_log_read(path, &log, &err), 0);
	cr_assert(log.found);
	cr_assert_null(peer_log_conn(&log, 1));
	cr_assert_not_null(peer_log_conn(&log, 2));
	cr_assert_eq(peer_log_conn(&log, 2)->bytes_out, 5);
	cr_assert_eq(log.last_t, 9);
	cr_assert_eq(log.nevents, 3);
	peer_log_free(&log);
}

/* ---- memcheck ---- */

Test(judge, memcheck_findings_fail_by_kind)
{
	struct scn *s = scenario("one-message.yaml", echo_server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };
	struct mc_finding f[2];
	struct mc_report rep;
	char *only_reachable[] = { "leak-reachable", NULL };

	default_profile(&p);
	peer_log("ev1.jsonl", echo_client_ok, &log);
	echo_server_case(s, &p, &log, &in);
	memset(f, 0, sizeof(f));
	memset(&rep, 0, sizeof(rep));
	f[0].kind = MC_INVALID_WRITE;
	f[1].kind = MC_LEAK_REACHABLE;
	rep.ran = 1;
	rep.findings = f;
	rep.count = 2;
	in.mc = &rep;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "memcheck", 0, "1 finding that fail the case");
	cr_assert_eq(f[0].fails, 1, "an invalid write fails by default");
	cr_assert_eq(f[1].fails, 0, "still-reachable memory does not by default");
	assert_check(&c, "client 1", 1, NULL);
	res_case_free(&c);

	in.mc_fail = only_reachable;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	cr_assert_eq(f[0].fails, 0);
	cr_assert_eq(f[1].fails, 1);
	res_case_free(&c);

	/* nothing that fails: a pass, with the check recorded */
	f[1].kind = MC_LEAK_POSSIBLE;
	in.mc_fail = NULL;
	rep.count = 2;
	f[0].kind = MC_LEAK_INDIRECT;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	assert_check(&c, "memcheck", 1, "0 findings that fail the case");
	res_case_free(&c);

	/* memcheck did not run: no check */
	rep.ran = 0;
	judge_case(&in, &c);
	cr_assert_null(find_check(&c, "memcheck"));
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge, inject_and_stall_go_into_the_diagnosis)
{
	struct scn *s = scenario("one-message.yaml", echo_server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev1.jsonl", echo_client_ok, &log);
	echo_server_case(s, &p, &log, &in);
	in.inject = "write() returned at most 7 bytes";
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS);
	cr_assert_str_eq(c.diagnosis, "Injected: write() returned at most 7 bytes.");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/* ---- what the convention finder's traces add ---- */

/*
 * A file server that died for want of its file (fread on a NULL FILE *):
 * the missing file is the cause, named first, and the close()/shutdown
 * diagnosis that the client's reset would otherwise suggest is not given.
 */
Test(judge, file_server_dead_for_want_of_its_file_says_so)
{
	struct scn *s = scenario("text.yaml", file_server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	peer_log("ev.jsonl",
	    "{\"t\":1,\"ev\":\"start\"}\n"
	    "{\"t\":2,\"ev\":\"connect\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"rst\",\"conn\":1}\n"
	    "{\"t\":4,\"ev\":\"summary\",\"conn\":1,\"bytes_out\":0,\"bytes_in\":0,"
	    "\"eof\":true,\"rst\":true}\n"
	    "{\"t\":5,\"ev\":\"end\",\"status\":1,\"message\":\"reset\"}\n", &log);
	file_server_case(s, &p, &log, &in);
	died(&in.student, SIGSEGV);
	in.open_failed = "opened data.txt: No such file or directory";
	judge_case(&in, &c);
	cr_assert_neq(c.verdict, RES_PASS);
	cr_assert_str_eq(c.summary, "served-file: expected the server opens the file it serves; "
	    "got opened data.txt: No such file or directory");
	assert_diag(&c, "opened data.txt: No such file or directory");
	cr_assert_null(strstr(c.diagnosis, "close()"), "%s", c.diagnosis);
	res_case_free(&c);

	/* without the trace, the same case says nothing about a file */
	memset(&c, 0, sizeof(c));
	in.open_failed = NULL;
	judge_case(&in, &c);
	cr_assert_null(find_check(&c, "served-file"));
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

static const char refused_yaml[] =
    "title: refused\nprotocol: echo\nrole: client\ntarget: [error-text]\n"
    "setup: {no_server: true}\npeers: []\n"
    "expect: {exit: failure, stderr_message: true}\nhint: h\n";

/* An error message on stdout and a failing status: the case holds, with a warning. */
Test(judge, error_message_on_stdout_passes_with_a_warning)
{
	struct scn *s = scenario("connection-refused.yaml", refused_yaml);
	struct prof p;
	struct judge_in in;
	struct res_case c = { 0 };

	default_profile(&p);
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.p = &p;
	in.out_first_diff = -1;
	exited(&in.student, 1, "connect() error!\n");
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	assert_check(&c, "stderr", 1, "a message on standard output");
	assert_diag(&c, "Warning: the error message went to standard output");
	res_case_free(&c);

	/* exit status 0: stdout text is no excuse */
	memset(&c, 0, sizeof(c));
	exited(&in.student, 0, "connect() error!\n");
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "stderr", 0, "nothing on standard error");
	res_case_free(&c);

	/* nothing anywhere: still a failure */
	memset(&c, 0, sizeof(c));
	exited(&in.student, 1, "");
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "stderr", 0, "nothing on standard error");
	res_case_free(&c);
	prof_free(&p);
	scn_free(s);
}

/* a check that held says what was seen, not the text of its failure */
Test(judge, passed_checks_say_what_was_seen)
{
	struct scn *s = scenario("connection-refused.yaml", refused_yaml);
	struct prof p;
	struct judge_in in;
	struct res_case c = { 0 };
	const struct res_check *k;

	default_profile(&p);
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.p = &p;
	in.out_first_diff = -1;
	exited(&in.student, 3, "");
	in.student.err = "\n  connect: Connection refused\nbye\n";
	in.student.err_len = strlen(in.student.err);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	assert_check(&c, "exit", 1, "exit status 3");
	k = find_check(&c, "exit");
	cr_assert_null(strstr(k->actual, "success reported"), "actual: %s", k->actual);
	assert_check(&c, "stderr", 1, "\"connect: Connection refused\" on standard error");
	res_case_free(&c);

	memset(&c, 0, sizeof(c));
	exited(&in.student, 0, "");
	judge_case(&in, &c);
	assert_check(&c, "exit", 0, "exit status 0 (success reported although it failed)");
	res_case_free(&c);
	prof_free(&p);
	scn_free(s);
}

/* the capture's evidence (judge_in.wire) is named in a failed case only, and decides nothing */
Test(judge, wire_evidence_in_the_diagnosis_only)
{
	struct scn *s = scenario("wire-one-message.yaml", echo_server_yaml);
	struct prof p;
	struct peer_log ok_log, bad_log;
	struct judge_in in;
	struct res_case pass = { 0 }, failed = { 0 };
	const char *ev = "the student server sent RST after 2048 bytes at 0.013 s: it closed the "
	    "socket with data from the reference client unread";

	default_profile(&p);
	peer_log("wire-ok.jsonl", echo_client_ok, &ok_log);
	echo_server_case(s, &p, &ok_log, &in);
	in.wire = ev;
	cr_assert_eq(judge_case(&in, &pass), 0);
	cr_assert_eq(pass.verdict, RES_PASS);
	cr_assert_null(pass.diagnosis, "a pass says nothing of the wire: %s", pass.diagnosis);

	peer_log("wire-bad.jsonl",
	    "{\"t\":1,\"ev\":\"start\"}\n"
	    "{\"t\":10,\"ev\":\"connect\",\"conn\":1}\n"
	    "{\"t\":20,\"ev\":\"write\",\"conn\":1,\"off\":0,\"n\":4096}\n"
	    "{\"t\":30,\"ev\":\"read\",\"conn\":1,\"off\":0,\"n\":2048}\n"
	    "{\"t\":31,\"ev\":\"read_error\",\"conn\":1,\"off\":2048,\"error\":\"ECONNRESET\"}\n"
	    "{\"t\":40,\"ev\":\"summary\",\"conn\":1,\"bytes_out\":4096,\"bytes_in\":2048,\"rst\":true}\n"
	    "{\"t\":60,\"ev\":\"end\",\"status\":1,\"message\":\"reset\"}\n", &bad_log);
	echo_server_case(s, &p, &bad_log, &in);
	in.wire = NULL;
	struct res_case without = { 0 };
	judge_case(&in, &without);
	in.wire = ev;
	judge_case(&in, &failed);
	cr_assert_eq(failed.verdict, RES_FAIL);
	cr_assert_eq(failed.verdict, without.verdict, "the capture changes no verdict");
	cr_assert_str_eq(failed.summary, without.summary);
	assert_diag(&failed, "On the wire: the student server sent RST after 2048 bytes at 0.013 s: "
	    "it closed the socket with data from the reference client unread.");
	cr_assert(without.diagnosis == NULL || strstr(without.diagnosis, "On the wire") == NULL);
	res_case_free(&pass);
	res_case_free(&failed);
	res_case_free(&without);
	peer_log_free(&ok_log);
	peer_log_free(&bad_log);
	prof_free(&p);
	scn_free(s);
}
