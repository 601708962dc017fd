/*
 * judge_port: expect.port_usable (issue 28). A server that listens on a
 * port nobody can learn (the profile's `listening`: read from its own
 * socket) fails the case built for it with cause hidden-port; the port it
 * was given, a fixed one and a printed one are usable; a case that does
 * not ask is not touched.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cause.h"
#include "judge.h"
#include "judge_cases.h"
#include "scratch.h"

TestSuite(judge_port, .init = mk_tmp, .fini = rm_tmp, .timeout = 30);

static const char usable_yaml[] =
    "title: port\nprotocol: echo\nrole: server\nhint: h\nexpect: {port_usable: true}\n"
    "target: hidden-port\n";
static const char plain_yaml[] =
    "title: one message\nprotocol: echo\nrole: server\nhint: h\n";

static const char client_ok[] =
    "{\"t\":1,\"ev\":\"start\",\"prog\":\"echo_client\",\"pid\":1}\n"
    "{\"t\":10,\"ev\":\"connect\",\"conn\":1,\"addr\":\"127.0.0.1\",\"port\":41877}\n"
    "{\"t\":20,\"ev\":\"write\",\"conn\":1,\"off\":0,\"n\":64}\n"
    "{\"t\":30,\"ev\":\"read\",\"conn\":1,\"off\":0,\"n\":64}\n"
    "{\"t\":40,\"ev\":\"summary\",\"conn\":1,\"bytes_out\":64,\"bytes_in\":64,\"writes\":1,"
    "\"reads\":1,\"xxh128_out\":\"aa\",\"xxh128_in\":\"aa\",\"eof\":false,\"rst\":false}\n"
    "{\"t\":50,\"ev\":\"close\",\"conn\":1,\"reason\":\"done\"}\n"
    "{\"t\":60,\"ev\":\"end\",\"status\":0,\"message\":\"ok\"}\n";

/* An echo server case, served right, on port 41877, with the port mode `mode`. */
static void
judge_with(const char *yaml, enum prof_port_mode mode, struct res_case *c)
{
	struct scn *s = scenario("port-usable.yaml", yaml);
	struct prof p;
	struct peer_log log;
	struct judge_in in;

	default_profile(&p);
	p.progs[PROF_ECHO_SERVER].port_mode = mode;
	peer_log("ev.jsonl", client_ok, &log);
	memset(&in, 0, sizeof(in));
	in.s = s;
	in.p = &p;
	in.student.started = 1;
	in.student.killed = 1;
	in.student.seconds = 0.5;
	in.student.out = "";
	in.student.err = "";
	in.ready = 1;
	in.port = 41877;
	in.peers = &log;
	in.npeers = 1;
	in.peer_specs = s->peers;
	in.out_first_diff = -1;
	cr_assert_eq(judge_case(&in, c), 0);
	peer_log_free(&log);
	prof_free(&p);
	scn_free(s);
}

Test(judge_port, a_port_nobody_can_learn_fails_with_hidden_port)
{
	struct res_case c = { 0 };

	judge_with(usable_yaml, PROF_PORT_LISTENING, &c);
	cr_assert_eq(c.verdict, RES_FAIL, "summary: %s", c.summary);
	assert_check(&c, "port", 0, "it listens on port 41877, which it never told anyone: "
	    "bind the port it was given, or print the one it got");
	assert_cause(&c, "port", "hidden-port");
	assert_check(&c, "client 1", 1, NULL);	/* the rest of the case was judged */
	assert_diag(&c, "getsockname()");
	res_case_free(&c);
}

Test(judge_port, usable_conventions_pass)
{
	static const enum prof_port_mode ok[] = { PROF_PORT_ARGV, PROF_PORT_FIXED,
	    PROF_PORT_PRINTED };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct res_case c = { 0 };
		judge_with(usable_yaml, ok[i], &c);
		cr_assert_eq(c.verdict, RES_PASS, "mode %d: %s", (int)ok[i], c.summary);
		assert_check(&c, "port", 1, NULL);
		res_case_free(&c);
	}
}

/* charged once: the other cases run on the port read and never check it */
Test(judge_port, other_cases_do_not_check_the_port)
{
	struct res_case c = { 0 };

	judge_with(plain_yaml, PROF_PORT_LISTENING, &c);
	cr_assert_eq(c.verdict, RES_PASS, "summary: %s", c.summary);
	cr_assert_null(find_check(&c, "port"));
	res_case_free(&c);
}

Test(judge_port, the_cause_is_in_the_table)
{
	const struct cause *k = cause_find("hidden-port");

	cr_assert_not_null(k);
	cr_assert_eq(k->aspect, CAUSE_ASPECT_NONE);
	cr_assert_not_null(strstr(k->hint, "print the one it got"));
}

/* expect.port_usable is for servers only */
Test(judge_port, port_usable_on_a_client_is_an_error)
{
	char path[PATH_MAX];
	struct sc_err err;

	write_file("c.yaml", "title: t\nprotocol: echo\nrole: client\nhint: h\n"
	    "expect: {port_usable: true}\n", path, sizeof(path));
	sc_err_clear(&err);
	cr_assert_null(scn_load_file(path, &err));
	cr_assert_not_null(strstr(err.msg, "'expect.port_usable' applies to servers only"), "%s",
	    err.msg);
}
