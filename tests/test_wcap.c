/*
 * The packet capture of a case (wcap) and its reading (wire): known
 * exchanges between the reference peers in a case's sandbox (a network
 * namespace, as root), captured, read back, and checked for the FIN, RST
 * and zero-window events each one must show, from the right side and after
 * the right number of bytes. Also: tcpdump opens the file, the keep policy
 * leaves out the middle of a long transfer and the sizes still count it,
 * and wire_read says what is wrong with a file that is not a capture.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "sbx.h"
#include "scratch.h"
#include "wcap.h"
#include "wire.h"

TestSuite(wcap, .init = mk_tmp, .fini = rm_tmp);

static char *const env[] = { "PATH=/usr/bin:/bin", "LANG=C", NULL };

struct cs {
	struct sbx *s;
	struct wcap *w;
	char pcap[PATH_MAX];
	double t0;
	struct wcap_stats st;
	struct wire wr;
};

static double
now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* BUILD/reference/NAME, next to BUILD/tests/ where this program runs from. */
static void
ref_path(const char *name, char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	cr_assert_gt(n, 0);
	exe[n] = '\0';
	snprintf(out, len, "%s/reference/%s", dirname(dirname(exe)), name);
	cr_assert_eq(access(out, X_OK), 0, "%s: %s (make first)", out, strerror(errno));
}

/* A sandbox with its own namespace, and the capture started in it. */
static void
start(struct cs *c, const char *name, const struct wcap_limits *lim)
{
	struct sc_err err;
	char why[256] = "";

	memset(c, 0, sizeof(*c));
	if (geteuid() != 0)
		cr_skip_test("the capture needs root (a network namespace, CAP_NET_RAW)");
	cr_assert_eq(sbx_open(1, &c->s, why, sizeof(why), &err), 0, "%s", err.msg);
	if (sbx_mode(c->s) != SBX_NETNS) {
		unsigned surv;
		sbx_close(c->s, &surv, &err);
		cr_skip_test("needs a network namespace: %s", why);
	}
	snprintf(c->pcap, sizeof(c->pcap), "%s/%s.pcap", tmpdir, name);
	c->t0 = now_real();
	cr_assert_eq(wcap_start(sbx_net_pid(c->s), c->pcap, lim, &c->w, &err), 0,
	    "wcap_start: %s", err.msg);
}

static pid_t
spawn(struct cs *c, const char *log, char **argv)
{
	struct sbx_spawn sp;
	struct sc_err err;
	char path[PATH_MAX], lp[PATH_MAX];
	pid_t pid;

	ref_path(argv[0], path, sizeof(path));
	argv[0] = path;
	snprintf(lp, sizeof(lp), "%s/%s", tmpdir, log);
	int fd = open(lp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	memset(&sp, 0, sizeof(sp));
	sp.argv = argv;
	sp.envp = env;
	sp.fd_in = -1;
	sp.fd_out = sp.fd_err = fd;
	pid = sbx_spawn(c->s, &sp, &err);
	close(fd);
	cr_assert_gt(pid, 0, "spawn %s: %s", argv[0], err.msg);
	return pid;
}

/* Wait for a LISTEN socket (TCP) or a bound one (UDP) on port in the case. */
static void
wait_port(struct cs *c, const char *proto, unsigned port)
{
	char path[64], line[512], want[16];

	snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)sbx_net_pid(c->s), proto);
	snprintf(want, sizeof(want), ":%04X ", port);
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(path, "re");
		cr_assert_not_null(f, "%s", path);
		while (fgets(line, sizeof(line), f) != NULL) {
			char *p = strstr(line, want);
			/* the local address is the first; state 0A LISTEN, 07 UDP */
			if (p != NULL && p < strchr(line, ':') + 16 &&
			    (strstr(p, " 0A ") != NULL || strstr(p, " 07 ") != NULL)) {
				fclose(f);
				return;
			}
		}
		fclose(f);
		usleep(10000);
	}
	cr_assert_fail("nothing listens on %s port %u", proto, port);
}

static int
wait_exit(struct cs *c, pid_t pid, int ms)
{
	struct sc_err err;
	int st = -1;

	cr_assert_eq(sbx_wait(c->s, pid, ms, &st, NULL, &err), 1, "pid %d still runs after %d ms",
	    (int)pid, ms);
	return st;
}

/* Stop the capture, read it back, end the sandbox. */
static void
finish(struct cs *c)
{
	struct sc_err err;
	unsigned surv;

	cr_assert_eq(wcap_stop(c->w, &c->st, &err), 0, "wcap_stop: %s", err.msg);
	c->w = NULL;
	cr_assert_eq(sbx_close(c->s, &surv, &err), 0, "%s", err.msg);
	cr_assert_eq(wire_read(c->pcap, c->t0, -1, &c->wr, &err), 0, "wire_read: %s", err.msg);
	cr_assert_gt(c->st.seen, 0);
	cr_assert_eq(c->st.written, c->wr.packets, "stats say %llu packets written, the file has %llu",
	    (unsigned long long)c->st.written, (unsigned long long)c->wr.packets);
	cr_assert_eq(c->st.seen, c->st.written + c->st.omitted);
	cr_assert_eq(c->st.dropped, 0);
}

/* The one TCP connection to port. */
static const struct wire_conn *
conn_to(const struct wire *w, unsigned port, size_t *idx)
{
	const struct wire_conn *found = NULL;

	for (size_t i = 0; i < w->nconns; i++)
		if (!w->conns[i].udp && w->conns[i].b.port == port) {
			cr_assert_null(found, "two connections to port %u", port);
			found = &w->conns[i];
			*idx = i;
		}
	cr_assert_not_null(found, "no connection to port %u in the capture", port);
	return found;
}

static size_t
count(const struct wire *w, size_t conn, enum wire_kind kind, int from)
{
	size_t n = 0;
	for (size_t i = 0; i < w->nevents; i++)
		n += w->events[i].conn == conn && w->events[i].kind == kind && w->events[i].from == from;
	return n;
}

static const struct wire_event *
first(const struct wire *w, size_t conn, enum wire_kind kind, int from)
{
	for (size_t i = 0; i < w->nevents; i++)
		if (w->events[i].conn == conn && w->events[i].kind == kind && w->events[i].from == from)
			return &w->events[i];
	cr_assert_fail("no event of kind %d from side %d", kind, from);
	return NULL;
}

/* Every event in time order, data spans adding up to the bytes of each side. */
static void
consistent(const struct wire *w)
{
	for (size_t i = 1; i < w->nevents; i++)
		cr_assert_geq(w->events[i].t, w->events[i - 1].t, "event %zu before event %zu", i,
		    i - 1);
	for (size_t c = 0; c < w->nconns; c++) {
		uint64_t sum[2] = { 0, 0 };
		for (size_t i = 0; i < w->nevents; i++) {
			const struct wire_event *e = &w->events[i];
			if (e->conn != c)
				continue;
			if (e->kind == WIRE_DATA || e->kind == WIRE_OMITTED) {
				cr_assert_eq(e->offset, sum[e->from], "a gap in side %d's bytes at %llu",
				    e->from, (unsigned long long)sum[e->from]);
				sum[e->from] += e->bytes;
			} else if (e->kind == WIRE_DATAGRAM) {
				sum[e->from] += e->bytes;
			}
		}
		cr_assert_eq(sum[0], w->conns[c].bytes[0]);
		cr_assert_eq(sum[1], w->conns[c].bytes[1]);
	}
}

/*
 * file_server FLAGS... --size SIZE 5001 - (a generated payload) against
 * file_client CFLAGS... 127.0.0.1 5001 OUT; the pids in srv, cli.
 */
static void
file_case_lim(struct cs *c, const char *name, const struct wcap_limits *lim, const char *size,
    char **flags, char **cflags, pid_t *srv, pid_t *cli)
{
	char *sargv[32], *cargv[32], out[PATH_MAX];
	int n = 0, m = 0;

	start(c, name, lim);
	sargv[n++] = "file_server";
	for (; flags != NULL && *flags; flags++)
		sargv[n++] = *flags;
	char *stail[] = { "--bind", "127.0.0.1", "--size", (char *)size, "5001", "-", NULL };
	for (char **p = stail; *p; p++)
		sargv[n++] = *p;
	sargv[n] = NULL;
	*srv = spawn(c, "server.log", sargv);
	wait_port(c, "tcp", 5001);
	snprintf(out, sizeof(out), "%s/%s.out", tmpdir, name);
	cargv[m++] = "file_client";
	for (; cflags != NULL && *cflags; cflags++)
		cargv[m++] = *cflags;
	cargv[m++] = "127.0.0.1";
	cargv[m++] = "5001";
	cargv[m++] = out;
	cargv[m] = NULL;
	*cli = spawn(c, "client.log", cargv);
}

static void
file_case(struct cs *c, const char *name, const char *size, char **flags, char **cflags,
    pid_t *srv, pid_t *cli)
{
	file_case_lim(c, name, &WCAP_CASE, size, flags, cflags, srv, cli);
}

/* A conforming exchange: data, the server's FIN after all of it, the reply, the client's FIN. */
Test(wcap, shutdown_shows_both_fins_and_no_rst, .timeout = 30)
{
	struct cs c;
	pid_t srv, cli;
	size_t i;

	file_case(&c, "normal", "300000", NULL, NULL, &srv, &cli);
	cr_assert_eq(wait_exit(&c, cli, 10000), 0, "file_client failed");
	cr_assert_eq(wait_exit(&c, srv, 10000), 0, "file_server failed");
	finish(&c);
	const struct wire_conn *k = conn_to(&c.wr, 5001, &i);
	consistent(&c.wr);
	cr_assert_str_eq(k->a.addr, "127.0.0.1");
	cr_assert_eq(count(&c.wr, i, WIRE_SYN, 0), 1);
	cr_assert_eq(count(&c.wr, i, WIRE_SYNACK, 1), 1);
	cr_assert_eq(k->bytes[1], 300000, "the server sent %llu bytes", (unsigned long long)k->bytes[1]);
	cr_assert_eq(k->bytes[0], 10, "the client's reply is \"Thank you\\n\"");
	cr_assert(k->fin[1] && k->fin[0], "FINs: client %d, server %d", k->fin[0], k->fin[1]);
	cr_assert_eq(k->fin_after[1], 300000);
	cr_assert_eq(k->fin_after[0], 10);
	cr_assert(!k->rst[0] && !k->rst[1], "a RST in a clean exchange");
	cr_assert_lt(k->fin_t[1], k->fin_t[0], "the server's FIN comes first");
	cr_assert_eq(k->end, WIRE_END_CLOSED);
	const struct wire_event *f = first(&c.wr, i, WIRE_FIN, 1);
	cr_assert_eq(f->offset, 300000);
	/* the reply is one span from the client, after the server's FIN */
	const struct wire_event *r = first(&c.wr, i, WIRE_DATA, 0);
	cr_assert_eq(r->bytes, 10);
	cr_assert_gt(r->t, f->t);
	cr_assert_eq(c.wr.nconns, 1, "%zu connections", c.wr.nconns);
	for (size_t j = 0; j < c.wr.nevents; j++)
		cr_assert_eq(c.wr.events[j].after_stop, 0, "t_stop unknown: nothing is after it");
	double tf = f->t;
	wire_free(&c.wr);

	/* read again, as if sockcheck had begun stopping the programs at the server's FIN */
	struct sc_err err;
	cr_assert_eq(wire_read(c.pcap, c.t0, tf, &c.wr, &err), 0, "%s", err.msg);
	cr_assert_eq(c.wr.t_stop, tf);
	for (size_t j = 0; j < c.wr.nevents; j++)
		cr_assert_eq(c.wr.events[j].after_stop, c.wr.events[j].t >= tf, "event %zu at %.6f",
		    j, c.wr.events[j].t);
	cr_assert(first(&c.wr, i, WIRE_FIN, 1)->after_stop);
	cr_assert(!first(&c.wr, i, WIRE_SYN, 0)->after_stop);
	wire_free(&c.wr);
}

/* --no-shutdown: all the data, then no FIN from the server while it holds the connection. */
Test(wcap, no_shutdown_shows_no_server_fin, .timeout = 30)
{
	struct cs c;
	pid_t srv, cli;
	size_t i;
	char *flags[] = { "--no-shutdown", "--hold-ms", "4000", NULL };
	char *cflags[] = { "--timeout-ms", "8000", NULL };

	file_case(&c, "noshut", "200000", flags, cflags, &srv, &cli);
	/* the data is out long before this; the server holds for 4 s */
	usleep(1500 * 1000);
	finish(&c);
	const struct wire_conn *k = conn_to(&c.wr, 5001, &i);
	consistent(&c.wr);
	cr_assert_eq(k->bytes[1], 200000);
	cr_assert_eq(k->fin[1], 0, "the server sent a FIN after %llu bytes: --no-shutdown must not",
	    (unsigned long long)k->fin_after[1]);
	cr_assert_eq(count(&c.wr, i, WIRE_FIN, 1), 0);
	cr_assert_eq(k->fin[0], 0, "the client waits for EOF: no FIN from it either");
	cr_assert(!k->rst[0] && !k->rst[1]);
	cr_assert_eq(k->end, WIRE_END_OPEN);
	wire_free(&c.wr);
}

/*
 * --close-instead: the server's close() sends its FIN after the data; the
 * client's reply then reaches a closed socket, which answers with a RST.
 */
Test(wcap, close_instead_shows_the_servers_rst_after_the_reply, .timeout = 30)
{
	struct cs c;
	pid_t srv, cli;
	size_t i;
	char *flags[] = { "--close-instead", NULL };

	file_case(&c, "closeinst", "100000", flags, NULL, &srv, &cli);
	wait_exit(&c, cli, 10000);
	wait_exit(&c, srv, 10000);
	finish(&c);
	const struct wire_conn *k = conn_to(&c.wr, 5001, &i);
	consistent(&c.wr);
	cr_assert_eq(k->bytes[1], 100000);
	cr_assert(k->fin[1] && k->fin_after[1] == 100000, "the server's FIN after all the data");
	cr_assert_eq(k->rst[1], 1, "no RST from the server");
	cr_assert_eq(k->rst[0], 0, "a RST from the client");
	cr_assert_eq(k->bytes[0], 10, "the reply");
	const struct wire_event *r = first(&c.wr, i, WIRE_RST, 1);
	const struct wire_event *d = first(&c.wr, i, WIRE_DATA, 0);
	cr_assert_geq(r->t, d->t, "the RST answers the reply: it comes after it");
	cr_assert_eq(r->offset, 100000);
	cr_assert_eq(k->end, WIRE_END_RESET);
	wire_free(&c.wr);
}

/* --reset-after N: a RST from the server after exactly N bytes, no FIN. */
Test(wcap, reset_after_shows_the_rst_after_n_bytes, .timeout = 30)
{
	struct cs c;
	pid_t srv, cli;
	size_t i;
	char *flags[] = { "--reset-after", "20000", NULL };

	file_case(&c, "reset", "100000", flags, NULL, &srv, &cli);
	wait_exit(&c, cli, 10000);
	wait_exit(&c, srv, 10000);
	finish(&c);
	const struct wire_conn *k = conn_to(&c.wr, 5001, &i);
	consistent(&c.wr);
	cr_assert_eq(k->rst[1], 1, "no RST from the server");
	cr_assert_eq(k->rst_after[1], 20000, "the RST came after %llu bytes",
	    (unsigned long long)k->rst_after[1]);
	cr_assert_eq(k->bytes[1], 20000);
	cr_assert_eq(k->fin[1], 0, "a FIN before the RST");
	cr_assert_eq(first(&c.wr, i, WIRE_RST, 1)->offset, 20000);
	cr_assert_eq(k->end, WIRE_END_RESET);
	wire_free(&c.wr);
}

/*
 * A client that reads nothing for 1.5 s with a small receive buffer: its
 * window closes (zero window, from the client) and opens again when it
 * reads; the transfer then completes. With room for 4 packets per
 * connection and 4 at the end, the file has these only because they are
 * flagged.
 */
Test(wcap, a_reader_that_stops_shows_a_zero_window_then_its_reopening, .timeout = 30)
{
	struct cs c;
	pid_t srv, cli;
	size_t i;
	char *cflags[] = { "--rcvbuf", "4096", "--no-read-ms", "1500", NULL };

	struct wcap_limits lim = { .snaplen = 96, .head_packets = 4, .tail_packets = 4,
		.max_file_bytes = 1 << 20 };

	file_case_lim(&c, "zerowin", &lim, "1MiB", NULL, cflags, &srv, &cli);
	cr_assert_eq(wait_exit(&c, cli, 15000), 0, "file_client failed");
	cr_assert_eq(wait_exit(&c, srv, 15000), 0, "file_server failed");
	finish(&c);
	const struct wire_conn *k = conn_to(&c.wr, 5001, &i);
	consistent(&c.wr);
	cr_assert_eq(k->zero_window[0], 1, "the client never advertised a zero window");
	cr_assert_eq(k->zero_window[1], 0, "the server reads everything: no zero window from it");
	const struct wire_event *z = first(&c.wr, i, WIRE_ZERO_WINDOW, 0);
	const struct wire_event *o = first(&c.wr, i, WIRE_WINDOW_OPEN, 0);
	cr_assert_gt(o->t, z->t);
	cr_assert_gt(o->t - z->t, 0.5, "the window stayed closed %.3f s only", o->t - z->t);
	cr_assert_lt(o->t, k->fin_t[1], "the window must open before the server can finish");
	cr_assert_eq(k->bytes[1], 1048576);
	cr_assert_eq(k->fin_after[1], 1048576);
	cr_assert_eq(k->end, WIRE_END_CLOSED);
	cr_assert_gt(c.st.omitted, 0, "the limits left nothing out: the test shows nothing");
	wire_free(&c.wr);
}

/* UDP: each datagram and its echo, with their sizes, in order. */
Test(wcap, udp_shows_each_datagram_and_its_size, .timeout = 30)
{
	struct cs c;
	char *sargv[] = { "udp_echo_server", "--bind", "127.0.0.1", "5002", NULL };
	char *cargv[] = { "udp_echo_client", "--sizes", "29,300,1000", "127.0.0.1", "5002", NULL };
	const uint64_t sizes[] = { 29, 29, 300, 300, 1000, 1000 };
	size_t n = 0;

	start(&c, "udp", &WCAP_CASE);
	pid_t srv = spawn(&c, "server.log", sargv);
	wait_port(&c, "udp", 5002);
	pid_t cli = spawn(&c, "client.log", cargv);
	cr_assert_eq(wait_exit(&c, cli, 10000), 0, "udp_echo_client failed");
	sbx_signal(c.s, srv, SIGTERM);
	wait_exit(&c, srv, 10000);
	finish(&c);
	consistent(&c.wr);
	cr_assert_eq(c.wr.nconns, 1);
	const struct wire_conn *k = &c.wr.conns[0];
	cr_assert(k->udp);
	cr_assert_eq(k->b.port, 5002, "the client sends first: it is a");
	for (size_t i = 0; i < c.wr.nevents; i++) {
		const struct wire_event *e = &c.wr.events[i];
		cr_assert_eq(e->kind, WIRE_DATAGRAM);
		cr_assert_lt(n, 6);
		cr_assert_eq(e->bytes, sizes[n], "datagram %zu: %llu bytes", n,
		    (unsigned long long)e->bytes);
		cr_assert_eq(e->from, (int)(n % 2), "datagram %zu from the wrong side", n);
		n++;
	}
	cr_assert_eq(n, 6);
	cr_assert_eq(k->bytes[0], 1329);
	cr_assert_eq(k->bytes[1], 1329);
	wire_free(&c.wr);
}

/*
 * The keep policy: with room for 4 packets per connection and 2 at the
 * end, a 2 MiB transfer in 1000-byte writes leaves out its middle (counted),
 * keeps its first packets, the SYNs and the FINs (the server's is not among
 * the last 2), and its sizes still count every byte (sequence numbers).
 * tcpdump reads the file.
 */
Test(wcap, the_middle_is_left_out_and_still_counted, .timeout = 60)
{
	struct cs c;
	pid_t srv, cli;
	size_t i;
	char *flags[] = { "--chunk", "1000", NULL };
	struct wcap_limits lim = { .snaplen = 96, .head_packets = 4, .tail_packets = 2,
		.max_file_bytes = 1 << 20 };
	char *sargv[] = { "file_server", "--chunk", "1000", "--bind", "127.0.0.1", "--size", "2MiB",
		"5001", "-", NULL };
	char out[PATH_MAX];

	(void)flags;
	start(&c, "policy", &lim);
	srv = spawn(&c, "server.log", sargv);
	wait_port(&c, "tcp", 5001);
	snprintf(out, sizeof(out), "%s/policy.out", tmpdir);
	char *cargv[] = { "file_client", "127.0.0.1", "5001", out, NULL };
	cli = spawn(&c, "client.log", cargv);
	cr_assert_eq(wait_exit(&c, cli, 20000), 0);
	cr_assert_eq(wait_exit(&c, srv, 20000), 0);
	finish(&c);
	cr_assert_gt(c.st.omitted, 100, "only %llu of %llu packets omitted",
	    (unsigned long long)c.st.omitted, (unsigned long long)c.st.seen);
	cr_assert_lt(c.st.written, 30, "%llu packets written", (unsigned long long)c.st.written);
	const struct wire_conn *k = conn_to(&c.wr, 5001, &i);
	consistent(&c.wr);
	cr_assert_eq(count(&c.wr, i, WIRE_SYN, 0), 1);
	cr_assert_eq(count(&c.wr, i, WIRE_SYNACK, 1), 1);
	cr_assert_eq(k->bytes[1], 2097152, "the server sent %llu bytes",
	    (unsigned long long)k->bytes[1]);
	cr_assert_eq(k->fin_after[1], 2097152);
	cr_assert_eq(k->end, WIRE_END_CLOSED);
	/* the head: SYN, SYN-ACK, ACK and the first data segment */
	const struct wire_event *d = first(&c.wr, i, WIRE_DATA, 1);
	cr_assert_eq(d->offset, 0, "the first data segment is not in the file");
	const struct wire_event *o = first(&c.wr, i, WIRE_OMITTED, 1);
	cr_assert_gt(o->bytes, 1000000);
	cr_assert_geq(o->t, d->t);
	cr_assert_leq(o->t, o->t_end);
	struct stat sb;
	cr_assert_eq(stat(c.pcap, &sb), 0);
	cr_assert_eq((uint64_t)sb.st_size, c.st.file_bytes);
	cr_assert_leq(sb.st_size, 24 + 30 * (16 + 96));

	/* tcpdump opens it and lists the packets */
	char cmd[PATH_MAX + 128], line[512];
	snprintf(cmd, sizeof(cmd), "tcpdump -n -r '%s' 2>/dev/null", c.pcap);
	FILE *p = popen(cmd, "re");
	cr_assert_not_null(p);
	uint64_t lines = 0;
	int fins = 0;
	while (fgets(line, sizeof(line), p) != NULL) {
		lines++;
		fins += strstr(line, "Flags [F") != NULL;
	}
	int st = pclose(p);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tcpdump -r %s failed (%d)", c.pcap, st);
	cr_assert_eq(lines, c.st.written, "tcpdump lists %llu packets, %llu were written",
	    (unsigned long long)lines, (unsigned long long)c.st.written);
	cr_assert_eq(fins, 2, "tcpdump shows %d FINs", fins);
	wire_free(&c.wr);
}

/* No namespace to enter: the error says so, and no file is left. */
Test(wcap, a_missing_namespace_is_named, .timeout = 10)
{
	struct wcap *w;
	struct sc_err err;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/none.pcap", tmpdir);
	cr_assert_eq(wcap_start(2147483646, path, &WCAP_CASE, &w, &err), -1);
	cr_assert_null(w);
	cr_assert(strncmp(err.msg, "no capture: ", 12) == 0, "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, "No such file or directory"), "%s", err.msg);
	cr_assert_neq(access(path, F_OK), 0);
}

/* A file that is not a capture, and one cut short. */
Test(wcap, wire_read_names_what_is_wrong, .timeout = 10)
{
	struct wire w;
	struct sc_err err;
	char path[PATH_MAX];

	write_file("junk.pcap", "this is not a capture file at all\n", path, sizeof(path));
	cr_assert_eq(wire_read(path, 0, -1, &w, &err), -1);
	cr_assert_not_null(strstr(err.msg, "junk.pcap: "), "%s", err.msg);
	snprintf(path, sizeof(path), "%s/missing.pcap", tmpdir);
	cr_assert_eq(wire_read(path, 0, -1, &w, &err), -1);
	cr_assert_not_null(strstr(err.msg, "No such file"), "%s", err.msg);
}

/*
 * A client that retries connect() in a loop (a SYN and a RST per attempt):
 * past 4 x max_file_bytes nothing but the tail is written, and reading
 * many connections back stays quick. Here in a namespace of the test's own
 * (net_pid: this process).
 */
Test(wcap, a_connect_loop_is_bounded, .timeout = 60)
{
	struct wcap *w;
	struct wcap_stats st;
	struct wire wr;
	struct sc_err err;
	struct wcap_limits lim = { .snaplen = 96, .head_packets = 4, .tail_packets = 8,
		.max_file_bytes = 4096 };
	char path[PATH_MAX];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct ifreq ifr;
	const int attempts = 3000;

	if (geteuid() != 0)
		cr_skip_test("the capture needs root (a network namespace, CAP_NET_RAW)");
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s", strerror(errno));
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	cr_assert_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	cr_assert_eq(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/loop.pcap", tmpdir);
	double t0 = now_real();
	cr_assert_eq(wcap_start(getpid(), path, &lim, &w, &err), 0, "%s", err.msg);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	for (int i = 0; i < attempts; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		cr_assert_neq(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
		cr_assert_eq(errno, ECONNREFUSED);
		close(s);
	}
	cr_assert_eq(wcap_stop(w, &st, &err), 0, "%s", err.msg);
	cr_assert_eq(st.seen, 2 * attempts, "%llu packets seen", (unsigned long long)st.seen);
	cr_assert_eq(st.dropped, 0);
	uint64_t bound = 24 + 4 * lim.max_file_bytes + (16 + lim.snaplen) * (lim.tail_packets + 1);
	cr_assert_leq(st.file_bytes, bound, "%llu bytes, over %llu", (unsigned long long)st.file_bytes,
	    (unsigned long long)bound);
	cr_assert_gt(st.omitted, attempts);
	cr_assert_eq(wire_read(path, t0, -1, &wr, &err), 0, "%s", err.msg);
	cr_assert_eq(wr.packets, st.written);
	cr_assert_gt(wr.nconns, 40);
	size_t refused = 0;
	for (size_t i = 0; i < wr.nconns; i++)
		refused += wr.conns[i].end == WIRE_END_REFUSED;
	cr_assert_geq(refused, wr.nconns - 2, "%zu of %zu connections refused", refused, wr.nconns);
	wire_free(&wr);
}
