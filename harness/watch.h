/*
 * watch: whether a case is still making progress, and if not, why.
 *
 * The runner's poll loop hands the watch, once a round, what it counted
 * itself (output captured, input fed, processes ended) and the processes of
 * the case. When nothing has moved for a quiet period, the watch looks at
 * what each process is doing (/proc: the syscall it sleeps in, its CPU time)
 * and at the socket queues, and declares the case stalled: a deadlock (every
 * process waiting for input, nothing queued) or a spin (busy CPU, nothing
 * moving). A stalled case ends early, with the diagnosis as its text.
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
	int stalled;		/* the case should end now */
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

/* Whether task t is alive and blocked in one of the system calls `names`. */
int watch_blocked_in(const struct pnet_task *t, const char *const *names);

#endif
