/* run_int: what run.c (the planner and scheduler) shares with run_case.c. */
#ifndef SC_RUN_INT_H
#define SC_RUN_INT_H

#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>

#include "reach.h"
#include "run.h"

struct run_ctx {
	const struct prof *p;		/* effective: the profile, then what the finder found */
	const struct run_opts *o;
	const char *src_dir;		/* the submission as handed in */
	const char *built_dir;		/* its built scratch copy */
	char cases_dir[2048];		/* case directories go below */
	/* as root, when cases_dir is out of reach of the cases' own uids (a 0700
	 * parent): the working copies go below this directory in /tmp instead,
	 * so that valgrind, as the case's uid, can read the program's debug
	 * info by its absolute path; "" otherwise */
	char scratch_dir[64];
	struct reach reach;		/* where the programs reach what they open by name */
	const char *inject_lib;		/* the preload library as they load it, or NULL */
	int is_root;
	pthread_mutex_t fixed_port_lock;	/* loopback mode: fixed-port programs one at a time */
	int netns_ok;			/* namespaces worked once (else don't retry) */
	int nloopback, nnetns;		/* cases that had no namespace / one (under lock) */
	char ns_why[256];		/* the first case without a namespace: why */
	/* loopback: a fixed-port server no library enters (statically linked)
	 * waited this long in all for its port's TIME-WAIT (under lock) */
	double tw_waited;
	const char *tw_prog;		/* its name, or NULL: none waited */
	const char *tw_why;		/* "is statically linked", ... */
	pthread_mutex_t lock;
};

/*
 * Run one case. `points`/`hidden`/`scale` come from the assignment; `attempt`
 * is 0, or the run's number (1, 2, ...) when a case runs more than once
 * (--repeat): its logs then go to CASE_ID.rN, beside the others.
 * Never fails: problems become an error verdict in `out`.
 */
void run_case(struct run_ctx *ctx, const struct scn *s, unsigned points, int hidden,
    double scale, unsigned attempt, struct res_case *out);

/* Whether case `s` runs its student program under valgrind. */
int run_case_memcheck(const struct run_ctx *ctx, const struct scn *s);

/*
 * Whether case `s` keeps a CPU busy (memcheck, or 1 MiB of data and more):
 * such cases run at most one per core, whatever --jobs (o->heavy), so that
 * the many cases that mostly wait never take the CPU a textbook program's
 * 32 MiB in 30-byte writes needs to meet the deadline its data allows.
 */
int run_case_heavy(const struct run_ctx *ctx, const struct scn *s);

/* Roughly how many seconds case `s` takes: the longest start first. */
double run_case_estimate(const struct run_ctx *ctx, const struct scn *s);

/* Which run starts next: runs k = 0 .. n * repeat - 1 are plan item
 * order[k % n], round after round. */
struct run_queue {
	size_t n, repeat, next;	/* next: no run before it is left to start */
	size_t *order;		/* the plan's indices, the longest case first */
	unsigned char *heavy;	/* per plan item: run_case_heavy */
	unsigned char *taken;	/* per run: started */
	sem_t *cpus;		/* a heavy case holds one while it runs */
};

/*
 * The next run to start, in queue order, that a worker may start: a light
 * case, or a heavy one when a CPU is free (*cpu then holds it; a worker that
 * already holds one may take any, and gives it back for a light one).
 * SIZE_MAX when none may start now; *left says whether any is still to
 * start. The caller serialises calls.
 */
size_t run_queue_pick(struct run_queue *q, int *cpu, int *left);

#endif
