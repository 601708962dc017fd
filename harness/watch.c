/*
 * watch: progress, stall and spin watching of a case (contract in watch.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pstall.h"
#include "sdiag.h"
#include "watch.h"

#define STALL_MS 300

/*
 * A deadlock is a state, not a moment: one look reads the processes one
 * after the other, so it can see a server still in accept() and then a
 * client that has just connected to it and waits in poll() for data (the
 * server, woken, has not had a CPU yet). Only a second look, CONFIRM_MS
 * (scaled) later, that finds every process in the same wait with nothing
 * moved in between, declares it: a woken process would be runnable, or
 * would have moved bytes, by then.
 */
#define CONFIRM_MS 100

/*
 * Spinning: no byte moved for SPIN_S (scaled) while the student's processes
 * used the CPU nearly all that time, or were runnable at nearly every look
 * (a busy machine gives a busy loop only part of a CPU), and none of them
 * sleeps in a system call when looked at. A busy loop never blocks, so it
 * never looks like a deadlock; without this it would run to the deadline.
 */
#define SPIN_S 3.0
/* ... and, when the machine is busy, so much CPU time used in that while */
#define SPIN_CPU_S 1.0

void
watch_init(struct watch *w, const struct scn *s, double factor, double t0)
{
	memset(w, 0, sizeof(*w));
	w->s = s;
	w->factor = factor;
	w->allowed = watch_allowed(s);
	w->progress_t = t0;
	w->quiet_t0 = t0;
	w->quiet_cpu0 = -1;
	w->diag_fd = -1;
}

void
watch_free(struct watch *w)
{
	free(w->stall);
	w->stall = NULL;
	if (w->diag_fd >= 0)
		close(w->diag_fd);
	w->diag_fd = -1;
}

int
watch_allowed(const struct scn *s)
{
	static const char *const deliberate[] = { "--hold-ms", "--no-shutdown", "--idle-ms",
	    "--gap-us", "--no-read-ms", "--read-pause-us", "--delay-accept-ms",
	    "--delay-connect-ms", "--reply-timeout-ms", NULL };

	if (s->stdin_spec.line_gap_ms > 0)
		return 0;
	/* UDP: waiting in recvfrom() with a timeout (SO_RCVTIMEO) looks the same
	 * as waiting forever; the reference peers' own timeouts end those cases */
	if (s->protocol == SCN_UDP)
		return 0;
	for (size_t i = 0; i < s->npeers; i++) {
		if (s->peers[i].delay_ms > 0 || s->peers[i].concurrent)
			return 0;
		for (size_t k = 0; k < s->peers[i].nflags; k++)
			for (size_t d = 0; deliberate[d]; d++)
				if (strcmp(s->peers[i].flags[k], deliberate[d]) == 0)
					return 0;
	}
	return 1;
}

int
watch_blocked_in(const struct pnet_task *t, const char *const *names)
{
	if (!t->alive || t->running)
		return 0;
	for (size_t i = 0; names[i]; i++)
		if (strcmp(t->syscall_name, names[i]) == 0)
			return 1;
	return 0;
}

static int
waiting_syscall(const struct pnet_task *t)
{
	/* S: asleep until something wakes it; D (a page fault, the disk) ends by itself */
	/* waiting for input, or for a signal nobody in a case sends (pause());
	 * not sleeping: a program may sleep on purpose and go on */
	static const char *const waits[] = { "read", "recvfrom", "recvmsg", "poll", "ppoll",
	    "select", "pselect6", "epoll_wait", "epoll_pwait", "accept", "accept4", "connect",
	    "pause", "rt_sigsuspend", NULL };
	return t->state == 'S' && watch_blocked_in(t, waits);
}

static uint64_t
events_size(const struct watch_proc *p, size_t n)
{
	uint64_t total = 0;
	struct stat st;

	for (size_t i = 0; i < n; i++)
		if (p[i].events && stat(p[i].events, &st) == 0)
			total += (uint64_t)st.st_size;
	return total;
}

/*
 * What each live process does, and whether all of them wait with nothing
 * queued or in flight (*deadlock); *sig sums up who waits where, to tell a
 * second look that finds the same from one that does not.
 */
static char *
describe(const struct watch *w, const struct watch_proc *p, size_t n, int *deadlock,
    uint64_t *sig)
{
	char line[256], task[160];
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int all_wait = 1, nalive = 0, in_flight = 0;
	struct sc_err err;
	struct pnet_sock *socks = NULL;
	ssize_t ns;
	unsigned long queued = 0;

	*deadlock = 0;
	*sig = 1469598103934665603ULL;
	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct pnet_task t;
		/* the group's newest process: the program, not its launcher */
		pid_t leaf = p[i].alive ? pnet_group_leaf(p[i].pid) : -1;
		if (!p[i].alive || pnet_task(leaf, &t, &err) < 0)
			continue;
		nalive++;
		pnet_task_describe(&t, task, sizeof(task));
		snprintf(line, sizeof(line), "%s%s %s", nalive > 1 ? "; " : "", p[i].role, task);
		fputs(line, f);
		if (!waiting_syscall(&t))
			all_wait = 0;
		/* FNV-1a over (process, state, system call) */
		uint64_t parts[3] = { (uint64_t)leaf, (uint64_t)(unsigned char)t.state,
		    (uint64_t)t.syscall };
		for (size_t k = 0; k < 3; k++) {
			*sig ^= parts[k];
			*sig *= 1099511628211ULL;
		}
	}
	ns = pnet_tcp_sockets(w->net_pid, &socks, &err);
	for (ssize_t i = 0; i < ns; i++) {
		if (socks[i].local_port != w->port && socks[i].remote_port != w->port)
			continue;
		if (socks[i].state == 1)
			queued += socks[i].rx_queue + socks[i].tx_queue;
		/* a handshake under way (SYN_SENT, SYN_RECV): a connection in flight */
		else if (socks[i].state == 2 || socks[i].state == 3)
			in_flight = 1;
	}
	free(socks);
	if (ns >= 0 && in_flight)
		fputs("; a connection is being set up", f);
	else if (ns >= 0)
		fprintf(f, queued ? "; %lu bytes queued in the connection" :
		    "; no bytes queued in either direction", queued);
	fclose(f);
	*deadlock = nalive > 0 && all_wait && queued == 0 && !in_flight;
	return out;
}

char *
watch_describe(const struct watch *w, const struct watch_proc *p, size_t n, int *deadlock)
{
	uint64_t sig;

	return describe(w, p, n, deadlock, &sig);
}

/*
 * CPU seconds of the student's processes so far; *runnable: one of them is
 * in state R; *blocked: one of them sleeps in a system call now (waiting for
 * something: not a busy loop).
 */
static double
student_cpu(const struct watch_proc *p, size_t n, int *runnable, int *blocked)
{
	double sum = 0;
	struct sc_err err;

	*runnable = 0;
	*blocked = 0;
	for (size_t i = 0; i < n; i++) {
		struct pnet_task tk;
		if (p[i].alive && p[i].student &&
		    pnet_task(pnet_group_leaf(p[i].pid), &tk, &err) == 0) {
			sum += tk.cpu_seconds;
			if (tk.state == 'R')
				*runnable = 1;
			if (tk.alive && !tk.running && tk.syscall >= 0)
				*blocked = 1;
		}
	}
	return sum;
}

static int
spinning(struct watch *w, double t, const struct watch_proc *p, size_t n)
{
	int runnable, blocked;
	double cpu = student_cpu(p, n, &runnable, &blocked);

	if (w->quiet_cpu0 < 0) {
		w->quiet_cpu0 = cpu;
		w->quiet_t0 = t;
		w->quiet_looks = w->quiet_runnable = 0;
		return 0;
	}
	w->quiet_looks++;
	w->quiet_runnable += (unsigned)runnable;
	/* on a busy machine a spinning program gets only part of a CPU, but it
	 * is runnable (state R) whenever it is looked at: that counts too, once
	 * it has burnt SPIN_CPU_S of its own CPU time: a program starting under
	 * valgrind is runnable too, nothing moving, for as long as the machine
	 * keeps it waiting, but needs little CPU to get going */
	return !blocked && t - w->quiet_t0 >= SPIN_S * w->factor &&
	    (cpu - w->quiet_cpu0 >= 0.8 * (t - w->quiet_t0) ||
	    (w->quiet_looks >= 5 && w->quiet_runnable * 10 >= w->quiet_looks * 9 &&
	    cpu - w->quiet_cpu0 >= SPIN_CPU_S * w->factor));
}

static void
check_stall(struct watch *w, double t, const struct watch_proc *p, size_t n)
{
	int deadlock = 0, waited_on = 0;
	uint64_t sig;
	char *what = describe(w, p, n, &deadlock, &sig);
	const struct scn *s = w->s;

	/* a server idle in accept() once its clients are done is not stuck:
	 * something must still be expected to finish (a peer, or a client) */
	for (size_t i = 0; i < n; i++)
		if (p[i].alive && !p[i].server)
			waited_on = 1;
	/* the student's processes stuck on each other's pipes: nothing waits for
	 * input and queues are full, but nothing can ever move again */
	if (!deadlock && waited_on && what != NULL) {
		pid_t groups[8];
		size_t ng = 0;
		unsigned long psig;
		char pipes[512];
		for (size_t i = 0; i < n && ng < 8; i++)
			if (p[i].alive && p[i].student)
				groups[ng++] = p[i].pid;
		if (pstall_pipe_cycle(groups, ng, pipes, sizeof(pipes), &psig)) {
			char *both = NULL;
			deadlock = 1;
			sig = psig;
			if (asprintf(&both, "the program is stuck on its own pipes: %s (%s)", pipes,
			    what) >= 0) {
				free(what);
				what = both;
			}
		}
	}
	if (!deadlock && waited_on && what != NULL && spinning(w, t, p, n)) {
		w->stalled = 1;
		w->spin = 1;
		if (asprintf(&w->stall, "Nothing moved for %.1f s while the program kept the CPU "
		    "busy (%s): a loop that never blocks, such as retrying a failing recv() or "
		    "read() forever; stop at an error or at 0.", t - w->quiet_t0, what) < 0)
			w->stall = NULL;
		free(what);
		return;
	}
	if (!deadlock || !waited_on || what == NULL) {
		free(what);
		w->progress_t = t;	/* look again after another quiet period */
		w->confirm_t = 0;
		return;
	}
	/* the same waits at a second look, nothing moved in between (CONFIRM_MS) */
	if (w->confirm_t == 0 || sig != w->confirm_sig) {
		w->confirm_t = t;
		w->confirm_sig = sig;
		free(what);
		return;
	}
	if (t - w->confirm_t < CONFIRM_MS / 1000.0 * w->factor) {
		free(what);
		return;
	}
	w->stalled = 1;
	const char *why = "";
	if (s->protocol == SCN_FILE && s->role == SCN_CLIENT)
		why = " The server has sent everything and shut down; the client should have "
		    "seen read() return 0.";
	else if (s->protocol == SCN_ECHO && s->role == SCN_CLIENT)
		why = " The client is waiting for bytes the server has already echoed, or for "
		    "more input.";
	if (asprintf(&w->stall, "Nothing moved for %.1f s, then: %s.%s",
	    t - w->progress_t, what, why) < 0)
		w->stall = NULL;
	free(what);
}

/*
 * Bytes acknowledged and received on the case's TCP connections: all of the
 * namespace's, or, sharing the host's loopback, those on the case's port.
 * The sum falls when a connection goes; moved_bytes only counts rises.
 */
static void
read_connections(struct watch *w, double t)
{
	struct sdiag_conn *cs = NULL;
	struct sc_err err;
	ssize_t n;
	uint64_t sum = 0, recv = 0;
	int own = w->net_pid == getpid();

	if (w->diag_failed || w->net_pid <= 0 || t - w->sock_t < 0.05)
		return;
	w->sock_t = t;
	if (w->diag_fd < 0 && (w->diag_fd = sdiag_open(w->net_pid, &err)) < 0) {
		w->diag_failed = 1;
		return;
	}
	if ((n = sdiag_tcp(w->diag_fd, &cs, &err)) < 0)
		return;
	for (ssize_t i = 0; i < n; i++)
		if (!own || cs[i].local_port == w->port || cs[i].remote_port == w->port) {
			sum += cs[i].bytes_acked + cs[i].bytes_received;
			recv += cs[i].bytes_received;
		}
	free(cs);
	if (recv > w->recv_sum)
		w->received += recv - w->recv_sum;
	w->recv_sum = recv;
	if (sum > w->sock_bytes)
		w->moved_bytes += sum - w->sock_bytes;
	w->sock_bytes = sum;
}

void
watch_step(struct watch *w, double t, uint64_t moved, const struct watch_proc *p, size_t n)
{
	uint64_t progress;

	read_connections(w, t);
	progress = moved + events_size(p, n) + w->sock_bytes;

	/* a process started (the runner's doing) is movement too: the quiet
	 * period starts again, and the newcomer gets its own */
	if (progress != w->progress || n != w->nprocs) {
		w->progress = progress;
		w->nprocs = n;
		w->progress_t = t;
		w->quiet_t0 = t;
		w->quiet_cpu0 = -1;
		w->confirm_t = 0;
	} else if (w->allowed && !w->stalled &&
	    t - w->progress_t >= STALL_MS / 1000.0 * w->factor) {
		check_stall(w, t, p, n);
	}
}

char *
watch_rate(const struct watch *w, uint64_t expected, double elapsed, double allowed)
{
	const double mib = 1024.0 * 1024.0;
	double rate;
	char *out;
	uint64_t got = w->received;

	if (w->diag_fd < 0 || elapsed <= 0)
		return NULL;
	/* both ends of an echo count the same bytes: one direction is enough */
	if (got > expected && expected > 0)
		got = expected;
	rate = (double)got / elapsed;
	if (got == 0)
		return asprintf(&out, "no data crossed the connection in %.1f s", elapsed) < 0 ?
		    NULL : out;
	if (asprintf(&out, "%.1f MiB of %.1f MiB crossed the connection in %.1f s (%.2f MiB/s); "
	    "at that rate all of it needs %.0f s, the case allows %.0f s", (double)got / mib,
	    (double)expected / mib, elapsed, rate / mib, (double)expected / rate, allowed) < 0)
		return NULL;
	return out;
}
