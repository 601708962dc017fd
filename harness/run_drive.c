/*
 * run_drive: one driver per role. A server case starts the student's server
 * and the reference clients; a client case the reference server and the
 * student's client; a pair case both of the student's programs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fnd.h"
#include "fsx.h"
#include "kind.h"
#include "peer.h"
#include "pnet.h"
#include "run_case.h"
#include "sbx.h"

/* Start the student's server and wait until it listens. */
static int
server_up(struct rcase *c, enum prof_prog_kind kind, struct run_outcome *oc, struct sc_err *err)
{
	const struct prof_prog *pp = &c->p->progs[kind];
	/* one that must refuse to start serves wherever it listens */
	int refuses = scn_server_refuses(c->s);
	struct run_listen_arg la = { .mode = refuses ? PROF_PORT_LISTENING : pp->port_mode,
		.pattern = pp->port_pattern,
		/* printed or found: not known until the program says or listens */
		.port = refuses || pp->port_mode == PROF_PORT_PRINTED ||
		    pp->port_mode == PROF_PORT_LISTENING ? 0 : c->port, .udp = kind_datagram(c->s) };
	double t;

	oc->student = run_start_student(c, kind, "student", c->port, 0, err);
	if (oc->student == NULL)
		return -1;
	oc->student->server = 1;
	if (!oc->student->started)
		return 0;
	la.r = oc->student;
	t = run_now();
	/* valgrind takes 0.5-1.5 s to reach listen(); the time a busy machine kept
	 * the program from a CPU (run queue) is not its own, and does not count */
	for (double until = t + 5.0 * c->factor;;) {
		oc->ready = run_wait_until(c, run_cond_listening, &la, until) &&
		    run_alive(oc->student) && !la.other;
		double own = t + 5.0 * c->factor + run_queue_seconds(oc->student);
		if (oc->ready || la.other || !run_alive(oc->student) || own <= until + 0.01 ||
		    until >= c->deadline)
			break;
		until = own < c->deadline ? own : c->deadline;
	}
	if (la.other)
		oc->kinds = kind_datagram(c->s) ? PNET_TCP : PNET_UDP;
	oc->ready_wait = run_now() - t;
	if (oc->ready && la.port)
		c->port = la.port;
	return 0;
}

/* Reference peer i of the scenario keeps its connection open a while (--hold-ms). */
static int
peer_holds(const struct scn *s, size_t i)
{
	for (size_t k = 0; i < s->npeers && k < s->peers[i].nflags; k++)
		if (strcmp(s->peers[i].flags[k], "--hold-ms") == 0)
			return 1;
	return 0;
}

/* Every peer that does not hold has ended (and there is one). */
static int
cond_others_ended(struct rcase *c, void *arg)
{
	struct run_outcome *oc = arg;
	int others = 0;

	for (size_t i = 0; i < oc->npeers; i++) {
		if (peer_holds(c->s, i))
			continue;
		if (run_alive(oc->peers[i]))
			return 0;
		others = 1;
	}
	return others;
}

/*
 * Whether the student's server provably serves none of the clients still
 * waiting while another holds its connection: bytes sit unread on its side
 * (a connection not accepted, or data not read) and every task of it sleeps
 * in a wait with no timeout (read, accept, poll with -1, ...): only input or
 * a signal wakes it, and neither comes before the hold ends (the waiting
 * clients have sent theirs). Returns a fingerprint of that state (tasks,
 * their waits, the unread bytes, what the case moved so far), 0 when not in it.
 */
static uint64_t
unserved_state(struct rcase *c, struct run_outcome *oc)
{
	pid_t tasks[64];
	struct pnet_sock *socks;
	struct sc_err err;
	uint64_t sig = 1469598103934665603ULL, unread = 0;
	size_t nt;
	ssize_t ns;

	if (oc->student == NULL || !run_alive(oc->student))
		return 0;
	nt = pnet_group_tasks(oc->student->pid, sbx_mode(c->sbx) == SBX_LOOPBACK, tasks, 64);
	if (nt == 0 || nt == 64)
		return 0;
	for (size_t i = 0; i < nt; i++) {
		struct pnet_task tk;
		if (pnet_task(tasks[i], &tk, &err) < 0 || !pnet_waits_forever(&tk))
			return 0;
		sig = (sig ^ (uint64_t)tasks[i]) * 1099511628211ULL;
		sig = (sig ^ (uint64_t)tk.syscall) * 1099511628211ULL;
	}
	if ((ns = pnet_tcp_sockets(sbx_net_pid(c->sbx), &socks, &err)) < 0)
		return 0;
	for (ssize_t i = 0; i < ns; i++)
		if (socks[i].local_port == c->port && (socks[i].state == 10 || socks[i].state == 1) &&
		    socks[i].rx_queue > 0) {	/* LISTEN: its accept queue; ESTABLISHED: unread */
			unread += socks[i].rx_queue;
			sig = (sig ^ (uint64_t)socks[i].remote_port) * 1099511628211ULL;
			sig = (sig ^ socks[i].rx_queue) * 1099511628211ULL;
		}
	free(socks);
	if (unread == 0)
		return 0;
	sig = (sig ^ c->w.progress) * 1099511628211ULL;
	return sig ? sig : 1;
}

struct others_arg {
	struct run_outcome *oc;
	double seen_t;		/* when the unserved state was first seen, 0: not */
	uint64_t seen;		/* its fingerprint then */
	int unserved;		/* proven: the same at two looks CONFIRM apart */
};

/* Every peer that does not hold has ended, or provably won't be served while one holds. */
static int
cond_others_done(struct rcase *c, void *arg)
{
	struct others_arg *a = arg;
	int holding = 0;
	uint64_t st;
	double t;

	if (cond_others_ended(c, a->oc))
		return 1;
	for (size_t i = 0; i < a->oc->npeers; i++)
		if (peer_holds(c->s, i) && run_alive(a->oc->peers[i]))
			holding = 1;
	if (!holding || (st = unserved_state(c, a->oc)) == 0) {
		a->seen_t = 0;
		return 0;
	}
	t = run_now();
	if (a->seen_t == 0 || st != a->seen) {
		a->seen_t = t;
		a->seen = st;
		return 0;
	}
	/* a woken task is runnable, or has moved bytes, by a second look */
	a->unserved = t - a->seen_t >= 0.1 * c->factor;
	return a->unserved;
}

/* SIGUSR1 to the peers that hold (holders 1) or the others (0): "stop waiting". */
static void
tell_peers(struct rcase *c, struct run_outcome *oc, int holders)
{
	for (size_t i = 0; i < oc->npeers; i++) {
		struct peer_log log;
		struct sc_err err;
		if (peer_holds(c->s, i) != holders || !run_alive(oc->peers[i]) ||
		    oc->peers[i]->events == NULL || peer_log_read(oc->peers[i]->events, &log, &err) < 0)
			continue;
		/* the peer blocks SIGUSR1 from its start: its log has begun by then */
		if (log.found)
			sbx_signal(c->sbx, oc->peers[i]->pid, SIGUSR1);
		peer_log_free(&log);
	}
}

/*
 * A client that holds its connection keeps the server busy with it while the
 * others are served (echo.server.concurrent-clients): once they have all
 * ended, served or not, the hold has done its job, and the rest of it could
 * change no check. The holding peers are told to close now (SIGUSR1), as they
 * would at the end of the hold. A server that serves one client at a time is
 * proven not to serve the others (unserved_state) in a fraction of a second:
 * they are told to give up, as at their timeout, and the hold ends then.
 */
static void
end_holds(struct rcase *c, struct run_outcome *oc)
{
	struct others_arg a = { .oc = oc };

	if (!run_wait_until(c, cond_others_done, &a, c->deadline))
		return;
	if (a.unserved) {
		tell_peers(c, oc, 0);
		if (!run_wait_until(c, cond_others_ended, oc, c->deadline))
			return;
	}
	tell_peers(c, oc, 1);
}

/*
 * Reference peer number i of the case, `prog`, against the student's port,
 * added to the case's peers. An echo_client sends its input; a file_client
 * checks what it receives against the file the student serves (the first
 * byte that differs is logged: a NUL there is a string function's cut).
 */
static struct rproc *
start_peer(struct rcase *c, struct run_outcome *oc, const char *prog, size_t i,
    struct sc_err *err)
{
	char portbuf[16];
	char *args[] = { (char *)c->host, portbuf, "/dev/null", NULL };	/* a file_client's copy */
	int file = strcmp(prog, "file_client") == 0;
	struct rproc *r;

	snprintf(portbuf, sizeof(portbuf), "%u", c->port);
	if (!file)
		args[2] = NULL;
	r = run_start_peer(c, prog, i, strcmp(prog, "echo_client") == 0 ? run_peer_input(c->s, i) :
	    file ? run_peer_input(c->s, SIZE_MAX) : NULL, args, err);
	if (r != NULL)
		oc->peers[oc->npeers++] = r;
	return r;
}

static void
run_peers(struct rcase *c, const char *prog, struct run_outcome *oc, struct sc_err *err)
{
	const struct scn *s = c->s;
	double last_start = run_now();

	for (size_t i = 0; i < s->npeers && oc->npeers < RUN_MAXPROCS - 2; i++) {
		const struct scn_peer *sp = &s->peers[i];
		struct rproc *r;
		if (i > 0 && !sp->concurrent)
			run_wait_until(c, run_cond_ended, oc->peers[oc->npeers - 1], c->deadline);
		if (sp->delay_ms)
			run_wait_until(c, run_cond_never, NULL, last_start + sp->delay_ms / 1000.0);
		if (c->w.stalled || c->early.decided || run_now() >= c->deadline)
			break;
		r = start_peer(c, oc, prog, i, err);
		last_start = run_now();
		if (r == NULL)
			break;
	}
	end_holds(c, oc);
	for (size_t i = 0; i < oc->npeers; i++)
		run_wait_until(c, run_cond_ended, oc->peers[i], c->deadline);
}

struct settle_arg {
	struct rproc *r;
	double idle_since;	/* when it was first seen idle; 0: not yet */
};

/*
 * The server ended, or has been idle for a moment: back in accept() or in
 * its poll()/select() loop, so done with the last client (a crash in that
 * client's cleanup would have come first).
 */
static int
cond_server_settled(struct rcase *c, void *arg)
{
	static const char *const idle[] = { "accept", "accept4", "poll", "ppoll", "select",
	    "pselect6", "epoll_wait", "epoll_pwait", NULL };
	/* a datagram server waits for the next datagram in recvfrom() */
	static const char *const idle_udp[] = { "recvfrom", "recvmsg", "read", "poll", "ppoll",
	    "select", "pselect6", "epoll_wait", "epoll_pwait", NULL };
	struct settle_arg *a = arg;
	struct pnet_task t;
	struct sc_err err;
	double now = run_now();

	if (!run_alive(a->r))
		return 1;
	if (pnet_task(pnet_group_leaf(a->r->pid), &t, &err) < 0 ||
	    !watch_blocked_in(&t, kind_datagram(c->s) ? idle_udp : idle)) {
		a->idle_since = 0;
		return 0;
	}
	if (a->idle_since == 0)
		a->idle_since = now;
	return now - a->idle_since >= 0.03 * c->factor;
}

/*
 * A server that serves one client and exits is fine, and one that crashes
 * after its last client is not: give it a moment (0.3 s at most) to do
 * either, but no longer than it takes to settle back into waiting.
 */
static void
let_server_finish(struct rcase *c, struct rproc *srv)
{
	struct settle_arg a = { .r = srv, .idle_since = 0 };

	if (srv && run_alive(srv))
		run_wait_until(c, cond_server_settled, &a, run_now() + 0.3 * c->factor);
}

/*
 * The scenario's data as the file the student's file server serves, owned by
 * it. Whatever the submission had under that name goes first, and the file is
 * created new beneath the working copy: root never writes through a link.
 */
static int
place_served_file(struct rcase *c, struct run_outcome *oc, struct sc_err *err)
{
	const struct prof_prog *pp = &c->p->progs[PROF_FILE_SERVER];
	const char *name = pp->file ? pp->file : "file_server.c";
	char norm[PATH_MAX], root[sizeof(c->cwd)];
	int fd, rc;

	/* a name inside the working copy, or above it inside the copy's own
	 * directory ("../test/data/x.c"): opened beneath that, never outside */
	snprintf(root, sizeof(root), "%s", c->cwd);
	*strrchr(root, '/') = '\0';	/* c->cwd is ROOT/work */
	if (prof_path_inside(name, "work", norm, sizeof(norm)) < 0)
		return sc_err_set(err, "%s: not inside the case's directory", name);
	if (fnd_make_parent_dirs(root, norm, err) < 0)
		return -1;
	fsx_unlink_beneath(root, norm);
	fd = fsx_open_beneath(root, norm, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return sc_err_sys(err, "%s in the working copy%s", name,
		    errno == ELOOP || errno == EXDEV ? " (a link: not followed)" : "");
	rc = run_write_input_fd(fd, name, run_peer_input(c->s, SIZE_MAX), oc->exp_digest, &oc->exp_size, err);
	if (rc == 0 && c->ctx->is_root && fchown(fd, c->uid, (gid_t)c->uid) < 0)
		rc = sc_err_sys(err, "chown %s", name);
	if (close(fd) < 0 && rc == 0)
		rc = sc_err_sys(err, "%s", name);
	if (rc == 0)
		oc->have_expected = 1;
	return rc;
}

/*
 * The served file is missing, and the server listens without having tried
 * to open it: it opens its file for each client (a convention, not a
 * fault). A client asks, as a user would; what the server then says and
 * does is judged.
 */
static void
ask_for_missing_file(struct rcase *c, struct run_outcome *oc, struct sc_err *err)
{
	char note[PATH_MAX + 64];
	struct rproc *r;

	if (!c->trace_opens || fnd_failed_open(c->inj_report, c->cwd, note, sizeof(note)) != 0 ||
	    oc->npeers >= RUN_MAXPROCS - 2)
		return;		/* it tried at its start (or nobody can tell): judged as it is */
	if ((r = start_peer(c, oc, "file_client", 0, err)) != NULL)
		run_wait_until(c, run_cond_ended, r, c->deadline);
}

int
run_drive_server(struct rcase *c, struct run_outcome *oc, struct sc_err *err)
{
	const struct scn *s = c->s;
	enum prof_prog_kind kind = kind_student(s, 0);

	if (s->protocol == SCN_FILE && !s->setup.no_file) {
		if (place_served_file(c, oc, err) < 0)
			return -1;
	} else if (s->protocol == SCN_FILE) {
		const struct prof_prog *pp = &c->p->progs[kind];
		fsx_unlink_beneath(c->cwd, pp->file ? pp->file : "file_server.c");
	}
	if (server_up(c, kind, oc, err) < 0)
		return -1;
	if (!oc->ready) {
		if (oc->kinds)		/* the other protocol: nothing to judge */
			return 0;
		if (run_alive(oc->student) && !s->setup.no_file && !s->setup.no_args &&
		    !scn_server_refuses(s))
			return 0;
		run_wait_until(c, run_cond_ended, oc->student, c->deadline);
		return 0;
	}
	if (s->protocol == SCN_FILE && s->setup.no_file && run_alive(oc->student))
		ask_for_missing_file(c, oc, err);
	else if (!scn_server_refuses(s))	/* listening, it took what it should have refused */
		run_peers(c, kind_peer(s, 0), oc, err);
	let_server_finish(c, oc->student);
	return 0;
}

static void
feed_stdin(struct rcase *c, struct rproc *r)
{
	const struct scn_stdin *in = &c->s->stdin_spec;
	const struct prof_prog *pp = &c->p->progs[c->s->protocol == SCN_UDP ? PROF_UDP_CLIENT :
	    PROF_ECHO_CLIENT];
	const char *stdin_text = c->p->progs[kind_student(c->s, 1)].stdin_text;

	if (stdin_text)
		run_add_feed(r, 0, stdin_text, strlen(stdin_text));
	for (size_t i = 0; i < in->nlines; i++) {
		char *line;
		int n = asprintf(&line, "%s\n", in->lines[i]);
		if (n < 0)
			continue;
		run_add_feed(r, i > 0 ? in->line_gap_ms : 0, line, (size_t)n);
		free(line);
	}
	if (in->quit) {
		const char *q = pp->quit ? pp->quit : "";
		char *line;
		int n = asprintf(&line, "%s\n", q);
		if (n >= 0) {
			run_add_feed(r, in->line_gap_ms, line, (size_t)n);
			free(line);
		}
	}
	r->feed_close = in->close;
}

/* The student's client ended; meanwhile, the kinds of socket it holds are noted. */
static int
cond_client_ended(struct rcase *c, void *arg)
{
	struct run_outcome *oc = arg;

	if (!run_alive(oc->student))
		return 1;
	oc->kinds |= pnet_socket_kinds_of(sbx_net_pid(c->sbx), pnet_group_leaf(oc->student->pid));
	return 0;
}

/*
 * Once the student's client has ended: the reference server has no
 * connection from it, none waits to be accepted, and no socket of one is left
 * on the case's port. Then none can come any more (the client is gone), and
 * nothing the server would still log can change a check: a client that never
 * connected (an IPv4-only client given ::1) is judged at once, not after the
 * server's wait. The log is read before the sockets: a connection accepted in
 * between still has its socket when they are read.
 */
static int
no_connection_coming(struct rcase *c, struct rproc *srv)
{
	struct peer_log log;
	struct pnet_sock *socks;
	struct sc_err err;
	ssize_t n;
	int none;

	if (srv->events == NULL || peer_log_read(srv->events, &log, &err) < 0)
		return 0;
	none = log.nconns == 0;
	peer_log_free(&log);
	if (!none || (n = pnet_tcp_sockets(sbx_net_pid(c->sbx), &socks, &err)) < 0)
		return 0;
	for (ssize_t i = 0; i < n && none; i++)
		if ((socks[i].local_port == c->port || socks[i].remote_port == c->port) &&
		    (socks[i].state != 10 || socks[i].rx_queue > 0))	/* 10: LISTEN; its accept queue */
			none = 0;
	free(socks);
	return none;
}

/* The reference echo server logged the end of the client's connection, or none can come. */
static int
cond_server_saw_end(struct rcase *c, void *arg)
{
	return run_cond_peer_saw_end(c, arg) || no_connection_coming(c, arg);
}

/* The reference file server ended (after the reply), or no connection can come. */
static int
cond_server_ended(struct rcase *c, void *arg)
{
	return run_cond_ended(c, arg) || no_connection_coming(c, arg);
}

int
run_drive_client(struct rcase *c, struct run_outcome *oc, struct sc_err *err)
{
	const struct scn *s = c->s;
	char portbuf[16];
	struct rproc *srv = NULL;
	enum prof_prog_kind kind = kind_student(s, 1);

	snprintf(portbuf, sizeof(portbuf), "%u", c->port);
	if (!s->setup.no_server && s->npeers > 0) {
		const struct scn_input *in = run_peer_input(s, 0);
		char *args[] = { portbuf, (char *)"-", NULL };
		struct run_listen_arg la = { .mode = PROF_PORT_ARGV, .port = c->port,
		    .udp = kind_datagram(s) };
		if (s->protocol == SCN_FILE) {
			if (run_input_digest(in, oc->exp_digest, &oc->exp_size) < 0)
				return sc_err_set(err, "cannot compute the input's digest");
			oc->have_expected = 1;
		} else if (kind_datagram(s)) {
			/* a TCP client given as the UDP one is seen connecting */
			args[0] = (char *)"--catch-tcp";
			args[1] = portbuf;
		} else {
			args[1] = NULL;
		}
		srv = run_start_peer(c, kind_peer(s, 1), 0,
		    s->protocol == SCN_FILE && !in->text ? in : NULL, args, err);
		if (srv == NULL)
			return -1;
		srv->server = 1;
		if (s->protocol == SCN_FILE && in->text) {
			/* literal text: the reference server serves it from a file */
			return sc_err_set(err, "input.text is not supported for file.client scenarios");
		}
		oc->peers[oc->npeers++] = srv;
		c->early.server_events = srv->events;
		la.r = srv;
		if (!srv->started)
			return sc_err_set(err, "the reference %s could not be started: %s",
			    kind_peer(s, 1),
			    srv->start_error ? srv->start_error : "?");
		double t_wait = run_now();
		int listening = run_wait_until(c, run_cond_listening, &la, t_wait + 5.0);
		if (!listening || !run_alive(srv)) {
			char why[160] = "";
			/* say how: this is rare enough that each occurrence must explain itself */
			if (!run_alive(srv) && WIFSIGNALED(srv->wstatus))
				snprintf(why, sizeof(why), ": it was killed by signal %d (%s) after %.3f s",
				    WTERMSIG(srv->wstatus), strsignal(WTERMSIG(srv->wstatus)),
				    srv->t_end - srv->t_start);
			else if (!run_alive(srv))
				snprintf(why, sizeof(why), ": it exited with status %d after %.3f s",
				    WEXITSTATUS(srv->wstatus), srv->t_end - srv->t_start);
			else
				snprintf(why, sizeof(why), " (%s after %.3f s)",
				    listening ? "listening, then gone" : "still running, not listening",
				    run_now() - t_wait);
			return sc_err_set(err, "the reference %s did not start listening on port "
			    "%u%s%s%.*s", kind_peer(s, 1),
			    c->port, why, srv->err.head_len ? "; its standard error: " : "",
			    (int)(srv->err.head_len < 200 ? srv->err.head_len : 200),
			    srv->err.head ? srv->err.head : "");
		}
	}
	oc->student = run_start_student(c, kind, "student", c->port, 1, err);
	if (oc->student == NULL)
		return -1;
	feed_stdin(c, oc->student);
	for (size_t k = 0; k < oc->student->nfeed; k++)
		c->early.input_bytes += oc->student->feed[k].len;
	run_wait_until(c, cond_client_ended, oc, c->deadline);
	/* let the reference server log what the client's end looked like */
	if (srv && s->protocol == SCN_ECHO && !oc->student->killed)
		run_wait_until(c, cond_server_saw_end, srv, run_now() + 1.0 * c->factor);
	/* the reference file_server ends after the reply; the echo server runs on */
	if (srv && s->protocol == SCN_FILE && !oc->student->killed)
		run_wait_until(c, cond_server_ended, srv, run_now() + 2.0);
	return 0;
}

int
run_drive_pair(struct rcase *c, struct run_outcome *oc, struct sc_err *err)
{
	const struct scn *s = c->s;
	enum prof_prog_kind skind = kind_student(s, 0);
	enum prof_prog_kind ckind = kind_student(s, 1);

	if (!c->p->progs[skind].present || !c->p->progs[ckind].present)
		return 0;
	if (s->protocol == SCN_FILE && place_served_file(c, oc, err) < 0)
		return -1;
	if (server_up(c, skind, oc, err) < 0)
		return -1;
	if (!oc->ready)
		return 0;
	oc->student2 = run_start_student(c, ckind, "student client", c->port, 1, err);
	if (oc->student2 == NULL)
		return -1;
	feed_stdin(c, oc->student2);
	run_wait_until(c, run_cond_ended, oc->student2, c->deadline);
	let_server_finish(c, oc->student);
	return 0;
}
