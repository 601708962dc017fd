/*
 * judge: the verdict of one case (judge.h): the checks of how the programs
 * ended (judge_end.c), of the protocol (judge_echo.c, judge_file.c,
 * judge_udp.c) and of memory, then one fault, one charge (settle).
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "judge.h"
#include "judge_int.h"
#include "judge_udp.h"

static const char *
prog_label(const struct scn *s, int client)
{
	if (s->protocol == SCN_ECHO)
		return client ? "echo_client" : "echo_server";
	if (s->protocol == SCN_UDP)
		return client ? "udp_echo_client" : "udp_echo_server";
	return client ? "file_client" : "file_server";
}

/* The cause of a memcheck failure: a leak, or any other memory error. */
static const char *
mc_cause(const struct mc_report *mc, char *const *mc_fail)
{
	int leak = 0;

	for (size_t i = 0; mc && i < mc->count; i++) {
		if (!mc_kind_fails(mc->findings[i].kind, mc_fail))
			continue;
		if (strncmp(mc_kind_name(mc->findings[i].kind), "leak", 4) != 0)
			return "memory-error";
		leak = 1;
	}
	return leak ? "leak" : "memory-error";
}

static void
judge_memcheck(const struct judge_in *in, struct res_case *c, int *failed)
{
	unsigned nfail = 0;

	if (in->mc == NULL || !in->mc->ran)
		return;
	for (size_t i = 0; i < in->mc->count; i++) {
		struct mc_finding *f = &in->mc->findings[i];
		f->fails = mc_kind_fails(f->kind, in->mc_fail);
		if (f->fails)
			nfail++;
	}
	if (!judge_check(c, "memcheck", mc_cause(in->mc, in->mc_fail), nfail == 0,
	    "no memory errors or definite leaks", "%u finding%s that fail the case", nfail, nfail == 1 ? "" : "s"))
		*failed = 1;
}

/*
 * An IPv6 case whose client never reached the server (no connection, no
 * datagram) failed for one reason: it takes IPv4 addresses only. Its failed
 * exit and data checks are charged as that.
 */
static void
ipv6_client_causes(const struct judge_in *in, struct res_case *c)
{
	const struct peer_log *srv = in->npeers ? &in->peers[0] : NULL;

	/* a client still waiting at the deadline counts (a textbook UDP client
	 * blocks in recvfrom() after its sendto() to inet_addr("::1") failed);
	 * one that died of a signal has a fault of its own */
	if (!in->s->setup.ipv6 || in->s->role != SCN_CLIENT || srv == NULL ||
	    srv->nconns > 0 || srv->dgrams_in > 0 || !in->student.started ||
	    (in->student.ended && !in->student.exited))
		return;
	int any = 0;
	for (size_t i = 0; i < c->nchecks; i++) {
		struct res_check *k = &c->checks[i];
		if (k->ok || (strcmp(k->name, "exit") && strcmp(k->name, "close") &&
		    strcmp(k->name, "data") && strncmp(k->name, "echo ", 5)))
			continue;
		free(k->cause);
		k->cause = strdup("ipv4-only");
		any = 1;
	}
	if (any)
		judge_diag(c, "The client was given ::1 as the server's address and never reached it: "
		    "inet_addr() and inet_pton(AF_INET) take IPv4 only. Use getaddrinfo() with "
		    "AF_UNSPEC and a socket of the family it returns.");
}

/*
 * One of the injections the case's description names with `what` did fire:
 * "every 3rd read()/recv() on a socket failed with EINTR (never triggered);
 * call 2 of write() failed with EINTR" (run_finish.c) has one that did.
 */
static int
injected_and_fired(const struct judge_in *in, const char *what)
{
	for (const char *a = in->inject; a && (a = strstr(a, what)) != NULL; a += strlen(what)) {
		const char *end = strchr(a, ';'), *never = strstr(a, "(never triggered)");
		if (never == NULL || (end && never > end))
			return 1;
	}
	return 0;
}

int
judge_accept_failed(const struct judge_in *in)
{
	return injected_and_fired(in, " of accept() failed");
}

/* An injected EINTR fired and the program did not call that read or write again. */
int
judge_eintr_unretried(const struct judge_in *in)
{
	return injected_and_fired(in, "failed with EINTR") && in->eintr_unretried > 0;
}

/*
 * A program that lost data or echoes in a case whose only twist is calls
 * failing with EINTR, and that did not call the failed read or write again
 * (the preload saw its next call on that socket: harness/preload/inject.c),
 * took the interruption for an error, an end or a count: that is why. A
 * NUL that cut the data, a line printed that was never received, a crash,
 * keep their own cause.
 */
static void
eintr_causes(const struct judge_in *in, struct res_case *c)
{
	static const char *const taken[] = { "echo-missing", "short-read", "data-mismatch",
	    "extra-bytes", "exit-status", "lost-bytes", "short-write", "no-reply", NULL };

	if (!judge_eintr_unretried(in))
		return;
	/* a client stopped by sockcheck was stuck for a reason of its own */
	if (in->s->role == SCN_CLIENT && !in->student.ended)
		return;
	for (size_t i = 0; i < c->nchecks; i++) {
		struct res_check *k = &c->checks[i];
		for (size_t t = 0; !k->ok && k->cause && taken[t]; t++)
			if (strcmp(k->cause, taken[t]) == 0) {
				free(k->cause);
				k->cause = strdup("no-eintr-retry");
				break;
			}
	}
}

/*
 * One fault, one charge: a check of an aspect the scenario does not target
 * is collateral (cause.h). The verdict comes from the target checks alone:
 * error when sockcheck could not start the program (the machine lacked
 * processes or memory: a harness fault, never the student's), fail when a
 * target check failed (a crash, a death by a signal, a hang included: the
 * cause says which), else pass.
 * Failed checks keep their cause; passed ones lose it.
 */
static enum res_verdict
settle(const struct judge_in *in, struct res_case *c, int ok)
{
	const struct scn *s = in->s;
	int fail = 0, error = 0;

	for (size_t i = 0; i < c->nchecks; i++) {
		struct res_check *k = &c->checks[i];
		enum cause_aspect a = cause_aspect_of(k->cause);

		k->collateral = a != CAUSE_ASPECT_NONE && !(s->targets & (1u << a));
		if (k->ok) {
			free(k->cause);
			k->cause = NULL;
			continue;
		}
		if (k->collateral)
			continue;
		fail = 1;
		/* error is sockcheck's failure only (the machine could not start the
		 * program); a program that crashed, hung or died of a signal fails */
		if (!ok && strcmp(k->name, "start") == 0 &&
		    (in->student.start_shortage || in->student2.start_shortage))
			error = 1;
	}
	if ((s->targets & (1u << CAUSE_ASPECT_REPLY)) && in->p->reply_none)
		return RES_SKIP;	/* the reply case, in a protocol without a reply */
	return error ? RES_ERROR : fail ? RES_FAIL : RES_PASS;
}

int
judge_case(const struct judge_in *in, struct res_case *c)
{
	const struct scn *s = in->s;
	int failed = 0, ok = 1, client = s->role == SCN_CLIENT;
	enum scn_exit_expect want = s->expect.exit;
	const struct judge_proc *cl = s->role == SCN_PAIR ? &in->student2 : &in->student;

	if (want == SCN_EXIT_DEFAULT)
		want = client ? SCN_EXIT_SUCCESS : SCN_EXIT_ANY;
	if (in->open_failed && s->protocol == SCN_FILE && s->role != SCN_CLIENT &&
	    !s->setup.no_file && in->student.ended) {
		/* it died for want of a file: that, not what followed, is the cause
		 * (cause: missing-served-file) */
		judge_check(c, "served-file", "missing-served-file", 0, "the server opens the file it serves",
		    "%s", in->open_failed);
		judge_diag(c, "The server could not open the file it serves (%s), and ended. sockcheck "
		    "places the file it finds the server opening; name it in sockcheck.yaml "
		    "(programs: file_server: file: NAME) if it was not found.", in->open_failed);
		failed = 1;
	}
	/* it went on: still running, or it ended saying all went well */
	if (in->open_failed && s->protocol == SCN_FILE && s->role != SCN_CLIENT &&
	    s->setup.no_file && !(in->student.ended && in->student.exited && in->student.status != 0))
		judge_diag(c, "It %s and went on: check the result of fopen()/open() and stop there.",
		    in->open_failed);
	if (s->protocol == SCN_FILE && s->role != SCN_CLIENT && s->setup.no_file && in->npeers > 0)
		judge_diag(c, "The server listened before it opened its file (it opens it for each "
		    "client): a client connected and asked for it.");
	/* a server meant to fail has nothing to listen for: once it ended, or
	 * (a port in use, bad arguments) at all: one that went on is judged by
	 * how it ended */
	if (s->role != SCN_CLIENT && in->student.started && !in->ready &&
	    !((s->setup.no_file || s->setup.no_args) && in->student.ended) &&
	    !scn_server_refuses(s)) {
		const char *listens = s->protocol == SCN_UDP ? "a datagram socket bound to its port" :
		    "listens on its port";
		if (in->student.ended && in->student.exited && judge_accept_failed(in)) {
			/* it did listen (it called accept()), too briefly to be seen */
			judge_check(c, "listen", "accept-error-exit", 0, listens,
			    "exited with status %d when its accept() failed", in->student.status);
			judge_diag(c, "The server exited when one accept() failed: that error concerns "
			    "one connection only; report it and call accept() again.");
		} else if (in->student.ended && in->student.exited)
			judge_check(c, "listen", judge_server_cause(in, "no-listen"), 0, listens,
			    "exited with status %d before %s", in->student.status,
			    s->protocol == SCN_UDP ? "binding" : "listening");
		else if (!in->student.ended)
			judge_check(c, "listen", judge_server_cause(in, "no-listen"), 0, listens,
			    "%s port %u after %.1f s", s->protocol == SCN_UDP ? "nothing bound to UDP" :
			    "not listening on", in->port, in->ready_wait);
		if (in->student.ended || !in->student.ended)
			failed = 1;
	}
	judge_check_port(c, in, &failed);
	ok = judge_check_end(c, in, &in->student, prog_label(s, client),
	    s->role == SCN_PAIR ? SCN_EXIT_ANY : want, client, &failed);
	if (s->role == SCN_PAIR)
		ok = judge_check_end(c, in, &in->student2, prog_label(s, 1), SCN_EXIT_SUCCESS, 1,
		    &failed) && ok;
	judge_check_stderr(c, in, cl, &failed);
	judge_check_time(c, in, cl, &failed);

	if (scn_usage_case(s) || scn_server_refuses(s))
		;	/* its usage, a port in use: how it ended is all there is to judge */
	else if (s->protocol == SCN_UDP && s->role == SCN_SERVER)
		judge_udp_server(in, c, &failed);
	else if (s->protocol == SCN_UDP)
		judge_udp_client(in, c, cl, &failed);
	else if (s->protocol == SCN_ECHO && s->role == SCN_SERVER)
		judge_echo_server(in, c, &failed);
	else if (s->protocol == SCN_FILE && s->role == SCN_SERVER && !s->setup.no_file)
		judge_file_server(in, c, &failed);
	else if (s->protocol == SCN_ECHO && s->role != SCN_SERVER)
		judge_echo_client(in, c, cl, &failed);
	else if (s->protocol == SCN_FILE && s->role != SCN_SERVER)
		judge_file_client(in, c, cl, &failed);
	if (s->role == SCN_PAIR && s->protocol == SCN_FILE && s->expect.reply != SCN_NO &&
	    !in->p->reply_none &&
	    !judge_check(c, "reply", "reply-not-read",
	    judge_reply_printed(in->p, in->student.out, in->student.out_len),
	    "the server prints the client's \"Thank you\"", "not found in its output"))
		failed = 1;
	judge_memcheck(in, c, &failed);
	ipv6_client_causes(in, c);
	eintr_causes(in, c);

	if (in->stall)
		judge_diag(c, "%s", in->stall);
	if (in->inject)
		judge_diag(c, "Injected: %s.", in->inject);
	(void)failed;	/* the checks' own flags decide: collateral ones count for nothing */
	c->verdict = settle(in, c, ok);
	if (c->verdict != RES_PASS && c->verdict != RES_SKIP && in->wire && *in->wire)
		judge_diag(c, "On the wire: %s.", in->wire);
	if (c->verdict == RES_SKIP) {
		free(c->summary);
		c->summary = strdup("skipped: the profile says the protocol has no reply "
		    "(reply: none)");
		return 0;
	}
	free(c->summary);
	c->summary = NULL;
	for (size_t i = 0; i < c->nchecks && c->verdict != RES_PASS; i++) {
		const struct res_check *k = &c->checks[i];
		if (k->ok || k->collateral)
			continue;
		if (asprintf(&c->summary, "%s: expected %s; got %s", k->name,
		    k->expected ? k->expected : "?", k->actual ? k->actual : "?") < 0)
			c->summary = NULL;
		break;
	}
	if (c->summary == NULL)
		c->summary = strdup("");
	return 0;
}
