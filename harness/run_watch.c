/*
 * run_watch: the case's poll loop (pump): output is captured, standard input
 * is fed, ended processes are collected, stalls are watched (watch.h) and the
 * early decider (early.h) is told what the student program does. The drivers
 * wait on conditions through it, never with fixed sleeps.
 */
#include <errno.h>
#include <poll.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peer.h"
#include "pnet.h"
#include "run_case.h"
#include "sbx.h"

static void
feed_step(struct rproc *r, double t)
{
	while (r->in_fd >= 0 && r->feed_i < r->nfeed) {
		struct feed_item *it = &r->feed[r->feed_i];
		if (r->feed_off == 0 && t < r->feed_due)
			return;
		ssize_t n = write(r->in_fd, it->data + r->feed_off, it->len - r->feed_off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			close(r->in_fd);	/* EPIPE: the program is not reading any more */
			r->in_fd = -1;
			return;
		}
		r->feed_off += (size_t)n;
		if (r->feed_off < it->len)
			return;
		r->feed_off = 0;
		r->feed_i++;
		if (r->feed_i < r->nfeed)
			r->feed_due = t + r->feed[r->feed_i].delay_ms / 1000.0;
	}
	if (r->in_fd >= 0 && r->feed_i >= r->nfeed && r->feed_close) {
		if (r->in_is_pty) {
			char eof = 4;	/* VEOF at the start of a line */
			if (write(r->in_fd, &eof, 1) != 1)
				return;
		}
		close(r->in_fd);
		r->in_fd = -1;
	}
}

/* The case's processes as the watch sees them (returns how many); its sockets' place. */
size_t
run_watch_procs(struct rcase *c, struct watch_proc *wp)
{
	c->w.net_pid = c->sbx ? sbx_net_pid(c->sbx) : getpid();
	c->w.port = c->port;
	for (size_t i = 0; i < c->np; i++) {
		const struct rproc *r = &c->pr[i];
		wp[i] = (struct watch_proc){ .role = r->role, .pid = r->pid, .alive = run_alive(r),
		    .student = r->student, .server = r->server, .events = r->events };
	}
	return c->np;
}

/*
 * Sample how long the student program has waited for a CPU, so that the
 * time it took can be judged without what a busy machine added. The
 * largest count seen per process is kept: the launcher and the program it
 * starts are counted once each.
 */
static void
sample_run_queue(struct rproc *r)
{
	pid_t pid = pnet_group_leaf(r->pid);
	double q;
	size_t i;

	if (pnet_run_queue_seconds(pid, &q) != 0)
		return;
	for (i = 0; i < sizeof(r->queued) / sizeof(r->queued[0]); i++) {
		if (r->queued[i].pid == pid || r->queued[i].pid == 0) {
			r->queued[i].pid = pid;
			if (q > r->queued[i].s)
				r->queued[i].s = q;
			return;
		}
	}
}

double
run_queue_seconds(const struct rproc *r)
{
	double total = 0;

	for (size_t i = 0; i < sizeof(r->queued) / sizeof(r->queued[0]); i++)
		total += r->queued[i].s;
	return total;
}

/* Hand the early decider (early.h) what the student program is doing. */
static void
look_early(struct rcase *c, double t)
{
	struct rproc *r = NULL;
	struct early_view v;
	char *out = NULL;

	for (size_t i = 0; i < c->np && r == NULL; i++)
		if (c->pr[i].student)
			r = &c->pr[i];
	if (r == NULL || c->s->role == SCN_PAIR)
		return;
	memset(&v, 0, sizeof(v));
	v.alive = run_alive(r);
	v.input_done = r->in_fd < 0 && r->feed_i >= r->nfeed;
	v.queued_s = run_queue_seconds(r);
	if (early_wants_output(&c->early, t, &v)) {
		out = cap_text(&r->out, &v.out_len);
		v.out = out;
	}
	early_step(&c->early, t, &v);
	free(out);
}

/* One round of the loop: capture, feed, reap; waits at most `ms`. */
static void
pump(struct rcase *c, int ms)
{
	struct pollfd pfd[RUN_MAXPROCS * 2];
	struct cap *caps[RUN_MAXPROCS * 2];
	size_t n = 0;
	uint64_t progress = 0;
	double t;

	for (size_t i = 0; i < c->np; i++) {
		struct rproc *r = &c->pr[i];
		if (r->out.fd >= 0) {
			pfd[n] = (struct pollfd){ .fd = r->out.fd, .events = POLLIN };
			caps[n++] = &r->out;
		}
		if (r->err.fd >= 0) {
			pfd[n] = (struct pollfd){ .fd = r->err.fd, .events = POLLIN };
			caps[n++] = &r->err;
		}
	}
	if (ms > 0) {
		if (n > 0)
			poll(pfd, n, ms);
		else
			usleep((useconds_t)ms * 1000);
	}
	for (size_t i = 0; i < n; i++)
		if (pfd[i].revents)
			cap_read(caps[i]);
	t = run_now();
	for (size_t i = 0; i < c->np; i++) {
		struct rproc *r = &c->pr[i];
		struct sc_err err;
		feed_step(r, t);
		if (r->student && run_alive(r))
			sample_run_queue(r);
		if (run_alive(r) && sbx_wait(c->sbx, r->pid, 0, &r->wstatus, &r->ru, &err) == 1) {
			r->ended = 1;
			r->t_end = t;
			if (r->in_fd >= 0) {
				close(r->in_fd);
				r->in_fd = -1;
			}
		}
		progress += r->out.total + r->err.total + (uint64_t)r->ended + r->feed_i;
	}
	{
		struct watch_proc wp[RUN_MAXPROCS];
		size_t nw = run_watch_procs(c, wp);
		watch_step(&c->w, t, progress, wp, nw);
	}
	look_early(c, t);
	/* what ended the case early (run_wcap.h); not what happens while stopping it */
	if (c->t_stall < 0 && c->t_stop < 0 && (c->w.stalled || c->early.decided))
		c->t_stall = t;
}

/* Pump until cond holds (1), the deadline passes or a stall ends the case (0). */
int
run_wait_until(struct rcase *c, run_cond_fn cond, void *arg, double until)
{
	if (until > c->deadline)
		until = c->deadline;
	for (;;) {
		if (cond(c, arg))
			return 1;
		double t = run_now();
		if (t >= until || c->w.stalled || c->early.decided ||
		    (c->ctx->o->stop && *c->ctx->o->stop))
			return 0;
		int ms = (int)((until - t) * 1000) + 1;
		pump(c, ms < 20 ? ms : 20);
	}
}

int
run_cond_ended(struct rcase *c, void *arg)
{
	(void)c;
	return !run_alive((struct rproc *)arg);
}

/* The reference server has logged the end of its first connection (EOF or reset). */
int
run_cond_peer_saw_end(struct rcase *c, void *arg)
{
	struct rproc *r = arg;
	struct peer_log log;
	struct sc_err err;
	const struct peer_conn *pc;
	int done;

	(void)c;
	if (!run_alive(r) || r->events == NULL)
		return 1;
	if (peer_log_read(r->events, &log, &err) < 0)
		return 1;
	pc = peer_log_conn(&log, 1);
	done = pc == NULL ? 0 : pc->eof || pc->rst || pc->closed || pc->summary;
	peer_log_free(&log);
	return done;
}

int
run_cond_never(struct rcase *c, void *arg)
{
	(void)c;
	(void)arg;
	return 0;
}

/* A server's socket is ready: TCP in LISTEN, UDP bound (and not connected). */
static int
server_ready(struct rcase *c, int udp, unsigned port)
{
	struct sc_err err;
	return (udp ? pnet_udp_is_bound(sbx_net_pid(c->sbx), port, &err) :
	    pnet_is_listening(sbx_net_pid(c->sbx), port, &err)) == 1;
}

int
run_cond_listening(struct rcase *c, void *arg)
{
	struct run_listen_arg *a = arg;
	struct sc_err err;

	if (!run_alive(a->r))
		return 1;
	if (a->r->student && a->port && server_ready(c, !a->udp, a->port) &&
	    !server_ready(c, a->udp, a->port)) {
		a->other = 1;	/* a UDP server in a TCP case, or the reverse */
		return 1;
	}
	if (a->mode == PROF_PORT_LISTENING || (a->mode == PROF_PORT_PRINTED && a->port == 0)) {
		unsigned ports[8];
		if (a->mode == PROF_PORT_PRINTED) {
			regex_t re;
			regmatch_t m[2];
			size_t len;
			char *text = cap_text(&a->r->out, &len);
			if (text && regcomp(&re, a->pattern ? a->pattern : "port[^0-9]*([0-9]+)",
			    REG_EXTENDED | REG_ICASE) == 0) {
				if (regexec(&re, text, 2, m, 0) == 0 && m[1].rm_so >= 0)
					a->port = (unsigned)strtoul(text + m[1].rm_so, NULL, 10);
				regfree(&re);
			}
			free(text);
			return a->port && server_ready(c, a->udp, a->port);
		}
		ssize_t k = (a->udp ? pnet_udp_ports_of : pnet_listening_ports_of)(sbx_net_pid(c->sbx),
		    0, a->r->pid, ports, 8, &err);
		if (k > 0) {
			a->port = ports[0];
			return 1;
		}
		return 0;
	}
	return server_ready(c, a->udp, a->port);
}
