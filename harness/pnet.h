/*
 * pnet: watching programs and sockets through /proc, without touching them.
 *
 * Readiness of a server is its socket in LISTEN state (never a probing
 * connect: a one-client server would spend its only accept on it). A stall
 * is diagnosed from the syscall a process sleeps in and the socket queues.
 */
#ifndef SC_PNET_H
#define SC_PNET_H

#include <stddef.h>
#include <signal.h>
#include <sys/types.h>

#include "err.h"

/* A TCP socket as listed in /proc/PID/net/tcp and tcp6. */
struct pnet_sock {
	unsigned local_port, remote_port;
	int state;		/* kernel TCP state: 1 ESTABLISHED, 10 LISTEN, ... */
	unsigned long tx_queue, rx_queue;
	unsigned long inode;
	int v6;
};

/*
 * Every TCP socket of the network namespace of `net_pid` (IPv4 and IPv6).
 * *out is malloc'd. Returns the count or -1 with err.
 */
ssize_t pnet_tcp_sockets(pid_t net_pid, struct pnet_sock **out, struct sc_err *err);

/* 1 when some socket in `net_pid`'s namespace listens on `port`, 0 if not, -1 on error. */
int pnet_is_listening(pid_t net_pid, unsigned port, struct sc_err *err);

/*
 * Without a namespace of one's own: wait, up to a little more than TIME-WAIT
 * lasts (60 s), until no connection in `net_pid`'s namespace holds local
 * port `port` any more (a program that did not set SO_REUSEADDR can bind it
 * then). Stops early when *stop is set (may be NULL). 1 when it is free;
 * 0 when a listener holds it (that does not end by waiting), it never
 * freed, or *stop. *waited (may be NULL): the seconds spent.
 */
int pnet_port_frees(pid_t net_pid, unsigned port, volatile sig_atomic_t *stop, double *waited);

/*
 * Ports on which the processes of process group `pgid` (or the single
 * process `pid` when pgid is 0) own a LISTEN socket (socket inodes of
 * /proc/PID/fd matched against /proc/net/tcp). Returns the count (up to max).
 */
ssize_t pnet_listening_ports_of(pid_t net_pid, pid_t pid, pid_t pgid,
    unsigned *ports, size_t max, struct sc_err *err);

/* Every UDP socket of `net_pid`'s namespace (/proc/net/udp and udp6; state 7 unconnected). */
ssize_t pnet_udp_sockets(pid_t net_pid, struct pnet_sock **out, struct sc_err *err);

/*
 * A UDP server's readiness: 1 when some datagram socket in `net_pid`'s
 * namespace is bound to `port` and not connected, 0 if not, -1 on error.
 */
int pnet_udp_is_bound(pid_t net_pid, unsigned port, struct sc_err *err);

/* Like pnet_listening_ports_of, for bound, unconnected UDP sockets. */
ssize_t pnet_udp_ports_of(pid_t net_pid, pid_t pid, pid_t pgid,
    unsigned *ports, size_t max, struct sc_err *err);

/*
 * The kinds of internet socket process `pid` holds now: PNET_TCP, PNET_UDP
 * (or both, or 0), from its descriptors matched against the namespace's
 * tables. How a program's protocol is told before it is judged.
 */
#define PNET_TCP 1
#define PNET_UDP 2
int pnet_socket_kinds_of(pid_t net_pid, pid_t pid);

/*
 * Seconds the threads of process `pid` have spent runnable but waiting for
 * a CPU (the run_delay field of /proc/PID/task/TID/schedstat): the part of
 * its wall time that a busy machine added, not the program. -1 when the
 * process is gone or the kernel keeps no such count.
 */
int pnet_run_queue_seconds(pid_t pid, double *seconds);

/* What a process is doing now. */
struct pnet_task {
	int alive;
	int running;		/* "running" in /proc/PID/syscall */
	long syscall;		/* number it is blocked in, -1 if none/unknown */
	char syscall_name[24];	/* "read", "recvfrom", "accept", ... or "" */
	char wchan[64];		/* kernel function it sleeps in, or "" */
	double cpu_seconds;	/* utime + stime so far */
	char state;		/* /proc/PID/stat state letter */
	unsigned long args[6];	/* the system call's arguments, when blocked in one */
};

int pnet_task(pid_t pid, struct pnet_task *t, struct sc_err *err);

/*
 * One line describing a blocked task for a verdict, e.g.
 * "blocked in recvfrom() (sk_wait_data)" or "running (spinning: 0.28 s CPU)".
 */
void pnet_task_describe(const struct pnet_task *t, char *buf, size_t len);

/*
 * The process doing the work in process group `pgid`: the newest one alive
 * (latest start time; pid numbers wrap) other than the leader (in the sandbox's NETNS mode the group leader is a
 * launcher that waits for the program; zombies are passed over), else pgid.
 * Only the leader's descendants are looked at (not every process of the machine).
 */
pid_t pnet_group_leaf(pid_t pgid);

/*
 * The live processes of process group `pgid` among the leader's descendants
 * (and the leader, with `leader`: not a launcher), and each one's threads: up
 * to max task ids in *out. Returns how many.
 */
size_t pnet_group_tasks(pid_t pgid, int leader, pid_t *out, size_t max);

/*
 * Task t sleeps in a wait for input that has no timeout (read, accept, poll
 * with -1, select with no timeval, ...): only input or a signal wakes it.
 */
int pnet_waits_forever(const struct pnet_task *t);

#endif
