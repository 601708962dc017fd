/*
 * run_case: one scenario against one submission.
 *
 * The case owns a scratch directory (a copy of the built submission), a
 * sandbox, the student program and the reference peers. One thread drives
 * it with a poll loop (pump): output is captured, standard input is fed,
 * ended processes are collected, stalls are watched; the role drivers wait
 * on conditions through it, never with fixed sleeps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <regex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <ftw.h>


#include "cap.h"
#include "fnd.h"
#include "fsx.h"
#include "judge.h"
#include "kind.h"
#include "mc.h"
#include "peer.h"
#include "pnet.h"
#include "ref_mangle.h"
#include "ref_payload.h"
#include "run_int.h"
#include "run_wcap.h"
#include "sbx.h"
#include "strv.h"
#include "trim.h"
#include "watch.h"
#include "early.h"
#include "wview.h"

#define MAXPROCS 32
#define HEAD_MAX (64 * 1024)
#define TAIL_MAX (16 * 1024)

struct feed_item {
	unsigned delay_ms;	/* after the previous item */
	char *data;
	size_t len;
};

struct rproc {
	char role[32];
	char **argv;
	pid_t pid;
	int started;
	char *start_error;
	int ended, wstatus;
	struct rusage ru;
	double t_start, t_end;
	int killed, killed_at_deadline;
	struct cap out, err;
	char *events;		/* peers: event log path */
	int student;
	int server;		/* a server: idle in accept() once its clients are done */
	/* standard input fed by the harness */
	int in_fd;
	struct feed_item *feed;
	size_t nfeed, feed_i, feed_off;
	double feed_due;
	int feed_close;		/* close (or ^D on a pty) after the last item */
	int in_is_pty;
	/* students: seconds spent waiting for a CPU, per process seen (pnet_run_queue_seconds) */
	struct { pid_t pid; double s; } queued[4];
};

struct rcase {
	struct run_ctx *ctx;
	const struct scn *s;
	const struct prof *p;
	struct sbx *sbx;
	char dir[3072];	/* case directory: logs */
	char cwd[3200];	/* the student's working copy */
	unsigned port;
	const char *host;
	double t0, deadline, factor;
	double scale;		/* --timeout-scale (and the assignment's) */
	struct rproc pr[MAXPROCS];
	size_t np;
	unsigned attempt;	/* 0, or N of --repeat's runs: logs in ID.rN */
	struct watch w;		/* progress, stalls and spins */
	struct early early;	/* a case decided before its deadline */
	struct judge_msg *msgs;	/* echo.client: the echoes the client must print */
	size_t nmsgs;
	int64_t out_first_diff;	/* the client's output file: first difference, or -1 */
	int memcheck;
	char mc_xml[PATH_MAX], mc_log[PATH_MAX];
	char inj_report[PATH_MAX];
	uid_t uid;		/* as root: the student's uid in this case */
	char no_addr[64];	/* a hard-coded address this sandbox can't provide */
	int inject_on;
	int trace_opens;	/* the preload library reports the server's opens (fnd.h) */
	int fixed_locked;
	int deadline_hit;
	char ns_why[256];	/* no network namespace: why (sbx_open) */
	struct run_wcap capture;	/* the packet capture (run_wcap.h) */
	double t_stall;		/* when a stall or the early decision ended it; <0 */
	double t_stop;		/* when stop_procs began; <0 */
};

/*
 * Time for the data: a case gets its scenario's `timeout` plus its data at
 * FLOOR_RATE. The rate is one that a correct textbook program (reads and
 * writes of 30 bytes, BUF_SIZE 30) beats on a loaded 2-core machine: it
 * moved 256 MiB in 42-44 s (6 MB/s) with a CPU hog on every core and five
 * other test runs beside it, and in 5-9 s on a quiet one. 2 MiB/s leaves it a
 * third of that. (tests/textbook-load.sh runs the suite under such a load.)
 */
#define FLOOR_RATE (2.0 * 1024 * 1024)

/*
 * A case with this much data checks that it is streamed, not held: the
 * student program gets an address space MEM_SHORT too small to hold it
 * (a normal program needs a few MiB).
 */
#define BIG_DATA ((uint64_t)32 << 20)
#define MEM_SHORT ((uint64_t)16 << 20)

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* ---- processes ---- */

static uint64_t default_memory(const struct rcase *c);

static char **
base_env(const struct rcase *c)
{
	char **env = calloc(8, sizeof(*env));
	if (env == NULL)
		return NULL;
	env[0] = strdup("PATH=/usr/local/bin:/usr/bin:/bin");
	env[1] = strdup("LANG=C");
	env[2] = strdup("LC_ALL=C");
	env[3] = strdup("TZ=UTC");
	if (asprintf(&env[4], "HOME=%s", c->cwd) < 0)
		env[4] = NULL;
	/* with a tight address space, a thread's first malloc() must not reserve
	 * an arena of 64 MiB: one arena for all threads */
	if (env[4] && default_memory(c) < ((uint64_t)2 << 30) && default_memory(c) > 0 &&
	    c->p->limits.memory == 0)
		env[5] = strdup("GLIBC_TUNABLES=glibc.malloc.arena_max=1");
	return env;
}

enum out_mode { OUT_PIPE, OUT_PTY_STDOUT, OUT_PTY_ALL };

/*
 * Start a process in the case's sandbox. stdout is a pipe or a pty (line
 * buffering for programs that print with printf and never fflush); stdin is
 * a pipe fed by the pump when `feed` is set, else /dev/null.
 */
static struct rproc *
start_proc(struct rcase *c, const char *role, char **argv, char **envp, const char *cwd,
    enum out_mode mode, int want_stdin, const struct sbx_limits *lim, const int *pass,
    size_t npass, struct sc_err *err)
{
	struct rproc *r;
	int out[2] = { -1, -1 }, er[2] = { -1, -1 }, in[2] = { -1, -1 };
	struct sbx_spawn sp;
	struct termios tio;

	if (c->np >= MAXPROCS) {
		sc_err_set(err, "too many processes in one case");
		return NULL;
	}
	r = &c->pr[c->np];
	memset(r, 0, sizeof(*r));
	snprintf(r->role, sizeof(r->role), "%s", role);
	r->in_fd = -1;
	cap_init(&r->out, -1, HEAD_MAX, TAIL_MAX);
	cap_init(&r->err, -1, HEAD_MAX, TAIL_MAX);
	r->argv = strv_dup(argv);

	if (mode == OUT_PIPE) {
		if (pipe2(out, O_CLOEXEC) < 0)
			goto sys;
	} else {
		if (openpty(&out[0], &out[1], NULL, NULL, NULL) < 0)
			goto sys;
		fcntl(out[0], F_SETFD, FD_CLOEXEC);
		fcntl(out[1], F_SETFD, FD_CLOEXEC);
		if (tcgetattr(out[1], &tio) == 0) {
			if (mode == OUT_PTY_STDOUT) {
				cfmakeraw(&tio);
			} else {
				/* no echo (typed input would look like output), no \r\n */
				tio.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
				tio.c_oflag &= ~(tcflag_t)OPOST;
			}
			tcsetattr(out[1], TCSANOW, &tio);
		}
	}
	if (pipe2(er, O_CLOEXEC) < 0)
		goto sys;
	if (want_stdin && mode != OUT_PTY_ALL && pipe2(in, O_CLOEXEC) < 0)
		goto sys;

	memset(&sp, 0, sizeof(sp));
	sp.argv = argv;
	sp.envp = envp;
	sp.cwd = cwd;
	sp.fd_in = mode == OUT_PTY_ALL ? out[1] : in[0];
	sp.fd_out = out[1];
	sp.fd_err = er[1];
	sp.set_ctty = mode == OUT_PTY_ALL;
	sp.limits = lim;
	for (size_t i = 0; i < npass && i < 3; i++)
		sp.pass_fds[i] = pass[i];
	sp.npass = npass;
	r->t_start = now_s();
	r->pid = sbx_spawn(c->sbx, &sp, err);
	/* a passing shortage of the machine (processes, memory) is not the case's fault */
	for (int tries = 0; r->pid < 0 && !c->ctx->o->no_retry && tries < 3 && (errno == EAGAIN || errno == ENOMEM ||
	    errno == ETXTBSY); tries++) {
		usleep(100000);
		r->pid = sbx_spawn(c->sbx, &sp, err);
	}
	close(out[1]);
	close(er[1]);
	if (in[0] >= 0)
		close(in[0]);
	out[1] = er[1] = in[0] = -1;
	if (r->pid < 0) {
		r->start_error = strdup(err->msg);
		close(out[0]);
		close(er[0]);
		if (in[1] >= 0)
			close(in[1]);
		c->np++;
		r->ended = 1;
		return r;
	}
	r->started = 1;
	set_nonblock(out[0]);
	set_nonblock(er[0]);
	r->out.fd = out[0];
	r->err.fd = er[0];
	if (mode == OUT_PTY_ALL) {
		r->in_fd = dup(out[0]);
		if (r->in_fd >= 0)
			fcntl(r->in_fd, F_SETFD, FD_CLOEXEC);
		r->in_is_pty = 1;
	} else if (in[1] >= 0) {
		r->in_fd = in[1];
		set_nonblock(r->in_fd);
	}
	r->feed_due = r->t_start;
	c->np++;
	return r;
sys:
	sc_err_sys(err, "starting %s", role);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0) close(out[i]);
		if (er[i] >= 0) close(er[i]);
		if (in[i] >= 0) close(in[i]);
	}
	strv_free(r->argv);
	r->argv = NULL;
	return NULL;
}

static int
alive(const struct rproc *r)
{
	return r->started && !r->ended;
}

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
static size_t
watch_procs(struct rcase *c, struct watch_proc *wp)
{
	c->w.net_pid = c->sbx ? sbx_net_pid(c->sbx) : getpid();
	c->w.port = c->port;
	for (size_t i = 0; i < c->np; i++) {
		const struct rproc *r = &c->pr[i];
		wp[i] = (struct watch_proc){ .role = r->role, .pid = r->pid, .alive = alive(r),
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

static double
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
	v.alive = alive(r);
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
	struct pollfd pfd[MAXPROCS * 2];
	struct cap *caps[MAXPROCS * 2];
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
	t = now_s();
	for (size_t i = 0; i < c->np; i++) {
		struct rproc *r = &c->pr[i];
		struct sc_err err;
		feed_step(r, t);
		if (r->student && alive(r))
			sample_run_queue(r);
		if (alive(r) && sbx_wait(c->sbx, r->pid, 0, &r->wstatus, &r->ru, &err) == 1) {
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
		struct watch_proc wp[MAXPROCS];
		size_t nw = watch_procs(c, wp);
		watch_step(&c->w, t, progress, wp, nw);
	}
	look_early(c, t);
	/* what ended the case early (run_wcap.h); not what happens while stopping it */
	if (c->t_stall < 0 && c->t_stop < 0 && (c->w.stalled || c->early.decided))
		c->t_stall = t;
}

typedef int (*cond_fn)(struct rcase *c, void *arg);

/* Pump until cond holds (1), the deadline passes or a stall ends the case (0). */
static int
wait_until(struct rcase *c, cond_fn cond, void *arg, double until)
{
	if (until > c->deadline)
		until = c->deadline;
	for (;;) {
		if (cond(c, arg))
			return 1;
		double t = now_s();
		if (t >= until || c->w.stalled || c->early.decided ||
		    (c->ctx->o->stop && *c->ctx->o->stop))
			return 0;
		int ms = (int)((until - t) * 1000) + 1;
		pump(c, ms < 20 ? ms : 20);
	}
}

static int
cond_ended(struct rcase *c, void *arg)
{
	(void)c;
	return !alive((struct rproc *)arg);
}

/* The reference server has logged the end of its first connection (EOF or reset). */
static int
cond_peer_saw_end(struct rcase *c, void *arg)
{
	struct rproc *r = arg;
	struct peer_log log;
	struct sc_err err;
	const struct peer_conn *pc;
	int done;

	(void)c;
	if (!alive(r) || r->events == NULL)
		return 1;
	if (peer_log_read(r->events, &log, &err) < 0)
		return 1;
	pc = peer_log_conn(&log, 1);
	done = pc == NULL ? 0 : pc->eof || pc->rst || pc->closed || pc->summary;
	peer_log_free(&log);
	return done;
}

static int
cond_never(struct rcase *c, void *arg)
{
	(void)c;
	(void)arg;
	return 0;
}

struct listen_arg {
	struct rproc *r;
	enum prof_port_mode mode;
	const char *pattern;
	unsigned port;		/* found or given */
	int udp;		/* a datagram server: bound, not listening */
	int other;		/* the student's server uses the other protocol */
};

/* A server's socket is ready: TCP in LISTEN, UDP bound (and not connected). */
static int
server_ready(struct rcase *c, int udp, unsigned port)
{
	struct sc_err err;
	return (udp ? pnet_udp_is_bound(sbx_net_pid(c->sbx), port, &err) :
	    pnet_is_listening(sbx_net_pid(c->sbx), port, &err)) == 1;
}

static int
cond_listening(struct rcase *c, void *arg)
{
	struct listen_arg *a = arg;
	struct sc_err err;

	if (!alive(a->r))
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

/* Stop the whole process group: SIGTERM, a grace period, SIGKILL. */
static void
stop_procs(struct rcase *c, int at_deadline)
{
	int any = 0;
	double grace;

	/* the reference peers first, at once: had the student died first, a peer
	 * would log the EOF and reset of its death as if they were the exchange
	 * (their logs are written line by line, nothing is lost) */
	for (size_t i = 0; i < c->np; i++) {
		struct rproc *r = &c->pr[i];
		struct sc_err err;
		if (!alive(r) || r->student)
			continue;
		r->killed = 1;
		r->killed_at_deadline = at_deadline;
		sbx_signal(c->sbx, r->pid, SIGKILL);
		if (sbx_wait(c->sbx, r->pid, 2000, &r->wstatus, &r->ru, &err) == 1) {
			r->ended = 1;
			r->t_end = now_s();
		}
	}
	for (size_t i = 0; i < c->np; i++) {
		struct rproc *r = &c->pr[i];
		if (!alive(r))
			continue;
		r->killed = 1;
		r->killed_at_deadline = at_deadline;
		sbx_signal(c->sbx, r->pid, SIGTERM);
		any = 1;
	}
	if (!any)
		return;
	/* valgrind writes its leak records on SIGTERM; give it the time */
	grace = now_s() + (c->memcheck ? 5.0 : 1.0) * (c->factor > 1 ? 1 : 1);
	for (size_t i = 0; i < c->np; i++) {
		struct rproc *r = &c->pr[i];
		if (!alive(r))
			continue;
		double saved = c->deadline;
		c->deadline = grace;
		wait_until(c, cond_ended, r, grace);
		c->deadline = saved;
	}
	for (size_t i = 0; i < c->np; i++) {
		struct rproc *r = &c->pr[i];
		if (!alive(r))
			continue;
		sbx_signal(c->sbx, r->pid, SIGKILL);
		struct sc_err err;
		if (sbx_wait(c->sbx, r->pid, 2000, &r->wstatus, &r->ru, &err) == 1) {
			r->ended = 1;
			r->t_end = now_s();
		}
	}
}

/* ---- data ---- */

static enum ref_pattern
to_ref_pattern(enum scn_pattern p)
{
	switch (p) {
	case SCN_PAT_BINARY: return REF_PAT_BINARY;
	case SCN_PAT_RANDOM: return REF_PAT_RANDOM;
	case SCN_PAT_ZERO: return REF_PAT_ZERO;
	default: return REF_PAT_TEXT;
	}
}

/* Transfer digest of a generated payload or literal text, without storing it. */
static int
input_digest(const struct scn_input *in, char hex[REF_DIGEST_HEX], uint64_t *size)
{
	struct ref_digest d;

	if (ref_digest_init(&d) < 0)
		return -1;
	if (in->text) {
		ref_digest_update(&d, in->text, in->text_len);
		*size = in->text_len;
	} else {
		struct ref_payload pl;
		unsigned char *buf = malloc(1 << 18);
		size_t n;
		if (buf == NULL) {
			ref_digest_final(&d, hex);
			return -1;
		}
		ref_payload_init(&pl, to_ref_pattern(in->pattern), in->seed, in->size);
		*size = 0;
		while ((n = ref_payload_read(&pl, buf, 1 << 18)) > 0) {
			ref_digest_update(&d, buf, n);
			*size += n;
		}
		free(buf);
	}
	ref_digest_final(&d, hex);
	return 0;
}

/* The first offset where `path` differs from the input, -1 when it is a prefix or equal. */
static int64_t
first_difference(const char *dir, const char *name, const struct scn_input *in)
{
	unsigned char a[65536], b[65536];
	struct ref_payload pl;
	int64_t off = 0;
	int fd = fsx_open_beneath(dir, name, O_RDONLY | O_NONBLOCK, 0);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	size_t n;

	if (f == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!in->text)
		ref_payload_init(&pl, to_ref_pattern(in->pattern), in->seed, in->size);
	while ((n = fread(a, 1, sizeof(a), f)) > 0) {
		size_t m;
		if (in->text) {
			m = (uint64_t)off < in->text_len ? in->text_len - (size_t)off : 0;
			if (m > n)
				m = n;
			memcpy(b, in->text + off, m);
		} else {
			m = ref_payload_read(&pl, b, n);
		}
		for (size_t i = 0; i < m; i++)
			if (a[i] != b[i]) {
				fclose(f);
				return off + (int64_t)i;
			}
		if (m < n) {		/* longer than the data: the extra starts here */
			fclose(f);
			return off + (int64_t)m;
		}
		off += (int64_t)n;
	}
	fclose(f);
	return -1;
}

/* Write the input into the open file `fd` (`name` for messages). */
static int
write_input_fd(int fd, const char *name, const struct scn_input *in, char hex[REF_DIGEST_HEX],
    uint64_t *size, struct sc_err *err)
{
	if (in->text) {
		for (size_t off = 0; off < in->text_len; ) {
			ssize_t w = write(fd, in->text + off, in->text_len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return sc_err_sys(err, "%s", name);
			off += (size_t)w;
		}
		*size = in->text_len;
		return input_digest(in, hex, size);
	}
	char ebuf[256];
	if (ref_payload_write_fd(fd, name, to_ref_pattern(in->pattern), in->seed, in->size, hex,
	    ebuf, sizeof(ebuf)) < 0)
		return sc_err_set(err, "%s", ebuf);
	*size = in->size;
	return 0;
}

/* ---- setup ---- */

/* 64 bytes of text, the default data of a scenario that names none. */
static const struct scn_input default_input = {
	.set = 1, .size = 64, .pattern = SCN_PAT_TEXT, .seed = 1,
};

static const struct scn_input *
peer_input(const struct scn *s, size_t i)
{
	if (i < s->npeers && s->peers[i].input.set)
		return &s->peers[i].input;
	return s->input.set ? &s->input : &default_input;
}

static int
peer_has_flag(const struct scn *s, const char *flag)
{
	for (size_t i = 0; i < s->npeers; i++)
		for (size_t k = 0; k < s->peers[i].nflags; k++)
			if (strcmp(s->peers[i].flags[k], flag) == 0)
				return 1;
	return 0;
}

static unsigned
free_loopback_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	unsigned port = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}


/* The bytes a case moves one way: the served file, or what the peers send. */
static uint64_t
data_size(const struct scn *s)
{
	uint64_t total = 0;
	const struct scn_input *in;

	if (s->npeers == 0 || s->protocol == SCN_FILE) {
		in = peer_input(s, SIZE_MAX);
		return in->size > in->text_len ? in->size : in->text_len;
	}
	for (size_t i = 0; i < s->npeers; i++) {
		in = peer_input(s, i);
		total += in->size > in->text_len ? in->size : in->text_len;
	}
	return total;
}

double
run_case_seconds(const struct scn *s)
{
	return s->timeout_s + (double)data_size(s) / FLOOR_RATE;
}

/* The address space a student program gets by default in this case; 0: no limit. */
static uint64_t
default_memory(const struct rcase *c)
{
	uint64_t size = data_size(c->s);

	if (c->memcheck)	/* valgrind reserves address space of its own */
		return 0;
	return size >= BIG_DATA ? size - MEM_SHORT : (uint64_t)2 << 30;
}

/* The student program's limits; as root it also runs under the case's own uid. */
static void
student_limits(const struct rcase *c, struct sbx_limits *lim)
{
	uint64_t size = c->s->input.size > c->s->input.text_len ? c->s->input.size : c->s->input.text_len;

	memset(lim, 0, sizeof(*lim));
	/* defaults: generous for a correct program, tight for a runaway one */
	lim->cpu_s = (rlim_t)(c->deadline - c->t0) + 5;
	lim->fsize_bytes = (rlim_t)(2 * size + 64 * 1024 * 1024);
	lim->nofile = 256;
	lim->nproc = 64;
	lim->as_bytes = (rlim_t)default_memory(c);
	if (c->p->limits.cpu_s)
		lim->cpu_s = c->p->limits.cpu_s;
	if (c->p->limits.file_size)
		lim->fsize_bytes = c->p->limits.file_size;
	if (c->p->limits.open_files)
		lim->nofile = c->p->limits.open_files;
	if (c->p->limits.processes)
		lim->nproc = c->p->limits.processes;
	if (c->p->limits.memory && !c->memcheck)
		lim->as_bytes = c->p->limits.memory;
	if (c->ctx->is_root) {
		lim->drop_uid = 1;
		lim->uid = c->uid;
		lim->gid = (gid_t)c->uid;
	}
}

static enum out_mode
student_out_mode(const struct prof_prog *pp)
{
	switch (pp->stdout_mode) {
	case PROF_STDOUT_PIPE: return OUT_PIPE;
	case PROF_STDOUT_PTY: return OUT_PTY_ALL;
	default: return OUT_PTY_STDOUT;
	}
}

static void
add_feed(struct rproc *r, unsigned delay_ms, const char *data, size_t len)
{
	struct feed_item *f = realloc(r->feed, (r->nfeed + 1) * sizeof(*f));
	if (f == NULL)
		return;
	r->feed = f;
	f[r->nfeed].delay_ms = delay_ms;
	f[r->nfeed].data = malloc(len ? len : 1);
	if (f[r->nfeed].data == NULL)
		return;
	memcpy(f[r->nfeed].data, data, len);
	f[r->nfeed].len = len;
	r->nfeed++;
}

/* Start one of the student's programs. */
/*
 * The preload library's environment: the library, the faults (the scenario's
 * inject settings), the program it may act in (not valgrind's launcher, not
 * a shell) and its side channel, a descriptor opened here.
 */
static int
add_inject_env(struct rcase *c, char ***envp, const char *prog, int *side_fd, struct sc_err *err)
{
	char *spec = NULL, *v[5] = { NULL, NULL, NULL, NULL, NULL };
	size_t len = 0, n = 0;
	const char *base = strrchr(prog, '/');
	FILE *f = open_memstream(&spec, &len);

	if (f == NULL)
		return sc_err_sys(err, "inject");
	for (size_t i = 0; c->inject_on && c->s->inject[i]; i++)
		fprintf(f, "%s%s", i ? ";" : "", c->s->inject[i]);
	fclose(f);
	*side_fd = open(c->inj_report, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (*side_fd < 0) {
		free(spec);
		return sc_err_sys(err, "%s", c->inj_report);
	}
	/* without faults (c->inject_on 0) the library only traces the files the
	 * program opens: a server that dies for want of its file says which */
	if (asprintf(&v[0], "LD_PRELOAD=%s", c->ctx->o->inject_lib) < 0 ||
	    asprintf(&v[1], "%s%s", c->inject_on ? "SCINJECT=" : "SCINJECT_NONE=", spec) < 0 ||
	    asprintf(&v[2], "SCINJECT_TARGET=%s", base ? base + 1 : prog) < 0 ||
	    asprintf(&v[3], "SCINJECT_FD=%d", SBX_PASS_FD + 2) < 0 ||
	    asprintf(&v[4], "SCINJECT_TRACE=%d", c->trace_opens) < 0) {
		free(spec);
		return sc_err_sys(err, "inject environment");
	}
	free(spec);
	while ((*envp)[n])
		n++;
	char **ne = realloc(*envp, (n + 6) * sizeof(*ne));
	if (ne == NULL) {
		for (int i = 0; i < 5; i++)
			free(v[i]);
		return sc_err_sys(err, "inject environment");
	}
	for (int i = 0; i < 5; i++)
		ne[n++] = v[i];
	ne[n] = NULL;
	*envp = ne;
	return 0;
}

static struct rproc *
start_student(struct rcase *c, enum prof_prog_kind kind, const char *role, unsigned port,
    int want_stdin, struct sc_err *err)
{
	const struct prof_prog *pp = &c->p->progs[kind];
	char **argv, **wrapped = NULL, **env;
	int mc_fds[3] = { -1, -1, -1 };	/* valgrind's XML and log, the preload's side channel */
	struct sbx_limits lim;
	struct rproc *r;

	argv = prof_expand(pp->command, pp->host ? pp->host : c->host, port,
	    pp->file ? pp->file : "", pp->out ? pp->out : "", err);
	if (argv == NULL)
		return NULL;
	if ((env = base_env(c)) == NULL) {
		prof_argv_free(argv);
		sc_err_sys(err, "environment");
		return NULL;
	}
	if (c->memcheck) {
		/* opened here, handed to valgrind as descriptors */
		char mcdir[PATH_MAX - 32];
		if ((size_t)snprintf(mcdir, sizeof(mcdir), "%s/memcheck", c->dir) >= sizeof(mcdir)) {
			sc_err_set(err, "case directory path too long");
			strv_free(env);
			prof_argv_free(argv);
			return NULL;
		}
		if (mkdir(mcdir, 0755) < 0 && errno != EEXIST) {
			sc_err_sys(err, "mkdir %s", mcdir);
			strv_free(env);
			prof_argv_free(argv);
			return NULL;
		}
		snprintf(c->mc_xml, sizeof(c->mc_xml), "%s/memcheck.xml", mcdir);
		snprintf(c->mc_log, sizeof(c->mc_log), "%s/memcheck.log", mcdir);
		mc_fds[0] = open(c->mc_xml, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		mc_fds[1] = open(c->mc_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (mc_fds[0] < 0 || mc_fds[1] < 0) {
			sc_err_sys(err, "%s", mc_fds[0] < 0 ? c->mc_xml : c->mc_log);
			goto mc_fail;
		}
		wrapped = mc_wrap_argv(argv, SBX_PASS_FD, SBX_PASS_FD + 1, err);
		if (wrapped == NULL) {
mc_fail:
			for (int i = 0; i < 2; i++)
				if (mc_fds[i] >= 0)
					close(mc_fds[i]);
			strv_free(env);
			prof_argv_free(argv);
			return NULL;
		}
	}
	student_limits(c, &lim);
	c->trace_opens = kind == PROF_FILE_SERVER && c->ctx->o->inject_lib != NULL;
	if ((c->inject_on || c->trace_opens) &&
	    add_inject_env(c, &env, argv[0], &mc_fds[2], err) < 0) {
		if (wrapped)
			mc_argv_free(wrapped);
		wrapped = NULL;
		r = NULL;
		goto out;
	}
	r = start_proc(c, role, wrapped ? wrapped : argv, env, c->cwd, student_out_mode(pp),
	    want_stdin, &lim, mc_fds, 3, err);
out:
	for (int i = 0; i < 3; i++)
		if (mc_fds[i] >= 0)
			close(mc_fds[i]);
	if (r)
		r->student = 1;
	if (r && !r->started && c->ctx->o->build_log) {
		/* "No such file" says less than why the file is missing */
		char *msg;
		if (asprintf(&msg, "%s was not built: the build failed (log: %s)", argv[0],
		    c->ctx->o->build_log) >= 0) {
			free(r->start_error);
			r->start_error = msg;
		}
	}
	if (wrapped)
		mc_argv_free(wrapped);
	prof_argv_free(argv);
	strv_free(env);
	return r;
}

static struct rproc *
start_peer(struct rcase *c, const char *prog, size_t idx, const struct scn_input *payload,
    char *const *args, struct sc_err *err)
{
	char events[PATH_MAX], role[32];
	char **argv, **env;
	struct rproc *r;
	const struct scn_peer *sp = idx < c->s->npeers ? &c->s->peers[idx] : NULL;

	snprintf(events, sizeof(events), "%s/peer%zu.events", c->dir, idx + 1);
	snprintf(role, sizeof(role), "peer %zu (%s)", idx + 1, prog);
	/* the peer waits for the student as long as the deadline allows: scaled alike */
	argv = peer_argv(c->ctx->o->ref_dir, prog, events, payload,
	    sp ? sp->flags : NULL, sp ? sp->nflags : 0, args, c->factor * c->scale, err);
	if (argv == NULL)
		return NULL;
	env = base_env(c);
	r = start_proc(c, role, argv, env, c->dir, OUT_PIPE,
	    payload && payload->text != NULL, NULL, NULL, 0, err);
	if (r) {
		r->events = strdup(events);
		if (payload && payload->text) {
			add_feed(r, 0, payload->text, payload->text_len);
			r->feed_close = 1;
		}
	}
	peer_argv_free(argv);
	strv_free(env);
	return r;
}

/* ---- drivers, one per role ---- */

struct outcome {
	struct rproc *student, *student2;
	int kinds;		/* PNET_TCP/PNET_UDP: the sockets the student program was seen with */
	int ready;
	double ready_wait;
	struct rproc *peers[MAXPROCS];
	size_t npeers;
	int have_expected;
	char exp_digest[REF_DIGEST_HEX];
	uint64_t exp_size;
};

/* Start the student's server and wait until it listens. */
static int
server_up(struct rcase *c, enum prof_prog_kind kind, struct outcome *oc, struct sc_err *err)
{
	const struct prof_prog *pp = &c->p->progs[kind];
	struct listen_arg la = { .mode = pp->port_mode, .pattern = pp->port_pattern,
		/* printed or found: not known until the program says or listens */
		.port = pp->port_mode == PROF_PORT_PRINTED || pp->port_mode == PROF_PORT_LISTENING ?
		    0 : c->port, .udp = kind_datagram(c->s) };
	double t;

	oc->student = start_student(c, kind, "student", c->port, 0, err);
	if (oc->student == NULL)
		return -1;
	oc->student->server = 1;
	if (!oc->student->started)
		return 0;
	la.r = oc->student;
	t = now_s();
	/* valgrind takes 0.5-1.5 s to reach listen() */
	oc->ready = wait_until(c, cond_listening, &la, t + 5.0 * c->factor) && alive(oc->student) &&
	    !la.other;
	if (la.other)
		oc->kinds = kind_datagram(c->s) ? PNET_TCP : PNET_UDP;
	oc->ready_wait = now_s() - t;
	if (oc->ready && la.port)
		c->port = la.port;
	return 0;
}

static void
run_peers(struct rcase *c, const char *prog, struct outcome *oc, struct sc_err *err)
{
	const struct scn *s = c->s;
	char portbuf[16];
	char outpath[PATH_MAX];
	double last_start = now_s();

	snprintf(portbuf, sizeof(portbuf), "%u", c->port);
	for (size_t i = 0; i < s->npeers && oc->npeers < MAXPROCS - 2; i++) {
		const struct scn_peer *sp = &s->peers[i];
		struct rproc *r;
		if (i > 0 && !sp->concurrent)
			wait_until(c, cond_ended, oc->peers[oc->npeers - 1], c->deadline);
		if (sp->delay_ms)
			wait_until(c, cond_never, NULL, last_start + sp->delay_ms / 1000.0);
		if (c->w.stalled || c->early.decided || now_s() >= c->deadline)
			break;
		snprintf(outpath, sizeof(outpath), "/dev/null");
		char *args[] = { (char *)c->host, portbuf, outpath, NULL };
		if (strcmp(prog, "file_client") != 0)
			args[2] = NULL;
		/* a file_client's input is the file the student serves, not a flag */
		r = start_peer(c, prog, i, strcmp(prog, "echo_client") == 0 ? peer_input(s, i) : NULL,
		    args, err);
		last_start = now_s();
		if (r == NULL)
			break;
		oc->peers[oc->npeers++] = r;
	}
	for (size_t i = 0; i < oc->npeers; i++)
		wait_until(c, cond_ended, oc->peers[i], c->deadline);
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
	double now = now_s();

	if (!alive(a->r))
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

	if (srv && alive(srv))
		wait_until(c, cond_server_settled, &a, now_s() + 0.3 * c->factor);
}

/*
 * The scenario's data as the file the student's file server serves, owned by
 * it. Whatever the submission had under that name goes first, and the file is
 * created new beneath the working copy: root never writes through a link.
 */
static int
place_served_file(struct rcase *c, struct outcome *oc, struct sc_err *err)
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
	rc = write_input_fd(fd, name, peer_input(c->s, SIZE_MAX), oc->exp_digest, &oc->exp_size, err);
	if (rc == 0 && c->ctx->is_root && fchown(fd, c->uid, (gid_t)c->uid) < 0)
		rc = sc_err_sys(err, "chown %s", name);
	if (close(fd) < 0 && rc == 0)
		rc = sc_err_sys(err, "%s", name);
	if (rc == 0)
		oc->have_expected = 1;
	return rc;
}

static int
drive_server(struct rcase *c, struct outcome *oc, struct sc_err *err)
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
		if (alive(oc->student) && !s->setup.no_file)
			return 0;
		wait_until(c, cond_ended, oc->student, c->deadline);
		return 0;
	}
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
		add_feed(r, 0, stdin_text, strlen(stdin_text));
	for (size_t i = 0; i < in->nlines; i++) {
		char *line;
		int n = asprintf(&line, "%s\n", in->lines[i]);
		if (n < 0)
			continue;
		add_feed(r, i > 0 ? in->line_gap_ms : 0, line, (size_t)n);
		free(line);
	}
	if (in->quit) {
		const char *q = pp->quit ? pp->quit : "";
		char *line;
		int n = asprintf(&line, "%s\n", q);
		if (n >= 0) {
			add_feed(r, in->line_gap_ms, line, (size_t)n);
			free(line);
		}
	}
	r->feed_close = in->close;
}

/* The student's client ended; meanwhile, the kinds of socket it holds are noted. */
static int
cond_client_ended(struct rcase *c, void *arg)
{
	struct outcome *oc = arg;

	if (!alive(oc->student))
		return 1;
	oc->kinds |= pnet_socket_kinds_of(sbx_net_pid(c->sbx), pnet_group_leaf(oc->student->pid));
	return 0;
}

static int
drive_client(struct rcase *c, struct outcome *oc, struct sc_err *err)
{
	const struct scn *s = c->s;
	char portbuf[16];
	struct rproc *srv = NULL;
	enum prof_prog_kind kind = kind_student(s, 1);

	snprintf(portbuf, sizeof(portbuf), "%u", c->port);
	if (!s->setup.no_server && s->npeers > 0) {
		const struct scn_input *in = peer_input(s, 0);
		char *args[] = { portbuf, (char *)"-", NULL };
		struct listen_arg la = { .mode = PROF_PORT_ARGV, .port = c->port,
		    .udp = kind_datagram(s) };
		if (s->protocol == SCN_FILE) {
			if (input_digest(in, oc->exp_digest, &oc->exp_size) < 0)
				return sc_err_set(err, "cannot compute the input's digest");
			oc->have_expected = 1;
		} else if (kind_datagram(s)) {
			/* a TCP client given as the UDP one is seen connecting */
			args[0] = (char *)"--catch-tcp";
			args[1] = portbuf;
		} else {
			args[1] = NULL;
		}
		srv = start_peer(c, kind_peer(s, 1), 0,
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
		double t_wait = now_s();
		int listening = wait_until(c, cond_listening, &la, t_wait + 5.0);
		if (!listening || !alive(srv)) {
			char why[160] = "";
			/* say how: this is rare enough that each occurrence must explain itself */
			if (!alive(srv) && WIFSIGNALED(srv->wstatus))
				snprintf(why, sizeof(why), ": it was killed by signal %d (%s) after %.3f s",
				    WTERMSIG(srv->wstatus), strsignal(WTERMSIG(srv->wstatus)),
				    srv->t_end - srv->t_start);
			else if (!alive(srv))
				snprintf(why, sizeof(why), ": it exited with status %d after %.3f s",
				    WEXITSTATUS(srv->wstatus), srv->t_end - srv->t_start);
			else
				snprintf(why, sizeof(why), " (%s after %.3f s)",
				    listening ? "listening, then gone" : "still running, not listening",
				    now_s() - t_wait);
			return sc_err_set(err, "the reference %s did not start listening on port "
			    "%u%s%s%.*s", kind_peer(s, 1),
			    c->port, why, srv->err.head_len ? "; its standard error: " : "",
			    (int)(srv->err.head_len < 200 ? srv->err.head_len : 200),
			    srv->err.head ? srv->err.head : "");
		}
	}
	oc->student = start_student(c, kind, "student", c->port, 1, err);
	if (oc->student == NULL)
		return -1;
	feed_stdin(c, oc->student);
	for (size_t k = 0; k < oc->student->nfeed; k++)
		c->early.input_bytes += oc->student->feed[k].len;
	wait_until(c, cond_client_ended, oc, c->deadline);
	/* let the reference server log what the client's end looked like */
	if (srv && s->protocol == SCN_ECHO && !oc->student->killed)
		wait_until(c, cond_peer_saw_end, srv, now_s() + 1.0 * c->factor);
	/* the reference file_server ends after the reply; the echo server runs on */
	if (srv && s->protocol == SCN_FILE && !oc->student->killed)
		wait_until(c, cond_ended, srv, now_s() + 2.0);
	return 0;
}

static int
drive_pair(struct rcase *c, struct outcome *oc, struct sc_err *err)
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
	oc->student2 = start_student(c, ckind, "student client", c->port, 1, err);
	if (oc->student2 == NULL)
		return -1;
	feed_stdin(c, oc->student2);
	wait_until(c, cond_ended, oc->student2, c->deadline);
	let_server_finish(c, oc->student);
	return 0;
}

/* ---- results ---- */

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
	jp->ended = r->ended && !r->killed;
	if (r->ended && !r->killed) {
		jp->exited = WIFEXITED(r->wstatus);
		jp->status = WIFEXITED(r->wstatus) ? WEXITSTATUS(r->wstatus) : 0;
		jp->signal = WIFSIGNALED(r->wstatus) ? WTERMSIG(r->wstatus) : 0;
	}
	jp->killed = r->killed;
	jp->killed_at_deadline = r->killed_at_deadline;
	jp->seconds = !r->started ? 0 : (r->ended ? r->t_end : now_s()) - r->t_start;
	jp->queued_seconds = run_queue_seconds(r);
	*out = cap_text(&r->out, out_len);
	*errt = cap_text(&r->err, err_len);
	jp->out = *out ? *out : "";
	jp->out_len = *out ? *out_len : 0;
	jp->err = *errt ? *errt : "";
	jp->err_len = *errt ? *err_len : 0;
}

static void
proc_to_result(struct rproc *r, struct res_proc *rp)
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
	rp->seconds = !r->started ? 0 : (r->ended ? r->t_end : now_s()) - r->t_start;
	cap_to_stream(&r->out, &rp->out);
	cap_to_stream(&r->err, &rp->err);
	rp->events_path = r->events;
	r->events = NULL;
}

static void
set_error(struct res_case *out, const char *fmt, const char *msg)
{
	out->verdict = RES_ERROR;
	free(out->summary);
	if (asprintf(&out->summary, fmt, msg) < 0)
		out->summary = NULL;
}

static int
skip_reason(struct rcase *c, char *buf, size_t len)
{
	const struct scn *s = c->s;
	enum prof_prog_kind need[2];
	size_t n = 0;

	if (s->role == SCN_SERVER || s->role == SCN_PAIR)
		need[n++] = kind_student(s, 0);
	if (s->role == SCN_CLIENT || s->role == SCN_PAIR)
		need[n++] = kind_student(s, 1);
	for (size_t i = 0; i < n; i++) {
		if (!c->p->progs[need[i]].present) {
			snprintf(buf, len, "the submission has no %s", prof_prog_name(need[i]));
			return 1;
		}
		if (c->p->progs[need[i]].skip) {	/* the convention finder's: e.g. UDP, not TCP */
			snprintf(buf, len, "%s", c->p->progs[need[i]].skip);
			return 1;
		}
	}
	if (s->stdin_spec.quit && c->p->progs[PROF_ECHO_CLIENT].no_quit && s->protocol == SCN_ECHO) {
		snprintf(buf, len, "the echo client has no quit word (quit: none)");
		return 1;
	}
	if (s->stdin_spec.quit && c->p->progs[PROF_UDP_CLIENT].no_quit && s->protocol == SCN_UDP) {
		snprintf(buf, len, "the UDP echo client has no quit word (quit: none): it ends at "
		    "end of input");
		return 1;
	}
	if (s->inject && c->ctx->o->inject_lib == NULL) {
		/* honest: never pass a case whose fault could not be injected */
		snprintf(buf, len, "fault injection inside the program is not available in this build "
		    "(no libscinject.so)");
		return 1;
	}
	if (c->no_addr[0]) {
		snprintf(buf, len, "a program uses the address %s, which sockcheck can provide "
		    "only inside a network namespace (not available here)", c->no_addr);
		return 1;
	}
	if (c->memcheck && !mc_available()) {
		snprintf(buf, len, "valgrind is not installed: memcheck cases are skipped");
		return 1;
	}
	return 0;
}

static void
collect_output(struct rcase *c, struct outcome *oc, struct judge_in *ji)
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
	if (rc == 1 && oc->have_expected &&
	    (ji->out_size != oc->exp_size || strcmp(ji->out_digest, oc->exp_digest) != 0))
		ji->out_first_diff = first_difference(c->cwd, name, peer_input(s, 0));
}

static void
echo_messages(const struct scn *s, struct judge_msg **out, size_t *n)
{
	int mangle = peer_has_flag(s, "--mangle");

	*out = NULL;
	*n = 0;
	if (s->protocol == SCN_FILE || s->role == SCN_SERVER || s->stdin_spec.nlines == 0)
		return;
	*out = calloc(s->stdin_spec.nlines, sizeof(**out));
	if (*out == NULL)
		return;
	for (size_t i = 0; i < s->stdin_spec.nlines; i++) {
		const char *line = s->stdin_spec.lines[i];
		size_t len = strlen(line);
		char *text = malloc(len + 1);
		if (text == NULL)
			continue;
		memcpy(text, line, len + 1);
		if (mangle)
			for (size_t k = 0; k < len; k++)
				text[k] = (char)ref_mangle_byte((unsigned char)text[k]);
		(*out)[*n].text = text;
		(*out)[*n].len = len;
		(*out)[*n].sent = line;
		(*n)++;
	}
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
 * active in the student program; `desc` says what was injected, in words.
 */
static void
inject_outcome(const struct rcase *c, int *took, char *desc, size_t len)
{
	char line[256], fired[1024] = "";
	FILE *f = fopen(c->inj_report, "re");
	FILE *d;
	char *text = NULL;
	size_t tlen = 0;

	*took = 0;
	desc[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "loaded ", 7) == 0 && strstr(line, " active=1"))
			*took = 1;
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
protocol_mismatch(const struct rcase *c, const struct outcome *oc, struct res_case *out)
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

static void
finish(struct rcase *c, struct outcome *oc, struct res_case *out)
{
	struct judge_in ji;
	struct peer_log logs[MAXPROCS];
	char *o1 = NULL, *e1 = NULL, *o2 = NULL, *e2 = NULL;
	size_t lo1, le1, lo2, le2;
	struct sc_err err;
	char inj_desc[1024], open_failed[PATH_MAX + 64], wire_ev[1024];
	int inj_took = 0;

	if (protocol_mismatch(c, oc, out))
		return;
	if (c->inject_on) {
		inject_outcome(c, &inj_took, inj_desc, sizeof(inj_desc));
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
	memcpy(ji.exp_digest, oc->exp_digest, sizeof(ji.exp_digest));
	collect_output(c, oc, &ji);
	c->out_first_diff = ji.out_first_diff;
	ji.msgs = c->msgs;
	ji.nmsgs = c->nmsgs;
	if (c->s->expect.sent_exact == SCN_YES)
		ji.sent_known = lines_digests(c->s, ji.sent_size, ji.sent_digest) == 0;
	ji.deadline_hit = c->deadline_hit;
	ji.time_factor = c->factor * c->scale;
	ji.timeout_s = c->deadline - c->t0;
	ji.stall = c->early.why ? c->early.why : c->w.stall;
	ji.resent = c->early.resent;
	ji.spun = c->w.spin || (c->early.decided && c->early.fault);
	ji.inject = c->inject_on ? inj_desc : NULL;
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

static void
release(struct rcase *c)
{
	for (size_t i = 0; i < c->np; i++) {
		struct rproc *r = &c->pr[i];
		cap_free(&r->out);
		cap_free(&r->err);
		if (r->in_fd >= 0)
			close(r->in_fd);
		strv_free(r->argv);
		free(r->start_error);
		free(r->events);
		for (size_t k = 0; k < r->nfeed; k++)
			free(r->feed[k].data);
		free(r->feed);
	}
	watch_free(&c->w);
	early_free(&c->early);
	for (size_t i = 0; i < c->nmsgs; i++)
		free((char *)c->msgs[i].text);
	free(c->msgs);
}

/* An address the case's loopback lacks: IPv4 outside 127/8, IPv6 other than ::1. */
static int
foreign_address(const char *host)
{
	struct in_addr a;
	struct in6_addr a6;
	if (host && inet_pton(AF_INET, host, &a) == 1)
		return (ntohl(a.s_addr) >> 24) != 127;
	return host && inet_pton(AF_INET6, host, &a6) == 1 && !IN6_IS_ADDR_LOOPBACK(&a6);
}

/*
 * Programs that hard-code an address (a server binding it, a client
 * connecting to it): the case's loopback gets that address too, so the
 * connection stays inside the case. A server's address is also where the
 * reference clients connect. Without a namespace it can't be done: c->no_addr.
 */
static int
add_program_addresses(struct rcase *c, struct sc_err *err)
{
	for (int k = 0; k < PROF_NPROGS; k++) {
		const char *h = c->p->progs[k].host;
		if (!c->p->progs[k].present || !foreign_address(h))
			continue;
		if (sbx_mode(c->sbx) != SBX_NETNS) {
			snprintf(c->no_addr, sizeof(c->no_addr), "%s", h);
			continue;
		}
		if (sbx_add_address(c->sbx, h, err) < 0)
			return -1;
	}
	{
		enum prof_prog_kind srv = kind_student(c->s, 0);
		if (c->s->role != SCN_CLIENT && c->p->progs[srv].host)
			c->host = c->p->progs[srv].host;
	}
	return 0;
}

static int
prepare(struct rcase *c, struct res_case *out, struct sc_err *err)
{
	struct run_ctx *ctx = c->ctx;
	char why[256] = "";
	int want_ns = ctx->o->want_netns;

	if (c->attempt)
		snprintf(c->dir, sizeof(c->dir), "%s/%s.r%u", ctx->cases_dir, c->s->id, c->attempt);
	else
		snprintf(c->dir, sizeof(c->dir), "%s/%s", ctx->cases_dir, c->s->id);
	if (ctx->scratch_dir[0]) {
		/* the case directory is out of the program's reach: its copy goes
		 * where it can be reached by name (run_int.h) */
		const char *base = strrchr(c->dir, '/') + 1;
		char top[sizeof(ctx->scratch_dir) + 512];
		snprintf(top, sizeof(top), "%s/%s", ctx->scratch_dir, base);
		if (fsx_remove_tree(top, err) < 0 || fsx_mkdirs(top, err) < 0)
			return -1;
		snprintf(c->cwd, sizeof(c->cwd), "%s/work", top);
	} else {
		snprintf(c->cwd, sizeof(c->cwd), "%s/work", c->dir);
	}
	if (fsx_remove_tree(c->dir, err) < 0 || fsx_mkdirs(c->dir, err) < 0)
		return -1;
	if (fsx_copy_tree(ctx->built_dir, c->cwd, NULL, err) < 0)
		return -1;
	/* as root, the student runs under a uid of this case's own (sbx_fresh_uid) */
	c->uid = sbx_fresh_uid();
	if (ctx->is_root && fsx_chown_tree(c->cwd, c->uid, (gid_t)c->uid, err) < 0)
		return -1;
	snprintf(c->inj_report, sizeof(c->inj_report), "%s/inject.log", c->dir);
	out->case_dir = strdup(c->dir);
	pthread_mutex_lock(&ctx->lock);
	if (!ctx->netns_ok && want_ns == 2)
		want_ns = 0;
	pthread_mutex_unlock(&ctx->lock);
	if (sbx_open(want_ns ? 1 : 0, &c->sbx, why, sizeof(why), err) < 0)
		return -1;
	snprintf(c->ns_why, sizeof(c->ns_why), "%s", want_ns ? why : "--no-netns");
	out->isolation = strdup(sbx_mode_name(sbx_mode(c->sbx)));
	if (ctx->is_root)
		sbx_set_owner(c->sbx, c->uid);
	return add_program_addresses(c, err);
}

/* The capture: on in a network namespace unless --no-capture (run_wcap.h). */
static void
start_capture(struct rcase *c)
{
	char why[400];
	const char *off = NULL;

	if (c->ctx->o->no_capture) {
		off = "--no-capture";
	} else if (sbx_mode(c->sbx) != SBX_NETNS) {
		snprintf(why, sizeof(why), "the case had no network namespace of its own (%s), and "
		    "the machine's lo is not captured", c->ns_why[0] ? c->ns_why : "loopback mode");
		off = why;
	}
	run_wcap_start(&c->capture, c->sbx, c->dir, c->t0, off);
}

void
run_case(struct run_ctx *ctx, const struct scn *s, unsigned points, int hidden, double scale,
    unsigned attempt, struct res_case *out)
{
	struct rcase c;
	struct outcome oc;
	struct sc_err err;
	char reason[256];
	int rc = 0;
	double started = now_s();
	const struct prof_prog *fixed = NULL;

	memset(&c, 0, sizeof(c));
	memset(&oc, 0, sizeof(oc));
	sc_err_clear(&err);
	out->id = strdup(s->id);
	out->t_stall = out->t_stop = -1;
	out->title = strdup(s->title ? s->title : s->id);
	out->protocol = strdup(scn_protocol_name(s->protocol));
	out->role = strdup(scn_role_name(s->role));
	out->level = strdup(scn_level_name(s->level));
	out->points = points;
	out->hidden = hidden;
	out->hint = s->hint ? strdup(s->hint) : NULL;

	c.ctx = ctx;
	c.s = s;
	c.p = ctx->p;
	c.attempt = attempt;
	c.host = s->setup.ipv6 ? "::1" : "127.0.0.1";
	c.memcheck = ctx->o->memcheck >= 0 ? ctx->o->memcheck :
	    s->memcheck >= 0 ? s->memcheck : ctx->p->memcheck > 0;
	if (s->memcheck == 0)
		c.memcheck = 0;
	if (s->role == SCN_PAIR || s->setup.no_server)
		c.memcheck = c.memcheck && s->role != SCN_PAIR;
	c.factor = c.memcheck ? mc_time_factor() : 1.0;
	c.scale = scale;
	c.inject_on = s->inject != NULL && ctx->o->inject_lib != NULL;
	c.t0 = now_s();
	c.deadline = c.t0 + run_case_seconds(s) * scale * c.factor;
	watch_init(&c.w, s, c.factor, c.t0);
	early_init(&c.early, s, c.factor);
	echo_messages(s, &c.msgs, &c.nmsgs);
	c.early.msgs = c.msgs;
	c.early.nmsgs = c.nmsgs;
	c.out_first_diff = -1;
	c.t_stall = c.t_stop = -1;

	if (c.inject_on)
		c.early.inject_log = c.inj_report;
	if (prepare(&c, out, &err) < 0) {
		set_error(out, "could not prepare the case: %s", err.msg);
		goto done;
	}
	if (skip_reason(&c, reason, sizeof(reason))) {
		out->verdict = RES_SKIP;
		out->summary = strdup(reason);
		goto done;
	}
	/* the port: a private namespace can use any; loopback needs a free one */
	{
		enum prof_prog_kind k = kind_student(s, s->role == SCN_CLIENT);
		if (ctx->p->progs[k].port_mode == PROF_PORT_FIXED)
			fixed = &ctx->p->progs[k];
	}
	if (fixed) {
		c.port = fixed->fixed_port;
		if (sbx_mode(c.sbx) == SBX_LOOPBACK) {
			pthread_mutex_lock(&ctx->fixed_port_lock);
			c.fixed_locked = 1;
			/* the wait for the lock does not count against the deadline */
			double waited = now_s() - c.t0;
			c.deadline += waited;
			c.t0 += waited;
		}
	} else if (sbx_mode(c.sbx) == SBX_NETNS) {
		c.port = 5000;
	} else if ((c.port = free_loopback_port()) == 0) {
		set_error(out, "could not prepare the case: %s", "no free loopback port");
		goto done;
	}
	out->port = c.port;
	if (fixed && sbx_mode(c.sbx) == SBX_LOOPBACK && s->role != SCN_CLIENT) {
		/* a listener of someone else's would pass for the student's server */
		struct sc_err pe;
		if (pnet_is_listening(getpid(), c.port, &pe) == 1) {
			char msg[160];
			snprintf(msg, sizeof(msg), "port %u, fixed in the program, is already in use on "
			    "this machine (no network namespace to give the case its own)", c.port);
			set_error(out, "could not run the case: %s", msg);
			goto done;
		}
	}

	start_capture(&c);
	if (s->role == SCN_SERVER)
		rc = drive_server(&c, &oc, &err);
	else if (s->role == SCN_CLIENT)
		rc = drive_client(&c, &oc, &err);
	else
		rc = drive_pair(&c, &oc, &err);
	if (now_s() >= c.deadline)
		c.deadline_hit = 1;
	if (c.deadline_hit && c.w.stall == NULL) {
		struct watch_proc wp[MAXPROCS];
		size_t nw = watch_procs(&c, wp);
		int dl;
		char *what = watch_describe(&c.w, wp, nw, &dl);
		uint64_t size = data_size(s);
		char *rate = size >= ((uint64_t)1 << 20) ? watch_rate(&c.w, size, now_s() - c.t0,
		    c.deadline - c.t0) : NULL;
		if (what && asprintf(&c.w.stall, "At the deadline: %s.%s%s%s", what,
		    rate ? " Too slow: " : "", rate ? rate : "", rate ? "." : "") < 0)
			c.w.stall = NULL;
		free(what);
		free(rate);
	}
	/* the student program still running at the deadline (or at a stall) is at fault */
	/* a program stopped early (early.h) ran on as at a deadline */
	c.t_stop = now_s();
	stop_procs(&c, c.deadline_hit || c.w.stalled || c.early.decided);
	run_wcap_stop(&c.capture, out, c.t_stall, c.t_stop);
	for (size_t i = 0; i < c.np; i++)
		if (!c.pr[i].student && c.pr[i].killed_at_deadline)
			c.pr[i].killed_at_deadline = 0;
	if (s->role == SCN_SERVER && oc.student && oc.student->killed_at_deadline && oc.ready &&
	    !(c.early.decided && c.early.fault)) {
		/* servers are expected to still run; what the peers saw (no EOF, missing
		 * bytes) is the failure, and the stall diagnosis says who waited on whom */
		oc.student->killed_at_deadline = 0;
	}
	{
		unsigned survivors = 0;
		struct sc_err e2;
		if (sbx_close(c.sbx, &survivors, &e2) < 0 || survivors > 0)
			set_error(out, "%s", survivors ? "processes of the case survived its end" :
			    e2.msg);
		c.sbx = NULL;
	}
	for (size_t i = 0; i < c.np; i++) {
		cap_read(&c.pr[i].out);
		cap_read(&c.pr[i].err);
	}
	if (rc < 0) {
		set_error(out, "could not run the case: %s", err.msg);
	} else if (!(ctx->o->stop && *ctx->o->stop)) {
		finish(&c, &oc, out);
	} else {
		set_error(out, "%s", "interrupted before the case finished");
	}
	out->procs = calloc(c.np ? c.np : 1, sizeof(*out->procs));
	for (size_t i = 0; out->procs && i < c.np; i++)
		proc_to_result(&c.pr[i], &out->procs[out->nprocs++]);
done:
	if (c.sbx) {
		unsigned survivors;
		if (c.t_stop < 0)
			c.t_stop = now_s();
		stop_procs(&c, 0);
		run_wcap_stop(&c.capture, out, c.t_stall, c.t_stop);
		sbx_close(c.sbx, &survivors, &err);
	}
	if (out->capture_note == NULL) {
		/* the case ended before its programs could start */
		out->t_stall = out->t_stop = -1;
		out->capture_note = strdup(out->verdict == RES_SKIP ? "the case was skipped" :
		    "the case did not run");
	}
	if (c.fixed_locked)
		pthread_mutex_unlock(&ctx->fixed_port_lock);
	release(&c);
	out->score = out->verdict == RES_PASS ? out->points : 0;
	out->seconds = now_s() - started;
	if (out->summary == NULL)
		out->summary = strdup("");
	/* the logs stay for the reports; a passing case's working copy goes;
	 * large files are cut to their head, tail and first difference */
	if (out->verdict == RES_PASS && !ctx->o->keep && c.cwd[0]) {
		struct sc_err e3;
		fsx_remove_tree(c.cwd, &e3);
	}
	if (!ctx->o->keep && c.dir[0]) {
		struct sc_err e4;
		const struct prof_prog *pp = &ctx->p->progs[PROF_FILE_CLIENT];
		if (c.cwd[0] && out->verdict != RES_PASS)
			trim_file(c.cwd, pp->out ? pp->out : "receive.dat", &TRIM_CASE,
			    c.out_first_diff, &e4);
		trim_tree(c.dir, &TRIM_CASE, &e4);
	}
}
