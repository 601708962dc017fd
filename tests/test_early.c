/*
 * early: when a case is decided before its deadline, from event logs and
 * side channels written here.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "early.h"
#include "scratch.h"

TestSuite(early, .init = mk_tmp, .fini = rm_tmp, .timeout = 10);

static char *lines3[] = { "hello", "socket programming", "the quick brown fox 12345" };

/* An echo.client scenario with three lines and end of input. */
static void
client_scn(struct scn *s)
{
	memset(s, 0, sizeof(*s));
	s->protocol = SCN_ECHO;
	s->role = SCN_CLIENT;
	s->stdin_spec.lines = lines3;
	s->stdin_spec.nlines = 3;
	s->stdin_spec.close = 1;
}

/* A reference echo server's log: connection 1 read `n` bytes `times` times after `first`. */
static void
server_log(const char *rel, const unsigned *first, size_t nfirst, unsigned n, unsigned times,
    char *path, size_t len)
{
	char *text = NULL;
	size_t tlen = 0;
	FILE *f = open_memstream(&text, &tlen);
	unsigned long off = 0;

	fprintf(f, "{\"t\":1,\"ev\":\"start\",\"prog\":\"echo_server\",\"pid\":2,\"argv\":[]}\n");
	fprintf(f, "{\"t\":2,\"ev\":\"accept\",\"conn\":1,\"addr\":\"127.0.0.1\",\"port\":4}\n");
	for (size_t i = 0; i < nfirst; i++) {
		fprintf(f, "{\"t\":3,\"ev\":\"read\",\"conn\":1,\"off\":%lu,\"n\":%u}\n", off, first[i]);
		off += first[i];
	}
	for (unsigned i = 0; i < times; i++) {
		fprintf(f, "{\"t\":4,\"ev\":\"read\",\"conn\":1,\"off\":%lu,\"n\":%u}\n", off, n);
		off += n;
	}
	fclose(f);
	write_bytes(rel, text, tlen, path, len);
	free(text);
}

static const struct early_view done_view = { .alive = 1, .input_done = 1 };

/* The last line sent again and again after the input ended: decided. */
Test(early, resending_client)
{
	static const unsigned first[] = { 5, 18, 25 };
	char path[PATH_MAX];
	struct scn s;
	struct early e;

	client_scn(&s);
	server_log("resend.events", first, 3, 25, EARLY_RESENDS, path, sizeof(path));
	early_init(&e, &s, 1.0);
	e.server_events = path;
	e.input_bytes = 51;
	early_step(&e, 1.0, &done_view);
	cr_assert(e.decided);
	cr_assert_not(e.fault, "its end is judged in its own case");
	cr_assert(e.resent);
	cr_assert_not_null(strstr(e.why, "sends its last line again"), "%s", e.why);
	early_free(&e);
}

/* One resend short of the run, or input still being fed: not yet. */
Test(early, not_yet)
{
	static const unsigned first[] = { 5, 18, 25 };
	char path[PATH_MAX];
	struct scn s;
	struct early e;
	struct early_view feeding = { .alive = 1, .input_done = 0 };

	client_scn(&s);
	server_log("short.events", first, 3, 25, EARLY_RESENDS - 1, path, sizeof(path));
	early_init(&e, &s, 1.0);
	e.server_events = path;
	e.input_bytes = 51;
	early_step(&e, 1.0, &done_view);
	cr_assert_not(e.decided);
	server_log("feeding.events", first, 3, 25, 100, path, sizeof(path));
	early_step(&e, 2.0, &feeding);
	cr_assert_not(e.decided, "its input has not ended yet");
	early_free(&e);
}

/* A whole buffer per line (more bytes than the input, but one read a line): not resending. */
Test(early, fixed_buffer_client_is_not_resending)
{
	static const unsigned first[] = { 8191, 8191, 8191 };
	char path[PATH_MAX];
	struct scn s;
	struct early e;

	client_scn(&s);
	server_log("buffer.events", first, 3, 0, 0, path, sizeof(path));
	early_init(&e, &s, 1.0);
	e.server_events = path;
	e.input_bytes = 51;
	early_step(&e, 1.0, &done_view);
	cr_assert_not(e.decided);
	early_free(&e);
}

/* The server closed the connection, the client runs on: decided after a grace. */
Test(early, server_gone)
{
	char path[PATH_MAX];
	struct scn s;
	struct early e;
	struct early_view feeding = { .alive = 1, .input_done = 0 };

	client_scn(&s);
	s.protocol = SCN_FILE;
	write_file("gone.events", "{\"t\":1,\"ev\":\"start\",\"prog\":\"file_server\",\"pid\":2}\n"
	    "{\"t\":2,\"ev\":\"accept\",\"conn\":1,\"addr\":\"127.0.0.1\",\"port\":4}\n"
	    "{\"t\":3,\"ev\":\"write\",\"conn\":1,\"off\":0,\"n\":64}\n", path, sizeof(path));
	early_init(&e, &s, 1.0);
	e.server_events = path;
	early_step(&e, 1.0, &feeding);
	early_step(&e, 5.0, &feeding);
	cr_assert_not(e.decided, "the connection is open");
	write_file("gone.events", "{\"t\":1,\"ev\":\"start\",\"prog\":\"file_server\",\"pid\":2}\n"
	    "{\"t\":2,\"ev\":\"accept\",\"conn\":1,\"addr\":\"127.0.0.1\",\"port\":4}\n"
	    "{\"t\":3,\"ev\":\"close\",\"conn\":1,\"reason\":\"close-after\"}\n", path, sizeof(path));
	early_step(&e, 6.0, &feeding);
	cr_assert_not(e.decided, "a moment to notice");
	early_step(&e, 6.5, &feeding);
	cr_assert_not(e.decided);
	early_step(&e, 7.1, &feeding);
	cr_assert(e.decided);
	cr_assert_not_null(strstr(e.why, "server closed the connection"), "%s", e.why);
	early_free(&e);
}

/* The preload library's note of a spin on a failing read: decided, a fault of the case. */
Test(early, spin_on_failing_reads)
{
	char path[PATH_MAX];
	struct scn s;
	struct early e;

	memset(&s, 0, sizeof(s));
	s.protocol = SCN_ECHO;
	s.role = SCN_SERVER;
	write_file("inject.log", "loaded pid=2 name=echo_server active=1\n"
	    "fired reads_fail recv 1 104\n", path, sizeof(path));
	early_init(&e, &s, 1.0);
	e.inject_log = path;
	early_step(&e, 1.0, &done_view);
	cr_assert_not(e.decided, "one failed read is no spin");
	write_file("inject.log", "loaded pid=2 name=echo_server active=1\n"
	    "fired reads_fail recv 1 104\nspun reads_fail recv 1000\n", path, sizeof(path));
	early_step(&e, 2.0, &done_view);
	cr_assert(e.decided);
	cr_assert(e.fault);
	cr_assert_not_null(strstr(e.why, "recv() 1000 times"), "%s", e.why);
	early_free(&e);
}

/* Every echo printed, input over, still running: decided after the grace, unless the end is the target. */
Test(early, target_judged)
{
	struct judge_msg msgs[3];
	struct scn s;
	struct early e;
	const char *out = "[recv] hello\n[recv] socket programming\n[recv] the quick brown fox 12345\n";
	struct early_view v = { .alive = 1, .input_done = 1, .out = out, .out_len = strlen(out) };

	client_scn(&s);
	for (int i = 0; i < 3; i++)
		msgs[i] = (struct judge_msg){ .text = lines3[i], .len = strlen(lines3[i]),
		    .sent = lines3[i] };
	early_init(&e, &s, 1.0);
	e.msgs = msgs;
	e.nmsgs = 3;
	cr_assert(early_wants_output(&e, 1.0, &v));
	early_step(&e, 1.0, &v);
	cr_assert_not(e.decided, "a moment to end by itself");
	early_step(&e, 1.2, &v);
	cr_assert_not(e.decided);
	early_step(&e, 1.6, &v);
	cr_assert(e.decided);
	cr_assert_not(e.fault);
	early_free(&e);

	/* an echo missing: nothing is judged yet */
	early_init(&e, &s, 1.0);
	e.msgs = msgs;
	e.nmsgs = 3;
	v.out_len = 30;
	early_step(&e, 1.0, &v);
	early_step(&e, 2.0, &v);
	cr_assert_not(e.decided);
	early_free(&e);

	/* a case that judges how the client ends waits for it */
	s.targets = 1u << CAUSE_ASPECT_END_OF_INPUT;
	early_init(&e, &s, 1.0);
	e.msgs = msgs;
	e.nmsgs = 3;
	v.out_len = strlen(out);
	cr_assert_not(early_wants_output(&e, 1.0, &v));
	early_step(&e, 1.0, &v);
	early_step(&e, 2.0, &v);
	cr_assert_not(e.decided);
	early_free(&e);
}

/*
 * A correct client on a busy machine: every echo printed, and then it waits
 * for a CPU to end (runnable, its run-queue seconds rising with the wall
 * clock). That time is the machine's, not the program's: never decided, and
 * never the note "did not end at the end of its input" for a client that
 * does. Counted by wall time before, it was stopped after 0.5 s.
 */
Test(early, a_client_waiting_for_a_cpu_is_not_late)
{
	struct judge_msg msgs[3];
	struct scn s;
	struct early e;
	const char *out = "[recv] hello\n[recv] socket programming\n[recv] the quick brown fox 12345\n";
	struct early_view v = { .alive = 1, .input_done = 1, .out = out, .out_len = strlen(out),
	    .queued_s = 7.0 };

	client_scn(&s);
	for (int i = 0; i < 3; i++)
		msgs[i] = (struct judge_msg){ .text = lines3[i], .len = strlen(lines3[i]),
		    .sent = lines3[i] };
	early_init(&e, &s, 1.0);
	e.msgs = msgs;
	e.nmsgs = 3;
	for (double t = 1.0; t < 4.0; t += 0.1) {
		/* 95% of the time waiting for a CPU: 0.15 s of its own in 3 s */
		v.queued_s = 7.0 + (t - 1.0) * 0.95;
		early_step(&e, t, &v);
		cr_assert_not(e.decided, "stopped at %.1f s, %.2f s of it its own: %s", t - 1.0,
		    (t - 1.0) * 0.05, e.why ? e.why : "");
	}
	/* then it runs (or sleeps) on, its own time: 0.5 s of it decide */
	double q = v.queued_s;
	early_step(&e, 4.2, &v);
	cr_assert_not(e.decided);
	early_step(&e, 4.5, &v);
	cr_assert(e.decided, "still running 0.5 s of its own time after its last echo");
	cr_assert_not(e.fault);
	cr_assert_float_eq(v.queued_s, q, 1e-9);
	early_free(&e);
}

/* The server closed, the client waits for a CPU to see it: not late either. */
Test(early, server_gone_counts_the_clients_own_time)
{
	char path[PATH_MAX];
	struct scn s;
	struct early e;
	struct early_view v = { .alive = 1, .input_done = 0, .queued_s = 0 };

	client_scn(&s);
	s.protocol = SCN_FILE;
	write_file("gone.events", "{\"t\":1,\"ev\":\"start\",\"prog\":\"file_server\",\"pid\":2}\n"
	    "{\"t\":2,\"ev\":\"accept\",\"conn\":1,\"addr\":\"127.0.0.1\",\"port\":4}\n"
	    "{\"t\":3,\"ev\":\"close\",\"conn\":1,\"reason\":\"close-after\"}\n", path, sizeof(path));
	early_init(&e, &s, 1.0);
	e.server_events = path;
	for (double t = 1.0; t < 5.0; t += 0.1) {
		v.queued_s = (t - 1.0) * 0.9;	/* 90% in the run queue */
		early_step(&e, t, &v);
		cr_assert_not(e.decided, "stopped at %.1f s: %s", t - 1.0, e.why ? e.why : "");
	}
	/* 0.4 s of its own so far; 0.6 s more without a wait for the CPU */
	early_step(&e, 5.7, &v);
	cr_assert(e.decided);
	cr_assert(e.fault);
	early_free(&e);
}
