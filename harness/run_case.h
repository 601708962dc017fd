/*
 * run_case: the case in progress, as the runner's phases share it.
 *
 * run_case.c prepares a case, runs it and cleans up; run_proc.c starts and
 * stops its processes; run_watch.c is the poll loop that watches them and
 * the conditions the drivers wait on; run_drive.c drives a case, one driver
 * per role; run_data.c is the scenario's data; run_finish.c hands what
 * happened to the judge. run.c, the scheduler, sees only run_int.h.
 */
#ifndef SC_RUN_CASE_H
#define SC_RUN_CASE_H

#include <limits.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>

#include "cap.h"
#include "early.h"
#include "judge.h"
#include "prof.h"
#include "ref_payload.h"
#include "results.h"
#include "run_int.h"
#include "run_wcap.h"
#include "scn.h"
#include "watch.h"

#define RUN_MAXPROCS 32

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
	int start_shortage;	/* not started for lack of processes, memory or descriptors */
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
	struct rproc pr[RUN_MAXPROCS];
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
	char redirect[160];	/* loopback: SCINJECT_REDIRECT for the clients' addresses
				 * ("192.168.56.101=127.0.0.1"), or "" (route.c) */
	int inject_on;
	int trace_opens;	/* the preload library reports the server's opens (fnd.h) */
	int shared_ports;	/* LOOPBACK: the library gives SO_REUSEADDR, reports EADDRINUSE */
	int fixed_locked;
	int deadline_hit;
	char ns_why[256];	/* no network namespace: why (sbx_open) */
	struct run_wcap capture;	/* the packet capture (run_wcap.h) */
	double t_stall;		/* when a stall or the early decision ended it; <0 */
	double t_stop;		/* when run_stop_procs began; <0 */
	double reach_wait;	/* memcheck: seconds valgrind took to reach the program,
				 * added to the deadline (run_proc.c) */
};

typedef int (*run_cond_fn)(struct rcase *c, void *arg);

struct run_listen_arg {
	struct rproc *r;
	enum prof_port_mode mode;
	const char *pattern;
	unsigned port;		/* found or given */
	int udp;		/* a datagram server: bound, not listening */
	int other;		/* the student's server uses the other protocol */
};

struct run_outcome {
	struct rproc *student, *student2;
	int kinds;		/* PNET_TCP/PNET_UDP: the sockets the student program was seen with */
	int ready;
	double ready_wait;
	struct rproc *peers[RUN_MAXPROCS];
	size_t npeers;
	int have_expected;
	char exp_digest[REF_DIGEST_HEX];
	uint64_t exp_size;
};

static inline double
run_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int
run_alive(const struct rproc *r)
{
	return r->started && !r->ended;
}

/* run_proc.c: starting and stopping the case's processes */
void run_add_feed(struct rproc *r, unsigned delay_ms, const char *data, size_t len);
struct rproc *run_start_student(struct rcase *c, enum prof_prog_kind kind, const char *role,
    unsigned port, int want_stdin, struct sc_err *err);
struct rproc *run_start_peer(struct rcase *c, const char *prog, size_t idx,
    const struct scn_input *payload, char *const *args, struct sc_err *err);
void run_stop_procs(struct rcase *c, int at_deadline);

/* run_watch.c: the poll loop and the conditions it waits for */
size_t run_watch_procs(struct rcase *c, struct watch_proc *wp);
double run_queue_seconds(const struct rproc *r);
int run_wait_until(struct rcase *c, run_cond_fn cond, void *arg, double until);
int run_cond_ended(struct rcase *c, void *arg);
int run_cond_peer_saw_end(struct rcase *c, void *arg);
int run_cond_never(struct rcase *c, void *arg);
int run_cond_listening(struct rcase *c, void *arg);

/* run_data.c: the scenario's data */
int run_input_digest(const struct scn_input *in, char hex[REF_DIGEST_HEX], uint64_t *size);
/* The input's first bytes (at most `len`) into `buf`; returns their count. */
size_t run_input_head(const struct scn_input *in, char *buf, size_t len);
int64_t run_first_difference(const char *dir, const char *name, const struct scn_input *in,
    int *expected);
int run_write_input_fd(int fd, const char *name, const struct scn_input *in,
    char hex[REF_DIGEST_HEX], uint64_t *size, struct sc_err *err);
const struct scn_input *run_peer_input(const struct scn *s, size_t i);
int run_peer_has_flag(const struct scn *s, const char *flag);
uint64_t run_data_size(const struct scn *s);
void run_echo_messages(const struct scn *s, struct judge_msg **out, size_t *n);

/* run_drive.c: one driver per role */
int run_drive_server(struct rcase *c, struct run_outcome *oc, struct sc_err *err);
int run_drive_client(struct rcase *c, struct run_outcome *oc, struct sc_err *err);
int run_drive_pair(struct rcase *c, struct run_outcome *oc, struct sc_err *err);

/* run_finish.c: from what happened to a verdict */
void run_finish(struct rcase *c, struct run_outcome *oc, struct res_case *out);
void run_proc_to_result(struct rproc *r, struct res_proc *rp);

#endif
