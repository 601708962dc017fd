/*
 * watch: a deadlock is a state that holds, never one look at a moment.
 *
 * Real processes on loopback, in the test's own network namespace: a
 * "server" in accept() and a "client" that waits for a go-ahead on a pipe,
 * then connects, reads what the server writes and waits for more. The
 * watch's clock is given (t), so the quiet periods are exact.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pnet.h"
#include "watch.h"

struct duo {
	int lsd;		/* the listening socket (the server's) */
	unsigned port;
	pid_t server, client;
	int go;			/* write a byte: the client connects */
};

static void
listen_any(struct duo *d)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d->lsd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(d->lsd >= 0);
	cr_assert(bind(d->lsd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	cr_assert(listen(d->lsd, 4) == 0);
	cr_assert(getsockname(d->lsd, (struct sockaddr *)&sa, &len) == 0);
	d->port = ntohs(sa.sin_port);
}

/* accept, write 1000 bytes, then wait for bytes that never come */
static pid_t
start_server(struct duo *d)
{
	pid_t pid = fork();

	cr_assert(pid >= 0);
	if (pid == 0) {
		char buf[1000];
		int c;
		setpgid(0, 0);
		if ((c = accept(d->lsd, NULL, NULL)) < 0)
			_exit(1);
		memset(buf, 'x', sizeof(buf));
		if (write(c, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			_exit(1);
		while (read(c, buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	setpgid(pid, pid);
	return pid;
}

/* wait for the go-ahead, connect, read in a poll() loop forever */
static pid_t
start_client(struct duo *d)
{
	int p[2];
	pid_t pid;

	cr_assert(pipe2(p, O_CLOEXEC) == 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		struct sockaddr_in sa = { .sin_family = AF_INET };
		char buf[4096];
		int s;
		setpgid(0, 0);
		close(p[1]);
		if (read(p[0], buf, 1) != 1)
			_exit(1);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sa.sin_port = htons((unsigned short)d->port);
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(1);
		for (;;) {
			struct pollfd pfd = { .fd = s, .events = POLLIN };
			if (poll(&pfd, 1, -1) < 0 || read(s, buf, sizeof(buf)) <= 0)
				_exit(0);
		}
	}
	setpgid(pid, pid);
	close(p[0]);
	d->go = p[1];
	return pid;
}

/* Wait (at most 5 s) until `pid` sleeps in system call `name`. */
static void
wait_in(pid_t pid, const char *name)
{
	const char *names[] = { name, NULL };
	struct sc_err err;

	for (int i = 0; i < 500; i++) {
		struct pnet_task t;
		if (pnet_task(pid, &t, &err) == 0 && t.state == 'S' && watch_blocked_in(&t, names))
			return;
		usleep(10000);
	}
	cr_assert_fail("process %d never blocked in %s()", (int)pid, name);
}

static void
stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);	/* our unreaped child: the number is still its own */
		waitpid(pid, NULL, 0);
	}
}

static void
setup_watch(struct watch *w, struct scn *s, const struct duo *d, double t0)
{
	memset(s, 0, sizeof(*s));
	s->id = "file.server.test";
	s->protocol = SCN_FILE;
	s->role = SCN_SERVER;
	watch_init(w, s, 1.0, t0);
	w->net_pid = getpid();	/* the test's own namespace: the case's sockets by port */
	w->port = d->port;
}

static void
procs(struct watch_proc *wp, const struct duo *d)
{
	wp[0] = (struct watch_proc){ .role = "student", .pid = d->server, .alive = 1,
	    .student = 1, .server = 1 };
	wp[1] = (struct watch_proc){ .role = "peer 1", .pid = d->client, .alive = 1 };
}

/*
 * The runner starts a peer while the server waits in accept(): a process
 * that was not there at the last look is movement. Before, the quiet period
 * ran from before the peer existed, and a busy machine that took 0.3 s to
 * start it ended the case at its first look ("student is blocked in
 * accept(); peer 1 is blocked in poll()").
 */
Test(watch, a_new_process_starts_a_new_quiet_period, .timeout = 20)
{
	struct duo d = { .go = -1 };
	struct watch w;
	struct watch_proc wp[2];
	struct scn s;
	const double t0 = 1000.0;

	listen_any(&d);
	d.server = start_server(&d);
	d.client = start_client(&d);
	setup_watch(&w, &s, &d, t0);
	procs(wp, &d);
	wait_in(d.server, "accept");
	wait_in(d.client, "read");
	watch_step(&w, t0, 0, wp, 1);		/* the server alone */
	watch_step(&w, t0 + 0.35, 0, wp, 2);	/* the peer is there now */
	cr_expect(!w.stalled, "a peer just started was taken for a stall: %s",
	    w.stall ? w.stall : "");
	/* left as they are, the two wait for each other: that is a deadlock */
	watch_step(&w, t0 + 0.70, 0, wp, 2);
	watch_step(&w, t0 + 0.85, 0, wp, 2);
	cr_expect(w.stalled, "a real deadlock went unnoticed");
	cr_expect(w.stall && strstr(w.stall, "blocked in accept()"), "%s", w.stall ? w.stall : "");
	watch_free(&w);
	stop(d.client);
	stop(d.server);
	close(d.go);
	close(d.lsd);
}

/*
 * One look sees every process waiting, then the client connects and the
 * server writes: what one look saw was a moment. Before, that look ended
 * the case.
 */
Test(watch, one_look_is_not_a_deadlock, .timeout = 20)
{
	struct duo d = { .go = -1 };
	struct watch w;
	struct watch_proc wp[2];
	struct scn s;
	const double t0 = 1000.0;

	listen_any(&d);
	d.server = start_server(&d);
	d.client = start_client(&d);
	setup_watch(&w, &s, &d, t0);
	procs(wp, &d);
	wait_in(d.server, "accept");
	wait_in(d.client, "read");
	watch_step(&w, t0, 0, wp, 2);
	watch_step(&w, t0 + 0.35, 0, wp, 2);	/* both wait, nothing queued: so far */
	cr_expect(!w.stalled, "one look ended the case: %s", w.stall ? w.stall : "");
	cr_assert(write(d.go, "g", 1) == 1);
	wait_in(d.server, "read");		/* accepted and wrote */
	wait_in(d.client, "poll");		/* read it all, waits for more */
	watch_step(&w, t0 + 0.50, 0, wp, 2);
	cr_expect(!w.stalled, "a transfer that moved was taken for a stall: %s",
	    w.stall ? w.stall : "");
	/* now both wait for good: confirmed at a second look */
	watch_step(&w, t0 + 0.85, 0, wp, 2);
	cr_expect(!w.stalled, "stalled at the first look of the deadlock");
	watch_step(&w, t0 + 1.00, 0, wp, 2);
	cr_expect(w.stalled, "a real deadlock went unnoticed");
	cr_expect(w.stall && strstr(w.stall, "blocked in read()") &&
	    strstr(w.stall, "blocked in poll()"), "%s", w.stall ? w.stall : "");
	watch_free(&w);
	stop(d.client);
	stop(d.server);
	close(d.go);
	close(d.lsd);
}
