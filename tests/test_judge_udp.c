/*
 * judge_udp: the UDP cases' verdicts from synthetic event logs of the UDP
 * reference peers (peer_udp.c folds them into a peer_log), filled into a
 * judge_in the way run_finish.c's run_finish() does.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "judge.h"
#include "judge_cases.h"
#include "scratch.h"

TestSuite(judge_udp, .init = mk_tmp, .fini = rm_tmp, .timeout = 30);

static const char server_yaml[] =
    "title: datagrams\nprotocol: udp\nrole: server\nhint: echo them\n"
    "peers:\n  - flags: [--sizes, \"16,100\"]\n";
static const char two_clients_yaml[] =
    "title: two clients\nprotocol: udp\nrole: server\nhint: echo them\n"
    "peers:\n  - flags: [--sizes, \"10\"]\n  - flags: [--sizes, \"10\"]\n";
static const char client_yaml[] =
    "title: lines\nprotocol: udp\nrole: client\nhint: print them\n"
    "stdin:\n  lines: [hello]\n";

#define START "{\"t\":1,\"ev\":\"start\",\"prog\":\"udp_echo_client\",\"pid\":1}\n"
#define END "{\"t\":90,\"ev\":\"end\",\"status\":0,\"message\":\"m\"}\n"

static void
server_case(struct scn *s, struct prof *p, struct peer_log *logs, size_t n, struct judge_in *in)
{
	struct sc_err err;

	cr_assert_eq(prof_load(tmpdir, p, &err), 0, "%s", err.msg);
	memset(in, 0, sizeof(*in));
	in->s = s;
	in->p = p;
	in->student.started = 1;
	in->student.killed = 1;
	in->student.out = in->student.err = "";
	in->ready = 1;
	in->port = 5000;
	in->peers = logs;
	in->npeers = n;
	in->peer_specs = s->peers;
	in->out_first_diff = -1;
}

Test(judge_udp, every_reply_whole_passes)
{
	struct scn *s = scenario("two.yaml", server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	peer_log("c1.jsonl", START
	    "{\"t\":2,\"ev\":\"dgram_out\",\"i\":1,\"n\":16}\n"
	    "{\"t\":3,\"ev\":\"dgram_in\",\"n\":16,\"from\":\"127.0.0.1\",\"port\":5000}\n"
	    "{\"t\":4,\"ev\":\"reply\",\"i\":1,\"sent\":16,\"n\":16,\"same\":true,\"prefix\":true,"
	    "\"diff_off\":-1,\"from_ok\":true}\n"
	    "{\"t\":5,\"ev\":\"dgram_out\",\"i\":2,\"n\":100}\n"
	    "{\"t\":6,\"ev\":\"reply\",\"i\":2,\"sent\":100,\"n\":100,\"same\":true,\"prefix\":true,"
	    "\"diff_off\":-1,\"from_ok\":true}\n" END, &log);
	cr_assert_eq(log.ndgrams, 2);
	cr_assert_eq(log.dgrams_out, 2);
	cr_assert_eq(log.dgrams_in, 1);
	cr_assert_eq(log.nconns, 0, "datagram events are not connections");
	server_case(s, &p, &log, 1, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_PASS, "%s", c.summary);
	assert_check(&c, "client 1", 1, "all 2 came back");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge_udp, truncation_is_named)
{
	struct scn *s = scenario("two.yaml", server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	peer_log("c1.jsonl", START
	    "{\"t\":4,\"ev\":\"reply\",\"i\":1,\"sent\":16,\"n\":16,\"same\":true,\"prefix\":true,"
	    "\"diff_off\":-1,\"from_ok\":true}\n"
	    "{\"t\":6,\"ev\":\"reply\",\"i\":2,\"sent\":100,\"n\":30,\"same\":false,\"prefix\":true,"
	    "\"diff_off\":-1,\"from_ok\":true}\n" END, &log);
	server_case(s, &p, &log, 1, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "client 1", 0, "the reply to datagram 2 had 30 of 100 bytes");
	assert_diag(&c, "The reply had 30 of 100 bytes: your receive buffer truncates datagrams");
	assert_cause(&c, "client 1", "truncated-datagram");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/* a reply that stopped where the datagram had a NUL byte: strlen(), not the buffer */
Test(judge_udp, cut_at_nul_is_binary_unsafe)
{
	struct scn *s = scenario("two.yaml", server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	peer_log("c1.jsonl", START
	    "{\"t\":6,\"ev\":\"reply\",\"i\":1,\"sent\":64,\"n\":0,\"same\":false,\"prefix\":true,"
	    "\"diff_off\":-1,\"cut_nul\":true,\"from_ok\":true}\n" END, &log);
	server_case(s, &p, &log, 1, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "client 1", 0, "the reply to datagram 1 had 0 of 64 bytes: it ended where a NUL");
	assert_diag(&c, "not strlen()");
	assert_cause(&c, "client 1", "binary-unsafe");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/* a reference client that logged nothing is never a pass */
Test(judge_udp, nothing_logged_fails)
{
	struct scn *s = scenario("two.yaml", server_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	peer_log("c1.jsonl", START END, &log);
	server_case(s, &p, &log, 1, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "client 1", 0, "it sent nothing");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

static const char lost_log[] = START
    "{\"t\":2,\"ev\":\"dgram_out\",\"i\":1,\"n\":10}\n"
    "{\"t\":9,\"ev\":\"lost\",\"i\":1,\"sent\":10,\"ms\":1000}\n" END;
static const char ok_log[] = START
    "{\"t\":4,\"ev\":\"reply\",\"i\":1,\"sent\":10,\"n\":10,\"same\":true,\"prefix\":true,"
    "\"diff_off\":-1,\"from_ok\":true}\n" END;

Test(judge_udp, later_client_lost_names_the_reply_address)
{
	struct scn *s = scenario("two-clients.yaml", two_clients_yaml);
	struct prof p;
	struct peer_log logs[2];
	struct judge_in in;
	struct res_case c = { 0 };

	peer_log("c1.jsonl", ok_log, &logs[0]);
	peer_log("c2.jsonl", lost_log, &logs[1]);
	server_case(s, &p, logs, 2, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "client 1", 1, NULL);
	assert_check(&c, "client 2", 0, "no reply to datagram 1 (10 bytes)");
	assert_diag(&c, "the address and port recvfrom() returned");
	assert_cause(&c, "client 2", "reply-address");
	res_case_free(&c);
	for (int i = 0; i < 2; i++)
		peer_log_free(&logs[i]);
	prof_free(&p);
	scn_free(s);
}

Test(judge_udp, lost_after_the_server_exited_names_the_exit)
{
	struct scn *s = scenario("two-clients.yaml", two_clients_yaml);
	struct prof p;
	struct peer_log logs[2];
	struct judge_in in;
	struct res_case c = { 0 };

	peer_log("c1.jsonl", ok_log, &logs[0]);
	peer_log("c2.jsonl", lost_log, &logs[1]);
	server_case(s, &p, logs, 2, &in);
	in.student.killed = 0;
	in.student.ended = 1;
	in.student.exited = 1;
	in.student.status = 0;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_diag(&c, "must not end it");
	assert_cause(&c, "client 2", "datagram-unanswered");
	res_case_free(&c);
	for (int i = 0; i < 2; i++)
		peer_log_free(&logs[i]);
	prof_free(&p);
	scn_free(s);
}

/*
 * survives-garbage: the garbage senders' replies are not judged (expect:
 * ignore), yet the first of them was answered; the last client, judged, was
 * not, and the server is up: the reply went elsewhere (reply-address, the
 * cause several-clients charges), not a datagram ignored (udp-fixed-reply-address
 * paid twice for one fault before).
 */
Test(judge_udp, unanswered_after_an_ignored_client_was_answered_is_the_reply_address)
{
	struct scn *s = scenario("garbage.yaml",
	    "title: garbage\nprotocol: udp\nrole: server\nhint: go on\n"
	    "peers:\n  - flags: [--sizes, \"10\"]\n    expect: ignore\n"
	    "  - flags: [--sizes, \"10\"]\n");
	struct prof p;
	struct peer_log logs[2];
	struct judge_in in;
	struct res_case c = { 0 };

	peer_log("c1.jsonl", ok_log, &logs[0]);
	peer_log("c2.jsonl", lost_log, &logs[1]);
	server_case(s, &p, logs, 2, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	cr_assert_null(find_check(&c, "client 1"), "an ignored client is not judged");
	assert_cause(&c, "client 2", "reply-address");
	res_case_free(&c);

	/* the ignored client got nothing either: nothing says the server answers */
	peer_log_free(&logs[0]);
	peer_log("c1b.jsonl", lost_log, &logs[0]);
	judge_case(&in, &c);
	assert_cause(&c, "client 2", "datagram-unanswered");
	res_case_free(&c);
	for (int i = 0; i < 2; i++)
		peer_log_free(&logs[i]);
	prof_free(&p);
	scn_free(s);
}

/* a file_server's reply belongs to its connection: not a datagram */
Test(judge_udp, tcp_reply_is_not_a_datagram)
{
	struct peer_log log;

	peer_log("fs.jsonl", "{\"t\":1,\"ev\":\"start\",\"prog\":\"file_server\"}\n"
	    "{\"t\":2,\"ev\":\"accept\",\"conn\":1}\n"
	    "{\"t\":3,\"ev\":\"reply\",\"conn\":1,\"text\":\"Thank you\\n\",\"n\":10,"
	    "\"before_eof\":false}\n", &log);
	cr_assert_eq(log.ndgrams, 0);
	cr_assert_eq(log.nconns, 1);
	cr_assert(log.conns[0].has_reply);
	peer_log_free(&log);
}

static void
client_case(struct scn *s, struct prof *p, struct peer_log *log, struct judge_msg *m,
    const char *out, struct judge_in *in)
{
	struct sc_err err;

	cr_assert_eq(prof_load(tmpdir, p, &err), 0, "%s", err.msg);
	memset(in, 0, sizeof(*in));
	in->s = s;
	in->p = p;
	in->student.started = 1;
	in->student.ended = 1;
	in->student.exited = 1;
	in->student.out = out;
	in->student.out_len = strlen(out);
	in->student.err = "";
	in->peers = log;
	in->npeers = 1;
	in->peer_specs = s->peers;
	in->msgs = m;
	in->nmsgs = 1;
	in->out_first_diff = -1;
}

Test(judge_udp, client_printing_part_of_a_reply_is_told_about_truncation)
{
	static const char line[] = "0123456789abcdefghijklmnopqrstuvwxyz0123456789";
	struct scn *s = scenario("lines.yaml", client_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_msg m = { line, sizeof(line) - 1, line };
	struct judge_in in;
	struct res_case c = { 0 };

	peer_log("srv.jsonl", "{\"t\":1,\"ev\":\"start\",\"prog\":\"udp_echo_server\"}\n"
	    "{\"t\":2,\"ev\":\"dgram_in\",\"i\":1,\"n\":46}\n", &log);
	client_case(s, &p, &log, &m, "[recv] 0123456789abcdefghijklmnopqrst\n", &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "echo 1", 0, "only its first 30 bytes");
	assert_diag(&c, "printed 30 of the 46 bytes");
	assert_cause(&c, "echo 1", "truncated-datagram");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/* The server got the line in two datagrams, each echoed whole: nothing was cut short. */
Test(judge_udp, client_sending_a_line_in_pieces_is_told_it_split_it)
{
	static const char line[] = "0123456789abcdefghijklmnopqrstuvwxyz0123456789";
	struct scn *s = scenario("lines.yaml", client_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_msg m = { line, sizeof(line) - 1, line };
	struct judge_in in;
	struct res_case c = { 0 };

	peer_log("srv.jsonl", "{\"t\":1,\"ev\":\"start\",\"prog\":\"udp_echo_server\"}\n"
	    "{\"t\":2,\"ev\":\"dgram_in\",\"i\":1,\"n\":29}\n"
	    "{\"t\":3,\"ev\":\"dgram_in\",\"i\":2,\"n\":17}\n", &log);
	cr_assert_eq(log.dgram_in_max, 29);
	client_case(s, &p, &log, &m, "[recv] 0123456789abcdefghijklmnopqrs\n"
	    "[recv] tuvwxyz0123456789\n", &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_check(&c, "echo 1", 0, "the largest datagram the server received had 29 bytes");
	assert_diag(&c, "went out as several datagrams of at most 29 bytes");
	assert_cause(&c, "echo 1", "split-datagram");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge_udp, client_waiting_forever_after_a_drop_is_told_to_time_out)
{
	struct scn *s = scenario("lines.yaml", client_yaml);
	struct prof p;
	struct peer_log log;
	struct judge_msg m = { "hello", 5, "hello" };
	struct judge_in in;
	struct res_case c = { 0 };

	peer_log("srv.jsonl", "{\"t\":1,\"ev\":\"start\",\"prog\":\"udp_echo_server\"}\n"
	    "{\"t\":2,\"ev\":\"dgram_in\",\"i\":1,\"n\":5}\n"
	    "{\"t\":3,\"ev\":\"dgram_drop\",\"i\":1}\n", &log);
	cr_assert_eq(log.dgram_dropped, 1);
	client_case(s, &p, &log, &m, "", &in);
	in.student.ended = in.student.exited = 0;
	in.student.killed = in.student.killed_at_deadline = 1;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_diag(&c, "SO_RCVTIMEO");
	assert_cause(&c, "exit", "no-receive-timeout");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/* over ::1, nothing came back from a server that kept running: IPv4 only */
Test(judge_udp, ipv6_case_with_nothing_back_is_ipv4_only)
{
	struct scn *s = scenario("ipv6.yaml",
	    "title: v6\nprotocol: udp\nrole: server\nhint: h\nsetup: {ipv6: true}\n"
	    "peers:\n  - flags: [--sizes, \"10\"]\n");
	struct prof p;
	struct peer_log log;
	struct judge_in in;
	struct res_case c = { 0 };

	peer_log("c1.jsonl", lost_log, &log);
	server_case(s, &p, &log, 1, &in);
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL);
	assert_cause(&c, "client 1", "ipv4-only");
	assert_diag(&c, "IPV6_V6ONLY");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

/* a client given ::1 that sent nothing and waits in recvfrom() at the deadline:
 * IPv4 only, not a missing echo nor a client that won't end */
Test(judge_udp, ipv6_client_waiting_with_nothing_sent_is_ipv4_only)
{
	struct scn *s = scenario("ipv6-client.yaml",
	    "title: v6\nprotocol: udp\nrole: client\nlevel: should\nhint: h\n"
	    "setup: {ipv6: true}\nstdin:\n  lines: [hello]\n");
	struct prof p;
	struct peer_log log;
	struct judge_msg m = { "hello", 5, "hello" };
	struct judge_in in;
	struct res_case c = { 0 };

	peer_log("srv.jsonl", "{\"t\":1,\"ev\":\"start\",\"prog\":\"udp_echo_server\"}\n", &log);
	client_case(s, &p, &log, &m, "", &in);
	in.student.ended = in.student.exited = 0;
	in.student.killed = in.student.killed_at_deadline = 1;
	judge_case(&in, &c);
	cr_assert_eq(c.verdict, RES_FAIL, "%s", c.summary);
	assert_cause(&c, "echo 1", "ipv4-only");
	assert_diag(&c, "never reached it");
	res_case_free(&c);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}
