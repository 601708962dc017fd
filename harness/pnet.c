/*
 * pnet: /proc observation of sockets and tasks (contract in pnet.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pnet.h"

static int
read_table(pid_t net_pid, const char *name, int v6, struct pnet_sock **out, size_t *n,
    size_t *cap, struct sc_err *err)
{
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)net_pid, name);
	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT && v6 ? 0 : sc_err_sys(err, "%s", path);
	if (fgets(line, sizeof(line), f) == NULL) {	/* header */
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		char local[64], remote[64];
		unsigned state;
		unsigned long txq, rxq, inode;
		int uid;
		if (sscanf(line, " %*d: %63s %63s %x %lx:%lx %*x:%*x %*x %d %*d %lu", local, remote,
		    &state, &txq, &rxq, &uid, &inode) != 7)
			continue;
		if (*n >= *cap) {
			size_t nc = *cap ? *cap * 2 : 32;
			struct pnet_sock *ns = realloc(*out, nc * sizeof(*ns));
			if (ns == NULL) {
				fclose(f);
				return sc_err_sys(err, "sockets");
			}
			*out = ns;
			*cap = nc;
		}
		struct pnet_sock *s = &(*out)[(*n)++];
		char *lp = strchr(local, ':'), *rp = strchr(remote, ':');
		s->local_port = lp ? (unsigned)strtoul(lp + 1, NULL, 16) : 0;
		s->remote_port = rp ? (unsigned)strtoul(rp + 1, NULL, 16) : 0;
		s->state = (int)state;
		s->tx_queue = txq;
		s->rx_queue = rxq;
		s->inode = inode;
		s->v6 = v6;
	}
	fclose(f);
	return 0;
}

ssize_t
pnet_tcp_sockets(pid_t net_pid, struct pnet_sock **out, struct sc_err *err)
{
	size_t n = 0, cap = 0;

	*out = NULL;
	if (read_table(net_pid, "tcp", 0, out, &n, &cap, err) < 0 ||
	    read_table(net_pid, "tcp6", 1, out, &n, &cap, err) < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return (ssize_t)n;
}

ssize_t
pnet_udp_sockets(pid_t net_pid, struct pnet_sock **out, struct sc_err *err)
{
	size_t n = 0, cap = 0;

	*out = NULL;
	if (read_table(net_pid, "udp", 0, out, &n, &cap, err) < 0 ||
	    read_table(net_pid, "udp6", 1, out, &n, &cap, err) < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return (ssize_t)n;
}

int
pnet_udp_is_bound(pid_t net_pid, unsigned port, struct sc_err *err)
{
	struct pnet_sock *s;
	ssize_t n = pnet_udp_sockets(net_pid, &s, err);
	int found = 0;

	if (n < 0)
		return -1;
	for (ssize_t i = 0; i < n; i++)
		if (s[i].local_port == port && s[i].remote_port == 0)
			found = 1;
	free(s);
	return found;
}

int
pnet_is_listening(pid_t net_pid, unsigned port, struct sc_err *err)
{
	struct pnet_sock *s;
	ssize_t n = pnet_tcp_sockets(net_pid, &s, err);
	int found = 0;

	if (n < 0)
		return -1;
	for (ssize_t i = 0; i < n; i++)
		if (s[i].state == 10 && s[i].local_port == port)
			found = 1;
	free(s);
	return found;
}

int
pnet_port_frees(pid_t net_pid, unsigned port, volatile sig_atomic_t *stop, double *waited)
{
	struct timespec t0, t1;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int n = 0; n <= 65 * 4 && !(stop && *stop); n++) {
		struct pnet_sock *s;
		struct sc_err err;
		ssize_t k = pnet_tcp_sockets(net_pid, &s, &err);
		int held = 0, listener = 0;
		for (ssize_t i = 0; i < k; i++)
			if (s[i].local_port == port) {
				held = 1;
				listener |= s[i].state == 10;
			}
		if (k >= 0)
			free(s);
		if (listener || !held) {
			rc = !listener;
			break;
		}
		usleep(250 * 1000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (waited)
		*waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}

/* Socket inodes of one process. */
static size_t
socket_inodes(pid_t pid, unsigned long *inodes, size_t max)
{
	char path[64], link[64];
	DIR *d;
	struct dirent *de;
	size_t n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < max) {
		char fdpath[400];
		ssize_t k;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, de->d_name);
		if ((k = readlink(fdpath, link, sizeof(link) - 1)) <= 0)
			continue;
		link[k] = '\0';
		if (strncmp(link, "socket:[", 8) == 0)
			inodes[n++] = strtoul(link + 8, NULL, 10);
	}
	closedir(d);
	return n;
}

/* Process group, state and start time (clock ticks after boot) of `pid`. */
static pid_t
pgid_of(pid_t pid, char *state, unsigned long long *start)
{
	char path[64], buf[512], *p;
	FILE *f;
	int pgrp = -1;
	unsigned long long st = 0;

	*state = '?';
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) != NULL)
		sscanf(p + 2, "%c %*d %d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
		    "%*d %*d %llu", state, &pgrp, &st);
	fclose(f);
	if (start)
		*start = st;
	return (pid_t)pgrp;
}

static ssize_t
ports_of(pid_t net_pid, pid_t pid, pid_t pgid, int udp, unsigned *ports, size_t max,
    struct sc_err *err)
{
	unsigned long inodes[256];
	size_t ni = 0, np = 0;
	struct pnet_sock *s;
	ssize_t n;

	if (pgid > 0) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		if (d == NULL)
			return sc_err_sys(err, "/proc");
		while ((de = readdir(d)) != NULL) {
			pid_t p = (pid_t)atoi(de->d_name);
			char st;
			if (p > 0 && pgid_of(p, &st, NULL) == pgid)
				ni += socket_inodes(p, inodes + ni, 256 - ni);
		}
		closedir(d);
	} else {
		ni = socket_inodes(pid, inodes, 256);
	}
	if ((n = udp ? pnet_udp_sockets(net_pid, &s, err) : pnet_tcp_sockets(net_pid, &s, err)) < 0)
		return -1;
	for (ssize_t i = 0; i < n && np < max; i++) {
		/* TCP: LISTEN; UDP: bound to a port, not connected (a server) */
		if (udp ? s[i].local_port == 0 || s[i].remote_port != 0 : s[i].state != 10)
			continue;
		for (size_t k = 0; k < ni; k++)
			if (inodes[k] == s[i].inode) {
				ports[np++] = s[i].local_port;
				break;
			}
	}
	free(s);
	return (ssize_t)np;
}

int
pnet_socket_kinds_of(pid_t net_pid, pid_t pid)
{
	unsigned long inodes[256];
	size_t ni = socket_inodes(pid, inodes, 256);
	struct pnet_sock *s;
	struct sc_err err;
	int kinds = 0;

	for (int udp = 0; udp < 2 && ni > 0; udp++) {
		ssize_t n = udp ? pnet_udp_sockets(net_pid, &s, &err) :
		    pnet_tcp_sockets(net_pid, &s, &err);
		for (ssize_t i = 0; i < n; i++)
			for (size_t k = 0; k < ni; k++)
				if (inodes[k] == s[i].inode)
					kinds |= udp ? PNET_UDP : PNET_TCP;
		if (n >= 0)
			free(s);
	}
	return kinds;
}

ssize_t
pnet_listening_ports_of(pid_t net_pid, pid_t pid, pid_t pgid, unsigned *ports, size_t max,
    struct sc_err *err)
{
	return ports_of(net_pid, pid, pgid, 0, ports, max, err);
}

ssize_t
pnet_udp_ports_of(pid_t net_pid, pid_t pid, pid_t pgid, unsigned *ports, size_t max,
    struct sc_err *err)
{
	return ports_of(net_pid, pid, pgid, 1, ports, max, err);
}

static const char *
syscall_name(long nr)
{
	switch (nr) {
	case 0: return "read";
	case 1: return "write";
	case 7: return "poll";
	case 23: return "select";
	case 34: return "pause";
	case 35: return "nanosleep";
	case 42: return "connect";
	case 43: return "accept";
	case 44: return "sendto";
	case 45: return "recvfrom";
	case 46: return "sendmsg";
	case 47: return "recvmsg";
	case 61: return "wait4";
	case 130: return "rt_sigsuspend";
	case 202: return "futex";
	case 230: return "clock_nanosleep";
	case 232: return "epoll_wait";
	case 270: return "pselect6";
	case 271: return "ppoll";
	case 281: return "epoll_pwait";
	case 288: return "accept4";
	default: return "";
	}
}

int
pnet_task(pid_t pid, struct pnet_task *t, struct sc_err *err)
{
	char path[64], buf[1024], *p;
	FILE *f;

	memset(t, 0, sizeof(*t));
	t->syscall = -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;	/* gone: alive stays 0 */
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) != NULL) {
		unsigned long ut = 0, st = 0;
		sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &t->state, &ut, &st);
		t->cpu_seconds = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
		t->alive = t->state != 'Z' && t->state != 'X';
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if ((f = fopen(path, "re")) != NULL) {
		if (fgets(buf, sizeof(buf), f)) {
			if (strncmp(buf, "running", 7) == 0) {
				t->running = 1;
			} else if (isdigit((unsigned char)buf[0])) {
				char *q = buf;
				t->syscall = strtol(buf, &q, 10);
				for (int i = 0; i < 6; i++)
					t->args[i] = strtoul(q, &q, 16);
				snprintf(t->syscall_name, sizeof(t->syscall_name), "%s",
				    syscall_name(t->syscall));
			}
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	if ((f = fopen(path, "re")) != NULL) {
		if (fgets(t->wchan, sizeof(t->wchan), f) == NULL || strcmp(t->wchan, "0") == 0)
			t->wchan[0] = '\0';
		fclose(f);
	}
	if (t->state == 'R')
		t->running = 1;
	(void)err;
	return 0;
}

int
pnet_run_queue_seconds(pid_t pid, double *seconds)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	unsigned long long total = 0;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char tpath[64 + sizeof(e->d_name) + 16];
		unsigned long long on_cpu, waited;
		FILE *f;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(tpath, sizeof(tpath), "%s/%s/schedstat", path, e->d_name);
		if ((f = fopen(tpath, "re")) == NULL)
			continue;
		if (fscanf(f, "%llu %llu", &on_cpu, &waited) == 2) {
			total += waited;
			found = 1;
		}
		fclose(f);
	}
	closedir(d);
	if (!found)
		return -1;
	*seconds = (double)total / 1e9;
	return 0;
}

void
pnet_task_describe(const struct pnet_task *t, char *buf, size_t len)
{
	if (!t->alive)
		snprintf(buf, len, "has ended");
	else if (t->running)
		snprintf(buf, len, "is running (%.2f s of CPU so far: spinning?)", t->cpu_seconds);
	else if (t->syscall_name[0])
		snprintf(buf, len, "is blocked in %s()%s%s%s", t->syscall_name,
		    t->wchan[0] ? " (" : "", t->wchan, t->wchan[0] ? ")" : "");
	else if (t->syscall >= 0)
		snprintf(buf, len, "is blocked in system call %ld", t->syscall);
	else
		snprintf(buf, len, "is sleeping");
}

/* Append the children of every thread of `pid` to q (at most max in all). */
static size_t
children_of(pid_t pid, pid_t *q, size_t n, size_t max)
{
	char path[64 + 256];
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return n;
	while ((de = readdir(d)) != NULL && n < max) {
		FILE *f;
		long c;
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/children", (int)pid, de->d_name);
		if ((f = fopen(path, "re")) == NULL)
			continue;
		while (n < max && fscanf(f, "%ld", &c) == 1)
			q[n++] = (pid_t)c;
		fclose(f);
	}
	closedir(d);
	return n;
}

/*
 * The group's processes are the leader's descendants (the launcher forks the
 * program, the program its own children): walked from the leader through
 * /proc/PID/task/TID/children, a few reads instead of every process of the
 * machine. An orphan that left the tree keeps no say in it, as a daemon.
 */
pid_t
pnet_group_leaf(pid_t pgid)
{
	pid_t q[256];
	size_t n = children_of(pgid, q, 0, 256);
	pid_t best = pgid;
	unsigned long long best_start = 0;

	for (size_t i = 0; i < n; i++) {
		pid_t p = q[i];
		char st;
		unsigned long long start;
		pid_t g = pgid_of(p, &st, &start);
		/* a zombie (a child its server never reaped) does no work; newest by
		 * start time, not by number: pid numbers wrap (pid_max) */
		if (g == pgid && st != 'Z' && st != 'X' && (best == pgid || start > best_start ||
		    (start == best_start && p > best))) {
			best = p;
			best_start = start;
		}
		n = children_of(p, q, n, 256);
	}
	return best;
}

size_t
pnet_group_tasks(pid_t pgid, int leader, pid_t *out, size_t max)
{
	pid_t q[256];
	size_t n = 0, k = 0;

	if (leader)
		q[n++] = pgid;
	else
		n = children_of(pgid, q, 0, 256);
	for (size_t i = 0; i < n; i++) {
		char st, path[64];
		DIR *d;
		struct dirent *de;
		if (pgid_of(q[i], &st, NULL) == pgid && st != 'Z' && st != 'X') {
			snprintf(path, sizeof(path), "/proc/%d/task", (int)q[i]);
			if ((d = opendir(path)) != NULL) {
				while ((de = readdir(d)) != NULL && k < max)
					if (isdigit((unsigned char)de->d_name[0]))
						out[k++] = (pid_t)atoi(de->d_name);
				closedir(d);
			}
		}
		n = children_of(q[i], q, n, 256);
	}
	return k;
}

int
pnet_waits_forever(const struct pnet_task *t)
{
	if (!t->alive || t->running || t->state != 'S')
		return 0;
	switch (t->syscall) {
	case 0: case 43: case 45: case 47: case 288:	/* read accept recvfrom recvmsg accept4 */
		return 1;
	case 7:		/* poll(fds, n, timeout): -1 */
		return (int)t->args[2] < 0;
	case 271:	/* ppoll(fds, n, tsp, ...): no tsp */
		return t->args[2] == 0;
	case 23: case 270:	/* select, pselect6(..., timeout): none */
		return t->args[4] == 0;
	case 232: case 281:	/* epoll_wait, epoll_pwait(ep, ev, n, timeout): -1 */
		return (int)t->args[3] < 0;
	default:
		return 0;
	}
}
