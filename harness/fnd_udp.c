/*
 * fnd_udp: the convention finder's part for UDP programs (contract in
 * fnd_int.h; the whole in fnd.h).
 *
 * A UDP server is found as a TCP one is (fnd.c, find_server), its socket
 * being a bound datagram socket of its own (/proc/net/udp{,6}) instead of a
 * LISTEN one: the argv port, a port fixed in the program, an ephemeral one
 * (it bound port 0), printed or not.
 *
 * A UDP client is started against the reference UDP server and given one
 * line; the preload library's trace says where the datagram went (sendto's
 * address, or the address it connect()ed its socket to). Where it went
 * tells the arguments apart: `{host} {port}` as the textbook, `{port}
 * {host}`, one argument, none; and a port or an address fixed in the
 * program (a destination that none of its arguments gives). Its prompt and
 * quit word are then found as for the TCP echo client (fnd_find_quit).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fnd.h"
#include "fnd_int.h"
#include "pnet.h"
#include "sbx.h"

#define PROBE_LINE "sockcheck finder probe\n"

int
fnd_udp_bound_port(struct fnd_probe *pr, unsigned *port)
{
	unsigned ports[8];
	struct sc_err err;

	if (pnet_udp_ports_of(sbx_net_pid(pr->sbx), 0, pr->pid, ports, 8, &err) > 0) {
		*port = ports[0];
		return 1;
	}
	return 0;
}

/* What one start of a UDP client showed. */
struct udp_obs {
	int dgram, stream;	/* the kinds of internet socket it made */
	int connected;		/* it connect()ed a datagram socket */
	int sent;		/* a destination was seen (sendto or connect) */
	unsigned dport;
	char daddr[64];
	char *prompt;		/* what it printed before its first line, NUL-terminated */
	size_t promptn;
};

/* An IPv4-mapped IPv6 address as its IPv4 form. */
static const char *
plain_addr(const char *a)
{
	return strncmp(a, "::ffff:", 7) == 0 && strchr(a + 7, '.') ? a + 7 : a;
}

static void
udp_from_trace(const struct fnd_probe *pr, struct udp_obs *o)
{
	struct fnd_trace t;
	int dgram_fd[16];
	size_t nd = 0;

	fnd_trace_read(pr, &t);
	for (size_t i = 0; i < t.n; i++) {
		const struct fnd_trace_line *x = &t.l[i];
		int is_dgram = 0;
		for (size_t k = 0; k < nd; k++)
			if (dgram_fd[k] == x->fd)
				is_dgram = 1;
		if (x->kind == FND_T_SOCKET && (x->domain == 2 || x->domain == 10)) {
			if (x->type == 1)
				o->stream = 1;
			else if (x->type == 2) {
				o->dgram = 1;
				if (nd < 16)
					dgram_fd[nd++] = x->fd;
			}
		} else if ((x->kind == FND_T_SENDTO || (x->kind == FND_T_CONNECT && is_dgram)) &&
		    x->port > 0 && !o->sent) {
			o->sent = 1;
			o->dport = (unsigned)x->port;
			snprintf(o->daddr, sizeof(o->daddr), "%s", plain_addr(x->addr));
			if (x->kind == FND_T_CONNECT && x->err == 0)
				o->connected = 1;
		} else if (x->kind == FND_T_CONNECT && is_dgram && x->err == 0) {
			o->connected = 1;
		}
	}
	free(t.l);
}

/* The client has sent a datagram (or connect()ed its datagram socket), or ended. */
static int
cond_sent(struct fnd_probe *pr, void *arg)
{
	struct udp_obs o;

	(void)arg;
	if (pr->ended)
		return 1;
	memset(&o, 0, sizeof(o));
	udp_from_trace(pr, &o);
	return o.sent;
}

/* One start of the client with `cl`: its prompt, then one line, then where it sent it. */
static int
udp_observe(const struct fnd_env *e, const struct fnd_client *cl, unsigned n,
    struct udp_obs *o, struct sc_err *err)
{
	struct fnd_probe pr;

	memset(o, 0, sizeof(*o));
	memset(&pr, 0, sizeof(pr));
	if (fnd_client_start(e, cl, n, &pr, err) < 0) {
		fnd_probe_close(&pr);
		return -1;
	}
	fnd_probe_pump(&pr, 0);
	if (pr.out) {
		o->prompt = pr.out;
		o->promptn = pr.outn;
		pr.out = NULL;
		pr.outn = 0;
	}
	if (pr.pid > 0 && !pr.ended && fnd_reading_stdin(&pr)) {
		fnd_feed(&pr, PROBE_LINE);
		fnd_probe_pump(&pr, 5);
	}
	/* the destination is all that is needed: as soon as the trace has it */
	fnd_probe_wait(&pr, cond_sent, NULL, 0.5);
	fnd_probe_pump(&pr, 0);
	udp_from_trace(&pr, o);
	fnd_probe_close(&pr);
	return 0;
}

/* The port number an argument gives (atoi-style: its leading digits), or -1. */
static long
arg_port(const char *a)
{
	char *end;
	long v = strtol(a, &end, 10);
	return end == a ? -1 : v;
}

/* Whether the destination port, or address, is what one of the arguments gives. */
static int
port_from_args(unsigned port, char **argv)
{
	for (size_t i = 1; argv[i]; i++)
		if (arg_port(argv[i]) == (long)port)
			return 1;
	return 0;
}

static int
addr_from_args(const char *addr, char **argv)
{
	struct in_addr a, b;

	if (inet_pton(AF_INET, addr, &a) != 1)
		return 0;
	for (size_t i = 1; argv[i]; i++)
		if (inet_aton(argv[i], &b) == 1 && a.s_addr == b.s_addr)
			return 1;
	return 0;
}

void
fnd_find_udp_client(const struct fnd_env *e, const struct prof *p, struct fnd_prog *fp,
    struct sc_err *err)
{
	static const char *const forms[] = { "./%s {host} {port}", "./%s {port} {host}",
	    "./%s {host}", "./%s {port}", "./%s" };
	const struct prof_prog *pp = &p->progs[PROF_UDP_CLIENT];
	const char *name = prof_prog_name(PROF_UDP_CLIENT);
	const char *host = (pp->set & PROF_SET_HOST) && pp->host ? pp->host : "127.0.0.1";
	char tmpl[5][256], fixed_addr[64] = "", prompt_word[32];
	size_t nforms = 0, chosen = (size_t)-1;
	unsigned n = 0, fixed_port = 0;
	struct udp_obs o, co;
	struct fnd_client cl = { .kind = PROF_UDP_CLIENT, .ref = "udp_echo_server",
		.host = host, .port = FND_PROBE_PORT };
	int from_prompt = 0;

	memset(&co, 0, sizeof(co));
	if (pp->set & PROF_SET_COMMAND)
		snprintf(tmpl[nforms++], sizeof(tmpl[0]), "%s", pp->command);
	else
		for (size_t f = 0; f < 5; f++)
			snprintf(tmpl[nforms++], sizeof(tmpl[0]), forms[f], name);
	for (size_t f = 0; f < nforms && chosen == (size_t)-1; f++) {
		char **argv = prof_expand(tmpl[f], host, FND_PROBE_PORT, "f", "o", err);
		int port_ok, addr_ok;

		if (argv == NULL)
			return;
		cl.tmpl = tmpl[f];
		if (udp_observe(e, &cl, n++, &o, err) < 0) {
			prof_argv_free(argv);
			free(o.prompt);
			return;
		}
		fp->runs++;
		if (o.stream && !o.dgram) {
			/* a TCP client given as the UDP one: its cases say so, one line each */
			fp->sock = FND_SOCK_TCP;
			fnd_set_str(&fp->command, tmpl[f]);
			prof_argv_free(argv);
			free(o.prompt);
			return;
		}
		if (!o.sent) {
			/* a usage message, or it sent nothing: the next form */
			prof_argv_free(argv);
			free(o.prompt);
			continue;
		}
		port_ok = o.dport == FND_PROBE_PORT;
		addr_ok = strcmp(o.daddr, host) == 0;
		if ((port_ok || !port_from_args(o.dport, argv)) &&
		    (addr_ok || !addr_from_args(o.daddr, argv))) {
			/* what it did not take from its arguments is fixed in it */
			chosen = f;
			if (!port_ok)
				fixed_port = o.dport;
			if (!addr_ok)
				snprintf(fixed_addr, sizeof(fixed_addr), "%s", o.daddr);
			co = o;
			o.prompt = NULL;
		}
		prof_argv_free(argv);
		free(o.prompt);
	}
	if (chosen == (size_t)-1) {
		fp->note = strdup("it sent no datagram where it was told, whatever its arguments");
		free(co.prompt);
		return;
	}
	fp->sock = FND_SOCK_UDP;
	fnd_set_str(&fp->command, tmpl[chosen]);
	fp->udp_connected = co.connected;
	if (fixed_port) {
		fp->fixed_client_port = 1;
		fp->port_found = 1;
		fp->port_mode = PROF_PORT_FIXED;
		fp->fixed_port = fixed_port;
	}
	if (fixed_addr[0])
		fnd_set_str(&fp->host, fixed_addr);
	if (co.prompt && fnd_quit_from_prompt(co.prompt, co.promptn, prompt_word,
	    sizeof(prompt_word)))
		from_prompt = 1;
	free(co.prompt);
	if (pp->set & PROF_SET_QUIT)
		return;
	cl.tmpl = tmpl[chosen];
	if (fixed_port)
		cl.port = fixed_port;
	if (fixed_addr[0]) {
		struct in_addr a;
		cl.host = fixed_addr;
		cl.add_host = !(inet_pton(AF_INET, fixed_addr, &a) == 1 &&
		    (ntohl(a.s_addr) >> 24) == 127) && strcmp(fixed_addr, "::1") != 0;
	}
	fnd_find_quit(e, &cl, from_prompt ? prompt_word : NULL, &n, fp, err);
}
