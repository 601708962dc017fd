/*
 * watch: whether a case is still making progress, and if not, why.
 *
 * The runner's poll loop hands the watch, once a round, what it counted
 * itself (output captured, input fed, processes ended) and the processes of
 * the case. The watch adds what crossed the case's TCP connections (bytes
 * acknowledged and received, from the kernel's tcp_info through sock_diag:
 * never from a log that may be capped) and the peers' event logs. When
 * nothing of it has moved for a quiet period, the watch looks at
 * what each process is doing (/proc: the syscall it sleeps in, its CPU time)
 * and at the socket queues, and declares the case stalled: a deadlock (every
 * process asleep waiting for input, nothing queued or in flight, the same at
 * two looks with nothing moved between them) or a spin (busy CPU, nothing
 * moving, no process blocked in a system call). A stalled case ends early,
 * with the diagnosis as its text.
 */
#ifndef SC_WATCH_H
#define SC_WATCH_H

#include <stdint.h>
#include <sys/types.h>

#include "pnet.h"
#include "scn.h"

/* One process of the case, as the watch sees it. */
struct watch_proc {
	const char *role;	/* "server", "peer 1", ... */
	pid_t pid;		/* its process group (sbx_spawn's pid) */
	int alive;
	int student;		/* the program under test */
	int server;		/* a server: idle in accept() once its clients are done */
	const char *events;	/* a reference peer's event log, or NULL */
};

struct watch {
	/* set by the caller */
	const struct scn *s;
	double factor;		/* time factor (memcheck) */
	pid_t net_pid;		/* whose /proc/PID/net shows the case's sockets */
	unsigned port;		/* the case's port */
	int allowed;		/* stall detection allowed (no deliberate pauses) */
	/* state */
	uint64_t progress;	/* what was last seen moving */
	double progress_t;	/* when */
	double quiet_t0;	/* when the bytes last moved (spin detection) */
	double quiet_cpu0;	/* the students' CPU seconds then, -1: not taken yet */
	unsigned quiet_looks;	/* looks at the student since then */
	unsigned quiet_runnable;	/* ... that found it runnable (state R) */
	int diag_fd;		/* sock_diag socket in the case's namespace, -1: none yet */
	int diag_failed;	/* could not open one: the queues in /proc only */
	uint64_t sock_bytes;	/* last sum of acked + received on the connections */
	uint64_t moved_bytes;	/* acked + received so far (rises only) */
	uint64_t recv_sum;	/* last sum of received on the connections */
	uint64_t received;	/* bytes received on the connections so far (rises only) */
	double sock_t;		/* when the connections were last read */
	size_t nprocs;		/* processes handed at the last step */
	double confirm_t;	/* when a deadlock was first seen (0: not), to be confirmed */
	uint64_t confirm_sig;	/* ... and who waited where then */
	int stalled;		/* the case should end now */
	int spin;		/* ... because the program spins (a busy loop, nothing moving) */
	char *stall;		/* the diagnosis (malloc'd), or NULL */
};

/* Start watching scenario `s` at time t0 (CLOCK_MONOTONIC seconds). */
void watch_init(struct watch *w, const struct scn *s, double factor, double t0);
void watch_free(struct watch *w);

/*
 * Whether stall detection suits scenario `s`: pauses a reference peer takes
 * on purpose (gaps, holds, delays) look like stalls.
 */
int watch_allowed(const struct scn *s);

/*
 * One round at time t: `moved` is the caller's own count of things that
 * happened (bytes captured, input fed, processes ended). Sets w->stalled
 * and w->stall when the case is stuck.
 */
void watch_step(struct watch *w, double t, uint64_t moved, const struct watch_proc *p,
    size_t n);

/*
 * Text describing each live process and the connection's queues, for a
 * verdict; *deadlock is set when all of them wait for input and nothing is
 * queued. NULL on allocation failure.
 */
char *watch_describe(const struct watch *w, const struct watch_proc *p, size_t n,
    int *deadlock);

/*
 * How fast the data went, for a case that ran out of time: "12.0 MiB of
 * 32.0 MiB crossed the connection in 20.0 s (0.60 MiB/s); at that rate all
 * of it needs 53 s, the case allows 26 s". `expected`: the bytes the case
 * moves one way; `elapsed`, `allowed`: seconds. NULL when nothing is known.
 */
char *watch_rate(const struct watch *w, uint64_t expected, double elapsed, double allowed);

/* Whether task t is alive and blocked in one of the system calls `names`. */
int watch_blocked_in(const struct pnet_task *t, const char *const *names);

#endif
