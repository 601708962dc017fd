/*
 * judge, file transfer: the file server's data, end of file and reply, the
 * file client's output file, exit status and reply, and the pair, from
 * synthetic cases (tests/judge_cases.h; test_judge.c has the echo server,
 * deaths, deadlines, memcheck and the finder's traces).
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
