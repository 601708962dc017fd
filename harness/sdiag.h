/*
 * sdiag: TCP connections and their byte counters through sock_diag netlink
 * (NETLINK_SOCK_DIAG, inet_diag with INET_DIAG_INFO: the kernel's tcp_info,
 * what `ss -ti` shows), in the network namespace of a process.
 *
 * bytes_acked and bytes_received count what really crossed a connection,
 * whatever the programs log or print: a transfer that still moves is seen
 * moving, however many tiny writes it takes.
 */
#ifndef SC_SDIAG_H
#define SC_SDIAG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

struct sdiag_conn {
	unsigned local_port, remote_port;
	int state;			/* kernel TCP state: 1 ESTABLISHED, 10 LISTEN, ... */
	uint64_t bytes_acked;		/* sent and acknowledged by the other end */
	uint64_t bytes_received;	/* received in order */
	uint32_t rqueue, wqueue;	/* unread bytes / unsent or unacknowledged bytes */
};

/*
 * A sock_diag socket in the network namespace of `net_pid` (entering it
 * takes CAP_SYS_ADMIN; with net_pid the caller's own pid, none is needed).
 * Returns the descriptor (O_CLOEXEC) or -1 with err.
 */
int sdiag_open(pid_t net_pid, struct sc_err *err);

/*
 * Every TCP connection (IPv4 and IPv6, all states but LISTEN) that the
 * namespace of `fd` holds; *out is malloc'd. Returns the count or -1.
 */
ssize_t sdiag_tcp(int fd, struct sdiag_conn **out, struct sc_err *err);

#endif
