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
