#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ref_net.h"
#include "ref_start.h"

const char *
ref_prog_name(enum ref_prog prog)
{
	switch (prog) {
	case REF_ECHO_SERVER: return "echo_server";
	case REF_ECHO_CLIENT: return "echo_client";
	case REF_FILE_SERVER: return "file_server";
	case REF_FILE_CLIENT: return "file_client";
	case REF_UDP_SERVER: return "udp_echo_server";
	case REF_UDP_CLIENT: return "udp_echo_client";
	}
	return "reference peer";
}

int
ref_start(int argc, char **argv, enum ref_prog prog, struct ref_opts *o, unsigned *port)
{
	const char *name = ref_prog_name(prog);
	int server = prog == REF_ECHO_SERVER || prog == REF_FILE_SERVER || prog == REF_UDP_SERVER;
	int nargs = prog == REF_ECHO_SERVER || prog == REF_UDP_SERVER ? 1 :
	    prog == REF_FILE_CLIENT ? 3 : 2;
	const char *needs = prog == REF_ECHO_SERVER || prog == REF_UDP_SERVER ? "needs PORT" :
	    prog == REF_FILE_SERVER ? "needs PORT and FILE" :
	    prog == REF_FILE_CLIENT ? "needs IP, PORT and OUTFILE" : "needs IP and PORT";
	char err[512];
	int rc;

	rc = ref_opts_parse(argc, argv, prog, o, err, sizeof(err));
	if (rc == 1) {
		fputs(ref_opts_usage(prog), stdout);
		return 0;
	}
	if (rc < 0 || o->nargs != nargs) {
		fprintf(stderr, "%s: %s\n%s", name, rc < 0 ? err : needs, ref_opts_usage(prog));
		return 2;
	}
	if (!server && !ref_addr_valid(o->args[0])) {
		fprintf(stderr, "%s: bad address '%s' (a numeric IPv4 or IPv6 address)\n", name,
		    o->args[0]);
		return 2;
	}
	/* a server may take port 0 (any free port, logged in "listen") */
	const char *p = o->args[server ? 0 : 1];
	if (ref_parse_port(p, port) < 0 || (!server && *port == 0)) {
		fprintf(stderr, "%s: bad port '%s' (%s to 65535)\n", name, p, server ? "0" : "1");
		return 2;
	}
	return -1;
}

int
ref_start_events(enum ref_prog prog, const struct ref_opts *o, struct ref_events *ev)
{
	char err[512];

	if (ref_events_open(ev, o->events, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", ref_prog_name(prog), err);
		return -1;
	}
	ref_event(ev, "start", 0, "prog", 's', ref_prog_name(prog), "pid", 'i', (int64_t)getpid(),
	    NULL);
	return 0;
}

int
ref_start_connect(enum ref_prog prog, const struct ref_opts *o, unsigned port,
    struct ref_events *ev, struct ref_conn *c)
{
	char err[512];
	int fd, e;

	if (o->delay_connect_ms)
		ref_sleep_us((uint64_t)o->delay_connect_ms * 1000);
	if ((fd = ref_connect(o->args[0], port, o->rcvbuf, &e, err, sizeof(err))) < 0) {
		ref_event(ev, "connect_error", 0, "error", 's', ref_errno_name(e), "message", 's',
		    err, NULL);
		ref_event(ev, "end", 0, "status", 'i', (int64_t)1, "message", 's', err, NULL);
		fprintf(stderr, "%s: %s\n", ref_prog_name(prog), err);
		return -1;
	}
	ref_conn_init(c, fd, 1, ev, o);
	ref_event(ev, "connect", 1, "addr", 's', o->args[0], "port", 'u', (uint64_t)port, NULL);
	return 0;
}

int
ref_accept(int lfd, const struct ref_opts *o)
{
	if (o->delay_accept_ms) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
		ref_sleep_us((uint64_t)o->delay_accept_ms * 1000);
	}
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}
