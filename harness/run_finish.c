/*
 * run_finish: what happened in a case (exit statuses, captured output, the
 * peers' event logs, the files written, valgrind's report, the preload
 * library's side channel) handed to the judge, and the processes to results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fnd.h"
#include "fsx.h"
#include "kind.h"
#include "mc.h"
#include "peer.h"
#include "pnet.h"
#include "run_case.h"
#include "wview.h"

static void
to_judge_proc(const struct rproc *r, struct judge_proc *jp, char **out, size_t *out_len,
    char **errt, size_t *err_len)
{
	memset(jp, 0, sizeof(*jp));
	*out = *errt = NULL;
	if (r == NULL)
		return;
	jp->started = r->started;
	jp->start_error = r->start_error;
	jp->start_shortage = r->start_shortage;
	jp->ended = r->ended && !r->killed;
	if (r->ended && !r->killed) {
		jp->exited = WIFEXITED(r->wstatus);
		jp->status = WIFEXITED(r->wstatus) ? WEXITSTATUS(r->wstatus) : 0;
		jp->signal = WIFSIGNALED(r->wstatus) ? WTERMSIG(r->wstatus) : 0;
	}
	jp->killed = r->killed;
	jp->killed_at_deadline = r->killed_at_deadline;
	jp->seconds = !r->started ? 0 : (r->ended ? r->t_end : run_now()) - r->t_start;
	jp->queued_seconds = run_queue_seconds(r);
	*out = cap_text(&r->out, out_len);
	*errt = cap_text(&r->err, err_len);
	jp->out = *out ? *out : "";
	jp->out_len = *out ? *out_len : 0;
	jp->err = *errt ? *errt : "";
	jp->err_len = *errt ? *err_len : 0;
}

void
run_proc_to_result(struct rproc *r, struct res_proc *rp)
{
	memset(rp, 0, sizeof(*rp));
	rp->role = strdup(r->role);
	rp->argv = r->argv;
	r->argv = NULL;
	rp->started = r->started;
	rp->exited = r->ended && WIFEXITED(r->wstatus);
	rp->status = rp->exited ? WEXITSTATUS(r->wstatus) : 0;
	rp->signal = r->ended && WIFSIGNALED(r->wstatus) ? WTERMSIG(r->wstatus) : 0;
	rp->killed = r->killed;
	rp->seconds = !r->started ? 0 : (r->ended ? r->t_end : run_now()) - r->t_start;
	cap_to_stream(&r->out, &rp->out);
	cap_to_stream(&r->err, &rp->err);
	rp->events_path = r->events;
	r->events = NULL;
}

static void
collect_output(struct rcase *c, struct run_outcome *oc, struct judge_in *ji)
{
	const struct scn *s = c->s;
	const struct prof_prog *pp = &c->p->progs[PROF_FILE_CLIENT];
	const char *name = pp->out ? pp->out : "receive.dat";
	struct sc_err err;
	int rc;

	if (s->protocol != SCN_FILE || s->role == SCN_SERVER)
		return;
	/* beneath the working copy, no link followed: root reads what the student left */
	rc = fsx_digest_beneath(c->cwd, name, ji->out_digest, &ji->out_size, &err);
	ji->out_checked = rc >= 0;
	ji->out_exists = rc == 1;
	ji->out_not_regular = rc == 2;
	ji->out_first_diff = -1;
	ji->out_diff_expected = -1;
	if (rc == 1 && oc->have_expected &&
	    (ji->out_size != oc->exp_size || strcmp(ji->out_digest, oc->exp_digest) != 0))
		ji->out_first_diff = run_first_difference(c->cwd, name, run_peer_input(s, 0),
		    &ji->out_diff_expected);
}

/*
 * echo.client: what the reference server receives from a client that sends
 * exactly its stdin lines, without (form 0) or with (form 1) their newlines.
 */
static int
lines_digests(const struct scn *s, uint64_t size[2], char hex[2][REF_DIGEST_HEX])
{
	for (int k = 0; k < 2; k++) {
		struct ref_digest d;
		if (ref_digest_init(&d) < 0)
			return -1;
		size[k] = 0;
		for (size_t i = 0; i < s->stdin_spec.nlines; i++) {
			size_t len = strlen(s->stdin_spec.lines[i]);
			ref_digest_update(&d, s->stdin_spec.lines[i], len);
			if (k == 1)
				ref_digest_update(&d, "\n", 1);
			size[k] += len + (size_t)k;
		}
		ref_digest_final(&d, hex[k]);
	}
	return 0;
}

/* "every 3rd", "every 2nd", "every 11th" */
static const char *
ordinal_suffix(unsigned long n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

/*
 * What the preload library did, from its side channel: *took = 1 when it was
 * active in the student program; `desc` says what was injected, in words;
 * *received: the bytes its socket reads returned, *unretried: the injected
 * EINTRs the program did not retry (preload: eintr_settle) (-1: no count came).
 */
static void
inject_outcome(const struct rcase *c, int *took, char *desc, size_t len, long long *received,
    long long *unretried)
{
	char line[256], fired[1024] = "";
	FILE *f = fopen(c->inj_report, "re");
	FILE *d;
	char *text = NULL;
	size_t tlen = 0;

	*took = 0;
	*received = *unretried = -1;
	desc[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		const char *r = strstr(line, " received=");
		if (strncmp(line, "counts ", 7) == 0 && r)	/* one line per process, at its exit */
			*received = (*received < 0 ? 0 : *received) + strtoll(r + 10, NULL, 10);
		if (strncmp(line, "unretried ", 10) == 0)	/* one line per EINTR not retried */
			(*unretried)++;
		if (strncmp(line, "loaded ", 7) == 0 && strstr(line, " active=1")) {
			*took = 1;
			if (*unretried < 0)
				*unretried = 0;
		}
		else if (strncmp(line, "fired ", 6) == 0 && strlen(fired) + strlen(line) < sizeof(fired))
			strcat(fired, line);
	}
	if (f)
		fclose(f);
	if ((d = open_memstream(&text, &tlen)) == NULL)
		return;
	for (size_t i = 0; c->s->inject[i]; i++) {
		const char *kv = c->s->inject[i], *v = strchr(kv, '=');
		unsigned long n;
		if (v == NULL)
			continue;
		v++;
		n = strtoul(v, NULL, 10);
		int first = ftell(d) == 0;
		if (strncmp(kv, "read_max=", 9) == 0)
			fprintf(d, "%severy read()/recv() on a socket returned at most %lu byte%s%s",
			    first ? "" : "; ", n, n == 1 ? "" : "s",
			    strstr(fired, "fired read_max") ? "" : " (never triggered)");
		else if (strncmp(kv, "write_max=", 10) == 0)
			fprintf(d, "%severy write()/send() on a socket accepted at most %lu byte%s%s",
			    first ? "" : "; ", n, n == 1 ? "" : "s",
			    strstr(fired, "fired write_max") ? "" : " (never triggered)");
		else if (strncmp(kv, "eintr_every=", 12) == 0)
			fprintf(d, "%severy %lu%s read()/recv() on a socket failed with EINTR%s",
			    first ? "" : "; ", n, ordinal_suffix(n),
			    strstr(fired, "fired eintr") ? "" : " (never triggered)");
		else if (strncmp(kv, "fail=", 5) == 0) {
			char call[32] = "", err[32] = "EINTR";
			unsigned long k = 0;
			sscanf(v, "%31[^:]:%lu:%31s", call, &k, err);
			fprintf(d, "%scall %lu of %s() failed with %s%s%s", first ? "" : "; ", k, call,
			    err, strcmp(err, "EPIPE") == 0 && strncmp(call, "read", 4) != 0 &&
			    strncmp(call, "recv", 4) != 0 ? " and raised SIGPIPE, as the kernel does" : "",
			    strstr(fired, "fired fail") ? "" : " (never triggered)");
		} else if (strncmp(kv, "reads_fail=", 11) == 0) {
			char err[32] = "ECONNRESET";
			sscanf(v, "%*u:%31s", err);
			fprintf(d, "%severy read()/recv() on connection %lu failed with %s%s",
			    first ? "" : "; ", n, err,
			    strstr(fired, "fired reads_fail") ? "" : " (never triggered)");
		}
	}
	fclose(d);
	snprintf(desc, len, "%s", text ? text : "");
	free(text);
}

/*
 * A UDP program in a TCP case, or a TCP one in a UDP case: one line and a
 * skip, rather than every check failing for a reason that is not the case's.
 */
static int
protocol_mismatch(const struct rcase *c, const struct run_outcome *oc, struct res_case *out)
{
	int udp = kind_datagram(c->s);
	const char *prog = prof_prog_name(kind_student(c->s, c->s->role == SCN_CLIENT));
	int kinds = oc->kinds;

	if (udp && c->s->role == SCN_CLIENT && kinds == 0 && oc->npeers > 0 &&
	    oc->peers[0]->events) {
		/* a TCP client fails at once, before its socket is seen: the reference
		 * server's TCP listener (--catch-tcp) saw it connect, and no datagram came */
		struct peer_log log;
		struct sc_err err;
		if (peer_log_read(oc->peers[0]->events, &log, &err) == 0) {
			if (log.tcp_accepts > 0 && log.dgrams_in == 0)
				kinds = PNET_TCP;
			peer_log_free(&log);
		}
	}
	if (kinds == 0 || (kinds & (udp ? PNET_UDP : PNET_TCP)))
		return 0;
	out->verdict = RES_SKIP;
	free(out->summary);
	/* the finder's words (fnd.c) for the same finding */
	if (asprintf(&out->summary, "%s speaks %s (it %s) where %s is expected: a %s program is "
	    "tested as %s", prog, udp ? "TCP" : "UDP", udp ? "used a stream socket" :
	    "opened a datagram socket", udp ? "UDP" : "TCP", udp ? "TCP" : "UDP",
	    udp ? (c->s->role == SCN_CLIENT ? "echo_client" : "echo_server") :
	    (c->s->role == SCN_CLIENT ? "udp_echo_client" : "udp_echo_server")) < 0)
		out->summary = NULL;
	return 1;
}

/*
 * The preload library was given to the program and did not load: the
 * machine's fault (a path its uid can't read), never the program's, and
 * never a silent loss of the faults or of the trace.
 */
static int
preload_failed(const struct rcase *c, const struct run_outcome *oc, struct res_case *out)
{
	const struct rproc *procs[2] = { oc->student, oc->student2 };
	char why[PATH_MAX + 256];

	if (!c->inject_on && !c->trace_opens && !c->shared_ports)
		return 0;
	for (int i = 0; i < 2; i++) {
		for (int stream = 0; procs[i] && stream < 2; stream++) {
			size_t len;
			char *text = cap_text(stream ? &procs[i]->err : &procs[i]->out, &len);
			int failed = reach_preload_failed(c->inj_report, text, text ? len : 0, why,
			    sizeof(why));
			free(text);
			if (failed) {
				out->verdict = RES_ERROR;
				free(out->summary);
				if (asprintf(&out->summary, "could not run the case: %s", why) < 0)
					out->summary = NULL;
				return 1;
			}
		}
	}
	return 0;
}

/*
 * Without a network namespace of its own, a port the program bind()s may be
 * held by another program, or by a connection of an earlier case still in
 * TIME-WAIT that the library's SO_REUSEADDR could not pass (one of a program
 * without the library, or not yet finished): the machine's state, not the
 * program's fault. The library notes it ("bind-in-use FD PORT").
 */
static int
port_in_use(const struct rcase *c, struct res_case *out)
{
	char line[256];
	unsigned port = 0;
	FILE *f;

	if (!c->shared_ports || (f = fopen(c->inj_report, "re")) == NULL)
		return 0;
	while (port == 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "bind-in-use %*d %u", &port) != 1)
			port = 0;
	fclose(f);
	if (port == 0)
		return 0;
	out->verdict = RES_ERROR;
	free(out->summary);
	if (asprintf(&out->summary, "could not run the case here: port %u was in use on this "
	    "machine when the program bound it (bind(): EADDRINUSE: another program listens on "
	    "it, or a connection of an earlier run is still in TIME-WAIT), and without a network "
	    "namespace of its own the case shares the machine's ports. Not the program's fault: "
	    "run where sockcheck gets namespaces (sockcheck doctor says how), or free the port "
	    "(TIME-WAIT ends within a minute) and run again", port) < 0)
		out->summary = NULL;
	return 1;
}

/* "192.168.56.101:9090", "[fd00::1]:9090" */
static void
host_port(const char *addr, unsigned port, char *buf, size_t len)
{
	snprintf(buf, len, strchr(addr, ':') ? "[%s]:%u" : "%s:%u", addr, port);
}

/*
 * A client's address that no namespace could give (c->redirect): the
 * library sent it to loopback; the case says where ("sendto
 * 192.168.56.101:9090 redirected to 127.0.0.1:9090: no namespace"). A
 * client the library could not enter (statically linked) sends off the
 * machine's loopback, where no case could reach it: skipped, as where
 * nothing redirects (run_case.c, c->no_addr).
 */
static int
redirected(const struct rcase *c, const struct run_outcome *oc, struct res_case *out)
{
	char line[512], notes[1024] = "";
	int loaded = 0;
	FILE *f;

	if (!c->redirect[0])
		return 0;
	if ((f = fopen(c->inj_report, "re")) != NULL) {
		while (fgets(line, sizeof(line), f)) {
			char call[16], from[64], to[64], a[80], b[80];
			unsigned port;
			size_t o = strlen(notes);
			if (strncmp(line, "loaded ", 7) == 0 && strstr(line, " shared=1"))
				loaded = 1;
			if (sscanf(line, "redirect %15s %*d %63s %u %63s", call, from, &port, to) != 4 ||
			    o + 200 > sizeof(notes))
				continue;
			host_port(from, port, a, sizeof(a));
			host_port(to, port, b, sizeof(b));
			snprintf(notes + o, sizeof(notes) - o, "%s%s %s redirected to %s: no namespace",
			    o ? "; " : "", call, a, b);
		}
		fclose(f);
	}
	if (notes[0])
		out->redirected = strdup(notes);
	if (loaded || !oc->student || !oc->student->started)
		return 0;
	out->verdict = RES_SKIP;
	free(out->summary);
	if (asprintf(&out->summary, "a program uses an address of its own (%.*s), which sockcheck "
	    "can give it only inside a network namespace (not available here) or through its "
	    "preload library, which could not enter the program (statically linked?)",
	    (int)strcspn(c->redirect, "="), c->redirect) < 0)
		out->summary = NULL;
	return 1;
}

void
run_finish(struct rcase *c, struct run_outcome *oc, struct res_case *out)
{
	struct judge_in ji;
	struct peer_log logs[RUN_MAXPROCS];
	char *o1 = NULL, *e1 = NULL, *o2 = NULL, *e2 = NULL;
	size_t lo1, le1, lo2, le2;
	struct sc_err err;
	char inj_desc[1024], open_failed[PATH_MAX + 64], wire_ev[1024];
	int inj_took = 0;
	long long received = -1, unretried = -1;

	if (protocol_mismatch(c, oc, out))
		return;
	if (preload_failed(c, oc, out) || port_in_use(c, out) || redirected(c, oc, out))
		return;
	if (c->inject_on) {
		inject_outcome(c, &inj_took, inj_desc, sizeof(inj_desc), &received, &unretried);
		if (!inj_took) {
			/* never pass a case whose fault did not reach the program */
			out->verdict = RES_SKIP;
			free(out->summary);
			out->summary = strdup("fault injection could not take effect: the preload "
			    "library did not load into the program (statically linked, or started "
			    "through a wrapper whose name differs)");
			return;
		}
	}
	memset(&ji, 0, sizeof(ji));
	memset(logs, 0, sizeof(logs));
	ji.s = c->s;
	ji.p = c->p;
	to_judge_proc(oc->student, &ji.student, &o1, &lo1, &e1, &le1);
	to_judge_proc(oc->student2, &ji.student2, &o2, &lo2, &e2, &le2);
	ji.ready = oc->ready;
	ji.ready_wait = oc->ready_wait;
	ji.port = c->port;
	for (size_t i = 0; i < oc->npeers; i++)
		peer_log_read(oc->peers[i]->events, &logs[i], &err);
	ji.peers = logs;
	ji.npeers = oc->npeers;
	ji.peer_specs = c->s->peers;
	if (c->s->role == SCN_SERVER && oc->npeers > c->s->npeers)
		ji.npeers = c->s->npeers;
	ji.have_expected = oc->have_expected;
	ji.exp_size = oc->exp_size;
	if (c->s->protocol == SCN_FILE && c->s->role == SCN_SERVER)
		ji.exp_head_len = run_input_head(run_peer_input(c->s, 0), ji.exp_head,
		    sizeof(ji.exp_head));
	memcpy(ji.exp_digest, oc->exp_digest, sizeof(ji.exp_digest));
	collect_output(c, oc, &ji);
	c->out_first_diff = ji.out_first_diff;
	ji.msgs = c->msgs;
	ji.nmsgs = c->nmsgs;
	if (c->s->expect.sent_exact == SCN_YES)
		ji.sent_known = lines_digests(c->s, ji.sent_size, ji.sent_digest) == 0;
	ji.deadline_hit = c->deadline_hit;
	ji.time_factor = c->factor * c->scale;
	ji.timeout_s = c->deadline - c->t0 - c->reach_wait;	/* valgrind's start not counted */
	ji.stall = c->early.why ? c->early.why : c->w.stall;
	ji.resent = c->early.resent;
	ji.spun = c->w.spin || (c->early.decided && c->early.fault);
	ji.inject = c->inject_on ? inj_desc : NULL;
	ji.received = received;
	ji.eintr_unretried = unretried;
	if (c->trace_opens &&
	    fnd_failed_open(c->inj_report, c->cwd, open_failed, sizeof(open_failed)) == 1)
		ji.open_failed = open_failed;
	if (c->memcheck) {
		char root[PATH_MAX];
		snprintf(root, sizeof(root), "%s", c->cwd);
		if (mc_read(c->mc_xml, c->mc_log, root, &out->mc, &err) == 0) {
			if (oc->student && oc->student->killed)
				mc_drop_open_files(&out->mc);
			out->memcheck = 1;
			ji.mc = &out->mc;
			ji.mc_fail = c->s->memcheck_fail ? c->s->memcheck_fail : c->p->memcheck_fail;
		}
	}
	wview_case_evidence(out, ji.student.ended && ji.student.signal ? "died of a signal" : NULL,
	    wire_ev, sizeof(wire_ev));	/* "" without a capture */
	ji.wire = wire_ev;
	judge_case(&ji, out);
	if (c->memcheck && !(out->memcheck && out->mc.started) && oc->student &&
	    oc->student->started && out->verdict != RES_SKIP) {
		/* valgrind itself failed (its reason is in the log): not the student's fault */
		out->verdict = RES_ERROR;
		free(out->summary);
		out->summary = strdup("memcheck: valgrind could not start the program (see "
		    "memcheck/memcheck.log in the case directory)");
	}
	for (size_t i = 0; i < oc->npeers; i++)
		peer_log_free(&logs[i]);
	free(o1);
	free(e1);
	free(o2);
	free(e2);
}
