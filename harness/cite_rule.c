/*
 * cite_rule: per cause, the recorded call it is about (cite_int.h). The
 * preload library writes a site line when a descriptor's call of a kind
 * comes from another site than the last (so the last logged write on a
 * connection is its last write), and once per site for an end of file, an
 * error, a short write or a spin (harness/preload/preload.h).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>

#include "cite_int.h"

int
cite_ours(const struct progs *p, const char *prog)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->name[i], prog) == 0)
			return 1;
	return 0;
}


static int
is_write(const char *call)
{
	return strcmp(call, "write") == 0 || strcmp(call, "send") == 0 ||
	    strcmp(call, "sendto") == 0 || strcmp(call, "writev") == 0;
}

static int
is_read(const char *call)
{
	return strncmp(call, "read", 4) == 0 || strncmp(call, "recv", 4) == 0;
}

static int
is_open(const char *call)
{
	return strncmp(call, "open", 4) == 0 || strncmp(call, "fopen", 5) == 0 ||
	    strcmp(call, "creat") == 0;
}

static int
ev(const struct site_at *a, const char *event)
{
	return strcmp(a->event, event) == 0;
}

/* Connections (accepted or connected descriptors) as of event k. */
static int
is_conn(const struct site_log *l, const struct progs *p, size_t k, int fd)
{
	for (size_t i = k + 1; i-- > 0;) {
		const struct site_at *a = &l->at[i];
		if (!cite_ours(p, a->prog) || a->fd != fd || !ev(a, "use"))
			continue;
		if (strncmp(a->call, "accept", 6) == 0 || strcmp(a->call, "connect") == 0)
			return 1;
		if (strcmp(a->call, "socket") == 0 || (strcmp(a->call, "close") == 0 && i != k))
			return 0;
	}
	return 0;
}

static void
set(struct pick *pk, const struct site_at *a, const char *role)
{
	pk->call = a->call;
	pk->at = a->at;
	pk->up = a->up;
	pk->ret = 1;
	pk->fd = a->fd;
	pk->arg = a->arg;
	pk->role = role;
}

/* The last event matching, or the first (`first`). */
static const struct site_at *
find(const struct site_log *l, const struct progs *p, int first,
    int (*match)(const struct site_log *, const struct progs *, size_t))
{
	const struct site_at *hit = NULL;

	for (size_t i = 0; i < l->nat; i++)
		if (cite_ours(p, l->at[i].prog) && match(l, p, i)) {
			hit = &l->at[i];
			if (first)
				break;
		}
	return hit;
}

static int
m_conn_close(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "use") && strcmp(l->at[i].call, "close") == 0 &&
	    is_conn(l, p, i, l->at[i].fd);
}

static int
m_conn_write(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "use") && is_write(l->at[i].call) && is_conn(l, p, i, l->at[i].fd);
}

static int
m_conn_read(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "use") && is_read(l->at[i].call) && is_conn(l, p, i, l->at[i].fd);
}

static int
m_conn_accept(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "use") && strncmp(l->at[i].call, "accept", 6) == 0;
}

static int
m_pipe(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "pipe") ||
	    (ev(&l->at[i], "err") && is_write(l->at[i].call) && l->at[i].arg == EPIPE);
}

static int
m_spin(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "spin");
}

static int
m_read_err(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "err") && is_read(l->at[i].call);
}

static int
m_short(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "short");
}

static int
m_open_failed(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "err") && is_open(l->at[i].call);
}

static int
m_v4_addr(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "use") && (strncmp(l->at[i].call, "inet_", 5) == 0 ||
	    strcmp(l->at[i].call, "getaddrinfo") == 0) && l->at[i].arg == AF_INET;
}

static int
m_v4_socket(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "use") && strcmp(l->at[i].call, "socket") == 0 &&
	    l->at[i].arg == AF_INET;
}

static int
m_stdin_eof(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "eof") && l->at[i].fd == 0;
}

static int
m_after(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "after");
}

/* Was fd a socket (made by socket(), accept() or connect()) at event k? */
static int
is_sock(const struct site_log *l, const struct progs *p, size_t k, int fd)
{
	for (size_t i = k + 1; i-- > 0;) {
		const struct site_at *a = &l->at[i];
		if (!cite_ours(p, a->prog) || a->fd != fd || !ev(a, "use"))
			continue;
		if (strncmp(a->call, "accept", 6) == 0 || strcmp(a->call, "connect") == 0 ||
		    strcmp(a->call, "socket") == 0)
			return 1;
		if (strcmp(a->call, "close") == 0 && i != k)
			return 0;
	}
	return 0;
}

static int
m_sock_read(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "use") && is_read(l->at[i].call) && is_sock(l, p, i, l->at[i].fd);
}

static int
m_sock_write(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "use") && is_write(l->at[i].call) && is_sock(l, p, i, l->at[i].fd);
}

static int
m_sock_eof(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "eof") && is_read(l->at[i].call) && is_sock(l, p, i, l->at[i].fd);
}

static int
m_bind(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "use") && strcmp(l->at[i].call, "bind") == 0;
}

static int
m_listen(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "use") && strcmp(l->at[i].call, "listen") == 0;
}

static int
m_err(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "err") && l->at[i].arg != EINTR;
}

static int
m_eintr(const struct site_log *l, const struct progs *p, size_t i)
{
	const struct site_at *a = &l->at[i];
	return ev(a, "err") && a->arg == EINTR && (is_read(a->call) || is_write(a->call));
}

/* Where a program first used its address or port: bind(), connect(), sendto(). */
static int
m_addr_use(const struct site_log *l, const struct progs *p, size_t i)
{
	const char *c = l->at[i].call;
	return (ev(&l->at[i], "use") || ev(&l->at[i], "err")) && (strcmp(c, "bind") == 0 ||
	    strcmp(c, "connect") == 0 || strcmp(c, "sendto") == 0);
}

static int
m_connect_err(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "err") && strcmp(l->at[i].call, "connect") == 0;
}

static int
m_setup_err(const struct site_log *l, const struct progs *p, size_t i)
{
	const char *c = l->at[i].call;
	return ev(&l->at[i], "err") && (strcmp(c, "socket") == 0 || strcmp(c, "bind") == 0 ||
	    strcmp(c, "listen") == 0 || strncmp(c, "accept", 6) == 0);
}

static int
m_conn_read_err(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "err") && is_read(l->at[i].call) && is_conn(l, p, i, l->at[i].fd);
}

static int
m_conn_write_err(const struct site_log *l, const struct progs *p, size_t i)
{
	const struct site_at *a = &l->at[i];
	return ev(a, "err") && is_write(a->call) && a->arg != EINTR && is_conn(l, p, i, a->fd);
}

static int
m_conn_eof(const struct site_log *l, const struct progs *p, size_t i)
{
	return ev(&l->at[i], "eof") && is_read(l->at[i].call) && is_conn(l, p, i, l->at[i].fd);
}

/* A write to the output file: a descriptor above 2 that is no connection. */
static int
m_file_write(const struct site_log *l, const struct progs *p, size_t i)
{
	const struct site_at *a = &l->at[i];
	return ev(a, "use") && (is_write(a->call) || strcmp(a->call, "fputs") == 0 ||
	    strcmp(a->call, "fwrite") == 0) && a->fd > 2 && !is_conn(l, p, i, a->fd);
}

/* A read of a file (a descriptor above 2, no connection) whose site never
 * saw the end of the file: a loop that stopped early, or NULL. */
static const struct site_at *
unfinished_file_read(const struct site_log *l, const struct progs *p)
{
	for (size_t i = 0; i < l->nat; i++) {
		const struct site_at *a = &l->at[i];
		int ended = 0;
		if (!cite_ours(p, a->prog) || !ev(a, "use") || !is_read(a->call) || a->fd <= 2 ||
		    is_conn(l, p, i, a->fd))
			continue;
		for (size_t k = i + 1; k < l->nat && !ended; k++)
			ended = ev(&l->at[k], "eof") && l->at[k].at.vaddr == a->at.vaddr &&
			    strcmp(l->at[k].prog, a->prog) == 0;
		if (!ended)
			return a;
	}
	return NULL;
}

/* The first read of a connection after its last write (a file server
 * waiting for the reply), or NULL. */
static const struct site_at *
reply_read(const struct site_log *l, const struct progs *p)
{
	const struct site_at *w = find(l, p, 0, m_conn_write), *r = NULL;
	size_t from = 0;

	for (size_t i = 0; i < l->nat; i++)
		if (cite_ours(p, l->at[i].prog) && m_conn_accept(l, p, i))
			from = i;	/* the last connection */
	if (w != NULL)
		from = (size_t)(w - l->at);
	for (size_t i = from; i < l->nat && r == NULL; i++)
		if (cite_ours(p, l->at[i].prog) && m_conn_read(l, p, i) &&
		    (w == NULL || l->at[i].fd == w->fd))
			r = &l->at[i];
	return r;
}

/* The crash of one of our programs, or NULL. */
static const struct site_crash *
crash_of(const struct site_log *l, const struct progs *p)
{
	for (size_t i = 0; i < l->ncrash; i++)
		if (cite_ours(p, l->crash[i].prog) && l->crash[i].sig != SIGPIPE)
			return &l->crash[i];
	return NULL;
}

static const struct site_crash *
pipe_crash_of(const struct site_log *l, const struct progs *p)
{
	for (size_t i = 0; i < l->ncrash; i++)
		if (cite_ours(p, l->crash[i].prog) && l->crash[i].sig == SIGPIPE)
			return &l->crash[i];
	return NULL;
}

int
cite_pick(const char *cause, int client, const struct site_log *l, const struct progs *p,
    struct pick out[2], const struct site_crash **crash)
{
	const struct site_at *a = NULL, *b = NULL;
	const char *role = cause;

	*crash = NULL;
	if (strcmp(cause, "close-not-shutdown") == 0)
		a = find(l, p, 0, m_conn_close);
	else if (strcmp(cause, "no-shutdown") == 0) {
		/* where the server waits for the reply while the client waits for
		 * the end: shutdown() belongs before that read; else after the
		 * last write of the data */
		if ((a = reply_read(l, p)) != NULL)
			role = "no-shutdown-read";
		else
			a = find(l, p, 0, m_conn_write);
	} else if (strcmp(cause, "sigpipe-death") == 0) {
		if ((a = find(l, p, 0, m_pipe)) == NULL)
			*crash = pipe_crash_of(l, p);
	} else if (strcmp(cause, "spin") == 0) {
		if ((a = find(l, p, 1, m_spin)) == NULL)
			a = find(l, p, 0, m_read_err);
	} else if (strcmp(cause, "missing-served-file") == 0) {
		a = find(l, p, 1, m_open_failed);
		*crash = crash_of(l, p);
	} else if (strcmp(cause, "ipv4-only") == 0) {
		if ((a = find(l, p, 1, m_v4_addr)) == NULL)
			a = find(l, p, 1, m_v4_socket);
	} else if (strcmp(cause, "no-eof-exit") == 0) {
		a = find(l, p, 1, m_stdin_eof);
		b = find(l, p, 1, m_after);
	} else if (strcmp(cause, "echo-missing") == 0)
		a = find(l, p, 0, m_conn_read);
	else if (strcmp(cause, "crash") == 0)
		*crash = crash_of(l, p);
	else if (strcmp(cause, "exit-0-on-error") == 0 || strcmp(cause, "stderr-message") == 0) {
		/* the failure the program went on from: a refused connect(), a
		 * connection's read or write error, else the end of the data it
		 * took for a success, else its last failed call */
		if ((a = find(l, p, 1, m_connect_err)) == NULL &&
		    (a = find(l, p, 1, m_open_failed)) == NULL &&
		    (a = find(l, p, 1, m_conn_read_err)) == NULL &&
		    (a = find(l, p, 1, m_conn_write_err)) == NULL) {
			if ((a = find(l, p, 1, m_conn_eof)) != NULL)
				role = "eof-taken";
			else
				a = find(l, p, 0, m_err);
		}
		if (strcmp(cause, "stderr-message") == 0)
			*crash = crash_of(l, p);
	}
	else if (strcmp(cause, "error-ignored") == 0)
		a = find(l, p, 1, m_err);	/* the injected failure it went on from */
	else if (strcmp(cause, "no-listen") == 0)
		a = find(l, p, 1, m_setup_err);
	else if (strcmp(cause, "short-read") == 0) {
		if ((a = find(l, p, 1, m_conn_read_err)) == NULL) {
			a = find(l, p, 0, m_conn_read);
			role = "short-read-stop";
		}
	} else if (strcmp(cause, "lost-bytes") == 0 || strcmp(cause, "short-write") == 0) {
		if ((a = unfinished_file_read(l, p)) != NULL)
			role = "unfinished-read";
		else if (strcmp(cause, "short-write") == 0)
			a = find(l, p, 1, m_short);
		else
			a = find(l, p, 0, m_conn_write);
	} else if (strcmp(cause, "data-mismatch") == 0 || strcmp(cause, "binary-unsafe") == 0 ||
	    strcmp(cause, "extra-bytes") == 0) {
		role = "data-mismatch";
		if (!(client && (a = find(l, p, 0, m_file_write)) != NULL)) {
			/* a connection's write, else a datagram's (UDP) */
			if ((a = find(l, p, 0, m_conn_write)) == NULL)
				a = find(l, p, 0, m_sock_write);
			role = "data-mismatch-sent";
		}
	} else if (strcmp(cause, "no-reply") == 0)
		a = find(l, p, 1, m_conn_eof);
	else if (strcmp(cause, "sent-bytes") == 0)
		a = find(l, p, 0, m_conn_write);
	else if (strcmp(cause, "not-serving") == 0)
		a = find(l, p, 0, m_setup_err);	/* a failed accept() that ended the server */
	else if (strcmp(cause, "hidden-port") == 0) {
		/* the port it took: its bind(), else the listen() that chose one */
		if ((a = find(l, p, 0, m_bind)) == NULL)
			a = find(l, p, 0, m_listen);
	} else if (strcmp(cause, "no-eintr-retry") == 0 || strcmp(cause, "prints-sent") == 0) {
		/* the first call a signal interrupted (the preload's EINTR) */
		a = find(l, p, 1, m_eintr);
	} else if (strcmp(cause, "unchecked-connect") == 0)
		a = find(l, p, 1, m_connect_err);
	else if (strcmp(cause, "accept-error-exit") == 0) {
		a = find(l, p, 0, m_setup_err);
		role = "not-serving";
	} else if (strcmp(cause, "not-streamed") == 0)
		a = find(l, p, 0, m_conn_read);
	else if (strcmp(cause, "args-unchecked") == 0)
		a = find(l, p, 1, m_addr_use);	/* the port made of an unchecked argument, first used */
	else if (strcmp(cause, "one-client-at-a-time") == 0)
		a = find(l, p, 1, m_conn_read);
	else if (strcmp(cause, "reply-before-eof") == 0) {
		/* the reply's write came before read() returned 0 */
		if ((a = find(l, p, 0, m_conn_write)) == NULL)
			a = find(l, p, 0, m_sock_write);
	} else if (strcmp(cause, "truncated-datagram") == 0 ||
	    strcmp(cause, "no-receive-timeout") == 0)
		a = find(l, p, 0, m_sock_read);
	else if (strcmp(cause, "datagram-unanswered") == 0) {
		if ((a = find(l, p, 1, m_sock_eof)) == NULL)
			a = find(l, p, 0, m_sock_read);
		else
			role = "empty-datagram";
	} else if (strcmp(cause, "reply-address") == 0 || strcmp(cause, "split-datagram") == 0)
		a = find(l, p, 0, m_sock_write);
	if (a == NULL) {
		if (b == NULL)
			return 0;
		a = b;
		b = NULL;
	}
	set(&out[0], a, role);
	if (b == NULL)
		return 1;
	set(&out[1], b, "repeat");
	return 2;
}
