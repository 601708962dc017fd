#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_opts.h"

#define ALL (REF_ECHO_SERVER | REF_ECHO_CLIENT | REF_FILE_SERVER | REF_FILE_CLIENT)
#define SERVERS (REF_ECHO_SERVER | REF_FILE_SERVER)
#define CLIENTS (REF_ECHO_CLIENT | REF_FILE_CLIENT)
#define UDP (REF_UDP_SERVER | REF_UDP_CLIENT)

enum {
	O_EVENTS = 256, O_CHUNK, O_GAP, O_CLOSE_AFTER, O_RESET_AFTER, O_RCVBUF, O_READ_SIZE,
	O_READ_PAUSE, O_NO_READ, O_UNASKED, O_TIMEOUT, O_DELAY_ACCEPT, O_MAX_CLIENTS, O_BIND,
	O_DELAY_CONNECT, O_MANGLE, O_SIZE, O_PATTERN, O_SEED, O_IDLE, O_HOLD, O_EXPECT_NOTHING,
	O_NO_SHUTDOWN, O_CLOSE_INSTEAD, O_NO_REPLY_WAIT, O_REPLY_TIMEOUT, O_NO_REPLY,
	O_REPLY_EARLY, O_REPLY, O_DROP, O_DUPLICATE, O_REORDER, O_DELAY_MS, O_TRUNCATE,
	O_OTHER_PORT, O_CATCH_TCP, O_MAX_DGRAMS, O_SIZES, O_GAP_MS, O_BURST, O_CONNECT, O_HELP
};

static const struct flag {
	const char *name;
	int has_arg, id;
	unsigned progs;
} flags[] = {
	{ "events", 1, O_EVENTS, ALL | UDP }, { "chunk", 1, O_CHUNK, ALL },
	{ "gap-us", 1, O_GAP, ALL }, { "close-after", 1, O_CLOSE_AFTER, ALL },
	{ "reset-after", 1, O_RESET_AFTER, ALL }, { "rcvbuf", 1, O_RCVBUF, ALL | UDP },
	{ "read-size", 1, O_READ_SIZE, ALL }, { "read-pause-us", 1, O_READ_PAUSE, ALL },
	{ "no-read-ms", 1, O_NO_READ, ALL }, { "unasked", 1, O_UNASKED, ALL | REF_UDP_SERVER },
	{ "timeout-ms", 1, O_TIMEOUT, ALL | REF_UDP_CLIENT }, { "delay-accept-ms", 1, O_DELAY_ACCEPT, SERVERS },
	{ "max-clients", 1, O_MAX_CLIENTS, SERVERS }, { "bind", 1, O_BIND, SERVERS | REF_UDP_SERVER },
	{ "delay-connect-ms", 1, O_DELAY_CONNECT, CLIENTS },
	{ "mangle", 0, O_MANGLE, REF_ECHO_SERVER | REF_UDP_SERVER },
	{ "size", 1, O_SIZE, REF_ECHO_CLIENT | REF_FILE_SERVER | REF_FILE_CLIENT },
	{ "pattern", 1, O_PATTERN, REF_ECHO_CLIENT | REF_FILE_SERVER | REF_UDP_CLIENT |
	    REF_FILE_CLIENT },
	{ "seed", 1, O_SEED, REF_ECHO_CLIENT | REF_FILE_SERVER | REF_UDP_CLIENT | REF_FILE_CLIENT },
	{ "idle-ms", 1, O_IDLE, REF_ECHO_CLIENT },
	{ "hold-ms", 1, O_HOLD, REF_ECHO_CLIENT | REF_FILE_SERVER },
	{ "expect-nothing", 0, O_EXPECT_NOTHING, REF_ECHO_CLIENT },
	{ "no-shutdown", 0, O_NO_SHUTDOWN, REF_FILE_SERVER },
	{ "close-instead", 0, O_CLOSE_INSTEAD, REF_FILE_SERVER },
	{ "no-reply-wait", 0, O_NO_REPLY_WAIT, REF_FILE_SERVER | REF_UDP_CLIENT },
	{ "reply-timeout-ms", 1, O_REPLY_TIMEOUT, REF_FILE_SERVER | REF_UDP_CLIENT },
	{ "no-reply", 0, O_NO_REPLY, REF_FILE_CLIENT },
	{ "reply-early", 0, O_REPLY_EARLY, REF_FILE_CLIENT },
	{ "reply", 1, O_REPLY, REF_FILE_CLIENT },
	{ "drop", 1, O_DROP, REF_UDP_SERVER }, { "duplicate", 1, O_DUPLICATE, REF_UDP_SERVER },
	{ "reorder", 1, O_REORDER, REF_UDP_SERVER }, { "delay-ms", 1, O_DELAY_MS, REF_UDP_SERVER },
	{ "truncate", 1, O_TRUNCATE, REF_UDP_SERVER },
	{ "other-port", 0, O_OTHER_PORT, REF_UDP_SERVER },
	{ "catch-tcp", 0, O_CATCH_TCP, REF_UDP_SERVER },
	{ "max-datagrams", 1, O_MAX_DGRAMS, REF_UDP_SERVER },
	{ "sizes", 1, O_SIZES, REF_UDP_CLIENT }, { "gap-ms", 1, O_GAP_MS, REF_UDP_CLIENT },
	{ "burst", 0, O_BURST, REF_UDP_CLIENT }, { "connect", 0, O_CONNECT, REF_UDP_CLIENT },
	{ "help", 0, O_HELP, ALL | UDP },
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

static int
parse_u64(const char *s, uint64_t max, int sizes, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1;

	if (s[0] == '-' || s[0] == '\0')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (*end) {
		if (!sizes)
			return -1;
		if (strcmp(end, "KiB") == 0 || strcmp(end, "K") == 0)
			mult = 1024;
		else if (strcmp(end, "MiB") == 0 || strcmp(end, "M") == 0)
			mult = 1024 * 1024;
		else if (strcmp(end, "GiB") == 0 || strcmp(end, "G") == 0)
			mult = 1024ULL * 1024 * 1024;
		else
			return -1;
	}
	if (v > max / mult)
		return -1;
	*out = (uint64_t)v * mult;
	return 0;
}

int
ref_parse_port(const char *s, unsigned *port)
{
	uint64_t v;
	if (parse_u64(s, 65535, 0, &v) < 0)
		return -1;
	*port = (unsigned)v;
	return 0;
}

/* C escapes in --reply: \n \t \r \\ \xHH */
static int
unescape(const char *s, char *out, size_t cap, size_t *len)
{
	size_t n = 0;
	for (; *s; s++) {
		char c = *s;
		if (c == '\\' && s[1]) {
			s++;
			switch (*s) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '\\': c = '\\'; break;
			case 'x': {
				char hex[3] = { 0 };
				char *end;
				if (!s[1] || !s[2])
					return -1;
				hex[0] = s[1];
				hex[1] = s[2];
				c = (char)strtol(hex, &end, 16);
				if (*end)
					return -1;
				s += 2;
				break;
			}
			default:
				return -1;
			}
		}
		if (n >= cap)
			return -1;
		out[n++] = c;
	}
	*len = n;
	return 0;
}

void
ref_opts_defaults(enum ref_prog prog, struct ref_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->prog = prog;
	o->close_after = o->reset_after = -1;
	o->timeout_ms = 30000;
	o->max_clients = -1;
	o->reply_timeout_ms = prog & UDP ? 1000 : 5000;
	o->truncate = -1;
	o->max_datagrams = -1;
	o->seed = 1;
	o->pattern = REF_PAT_TEXT;
	memcpy(o->reply, "Thank you\n", 10);
	o->reply_len = 10;
}

int
ref_opts_accepts(enum ref_prog prog, const char *name)
{
	for (size_t i = 0; i < NFLAGS; i++)
		if ((flags[i].progs & prog) && strcmp(flags[i].name, name) == 0)
			return 1;
	return 0;
}

enum ref_prog
ref_prog_named(const char *name)
{
	static const struct { const char *name; enum ref_prog prog; } progs[] = {
		{ "echo_server", REF_ECHO_SERVER }, { "echo_client", REF_ECHO_CLIENT },
		{ "file_server", REF_FILE_SERVER }, { "file_client", REF_FILE_CLIENT },
		{ "udp_echo_server", REF_UDP_SERVER }, { "udp_echo_client", REF_UDP_CLIENT },
	};
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		if (strcmp(progs[i].name, name) == 0)
			return progs[i].prog;
	return 0;
}

int
ref_opts_parse(int argc, char **argv, enum ref_prog prog, struct ref_opts *o, char *errbuf,
    size_t errlen)
{
	struct option lo[NFLAGS + 1];
	size_t n = 0;
	uint64_t v;
	int c;

	ref_opts_defaults(prog, o);
	for (size_t i = 0; i < NFLAGS; i++)
		if (flags[i].progs & prog)
			lo[n++] = (struct option){ flags[i].name, flags[i].has_arg, NULL, flags[i].id };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	opterr = 0;
	optind = 0;	/* 0: glibc resets its state (a half-parsed "-xyz" of an earlier call) */
	while ((c = getopt_long(argc, argv, "+:h", lo, NULL)) != -1) {
		const char *name = argv[optind - 1 - (optarg != NULL && optarg == argv[optind - 1])];
#define NUM(max, sizes) do { if (parse_u64(optarg, (max), (sizes), &v) < 0) { \
	snprintf(errbuf, errlen, "%s: bad value '%s' (a number from 0 to %llu%s)", name, \
	    optarg, (unsigned long long)(max), (sizes) ? ", KiB/MiB/GiB allowed" : ""); \
	return -1; } } while (0)
		switch (c) {
		case O_EVENTS: o->events = optarg; break;
		case O_CHUNK: NUM(1 << 30, 1); if (v == 0) { snprintf(errbuf, errlen,
		    "--chunk: must be at least 1"); return -1; } o->chunk = (size_t)v; break;
		case O_GAP: NUM(60000000, 0); o->gap_us = (unsigned)v; break;
		case O_CLOSE_AFTER: NUM(UINT64_MAX >> 2, 1); o->close_after = (int64_t)v; break;
		case O_RESET_AFTER: NUM(UINT64_MAX >> 2, 1); o->reset_after = (int64_t)v; break;
		case O_RCVBUF: NUM(1 << 30, 1); o->rcvbuf = (int)v; break;
		case O_READ_SIZE: NUM(1 << 30, 1); if (v == 0) { snprintf(errbuf, errlen,
		    "--read-size: must be at least 1"); return -1; } o->read_size = (size_t)v; break;
		case O_READ_PAUSE: NUM(60000000, 0); o->read_pause_us = (unsigned)v; break;
		case O_NO_READ: NUM(3600000, 0); o->no_read_ms = (unsigned)v; break;
		case O_UNASKED: NUM(1 << 30, 1); o->unasked = v; break;
		case O_TIMEOUT: NUM(86400000, 0); o->timeout_ms = (unsigned)v; break;
		case O_DELAY_ACCEPT: NUM(3600000, 0); o->delay_accept_ms = (unsigned)v; break;
		case O_DELAY_CONNECT: NUM(3600000, 0); o->delay_connect_ms = (unsigned)v; break;
		case O_MAX_CLIENTS: NUM(1000000, 0); o->max_clients = (long)v; break;
		case O_BIND: o->bind = optarg; break;
		case O_MANGLE: o->mangle = 1; break;
		case O_SIZE: NUM(UINT64_MAX >> 2, 1); o->size = v; o->have_size = 1; break;
		case O_PATTERN:
			if (ref_pattern_parse(optarg, &o->pattern) < 0) {
				snprintf(errbuf, errlen, "--pattern: unknown pattern '%s' (text, binary, "
				    "random, zero)", optarg);
				return -1;
			}
			break;
		case O_SEED: NUM(UINT64_MAX, 0); o->seed = v; break;
		case O_IDLE: NUM(3600000, 0); o->idle_ms = (unsigned)v; break;
		case O_HOLD: NUM(3600000, 0); o->hold_ms = (unsigned)v; o->have_hold = 1; break;
		case O_EXPECT_NOTHING: o->expect_nothing = 1; break;
		case O_NO_SHUTDOWN: o->no_shutdown = 1; break;
		case O_CLOSE_INSTEAD: o->close_instead = 1; break;
		case O_NO_REPLY_WAIT: o->no_reply_wait = 1; break;
		case O_REPLY_TIMEOUT: NUM(3600000, 0); o->reply_timeout_ms = (unsigned)v; break;
		case O_NO_REPLY: o->no_reply = 1; break;
		case O_REPLY_EARLY: o->reply_early = 1; break;
		case O_REPLY:
			if (unescape(optarg, o->reply, sizeof(o->reply), &o->reply_len) < 0) {
				snprintf(errbuf, errlen, "--reply: bad escape or too long: '%s'", optarg);
				return -1;
			}
			break;
		case O_DROP: NUM(1000000, 0); o->drop = (unsigned)v; break;
		case O_DUPLICATE: NUM(1000000, 0); o->duplicate = (unsigned)v; break;
		case O_REORDER: NUM(1000000, 0); o->reorder = (unsigned)v; break;
		case O_DELAY_MS: NUM(3600000, 0); o->delay_ms = (unsigned)v; break;
		case O_TRUNCATE: NUM(65535, 0); o->truncate = (int64_t)v; break;
		case O_OTHER_PORT: o->other_port = 1; break;
		case O_CATCH_TCP: o->catch_tcp = 1; break;
		case O_MAX_DGRAMS: NUM(1000000, 0); o->max_datagrams = (long)v; break;
		case O_SIZES:
			if (ref_sizes_parse(optarg, NULL, 0) < 0) {
				snprintf(errbuf, errlen, "--sizes: bad list '%s' (sizes 0 to 65507, "
				    "comma-separated, NxK for K datagrams of N bytes)", optarg);
				return -1;
			}
			o->sizes = optarg;
			break;
		case O_GAP_MS: NUM(3600000, 0); o->gap_ms = (unsigned)v; break;
		case O_BURST: o->burst = 1; break;
		case O_CONNECT: o->do_connect = 1; break;
		case 'h':
		case O_HELP: return 1;
		case ':':
			snprintf(errbuf, errlen, "%s: needs a value", name);
			return -1;
		default:
			if (optopt)
				snprintf(errbuf, errlen, "unknown flag '-%c'", optopt);
			else
				snprintf(errbuf, errlen, "unknown flag '%s'", name);
			return -1;
		}
#undef NUM
	}
	if (o->gap_us && !o->chunk) {
		snprintf(errbuf, errlen, "--gap-us needs --chunk");
		return -1;
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	return 0;
}

const char *
ref_opts_usage(enum ref_prog prog)
{
	static const char common[] =
	    "  --events FD|PATH     JSON-lines event log (reports/events.md)\n"
	    "  --chunk N            write in pieces of at most N bytes\n"
	    "  --gap-us G           pause G microseconds between pieces (needs --chunk)\n"
	    "  --close-after N      close after N bytes sent (file_client: received)\n"
	    "  --reset-after N      reset (SO_LINGER 0) after N bytes sent (file_client: received)\n"
	    "  --rcvbuf N           SO_RCVBUF (a small one forces short writes on the other side)\n"
	    "  --read-size N        read at most N bytes per call\n"
	    "  --read-pause-us P    pause P microseconds after every read\n"
	    "  --no-read-ms M       read nothing for the first M ms of a connection\n"
	    "  --unasked N          send N bytes nobody asked for right after connecting\n"
	    "  --timeout-ms T       give up on a connection after T ms (default 30000)\n";
	static const char udp_common[] =
	    "  --events FD|PATH     JSON-lines event log (reports/events.md)\n"
	    "  --rcvbuf N           SO_RCVBUF\n";
	static char buf[4096];
	const char *head = "", *own = "";

	switch (prog) {
	case REF_ECHO_SERVER:
		head = "usage: echo_server [options] PORT\n  Echoes every byte back, clients served concurrently.\n";
		own = "  --mangle             return ROT13 letters and digits+5 (same length)\n"
		    "  --delay-accept-ms D  wait D ms before accept()\n"
		    "  --max-clients N      exit after N connections (default: never)\n"
		    "  --bind ADDR          listen address (default :: and 0.0.0.0)\n";
		break;
	case REF_ECHO_CLIENT:
		head = "usage: echo_client [options] IP PORT\n  Sends standard input line by line, "
		    "prints each echo (exactly as many bytes as sent).\n";
		own = "  --size N --pattern P --seed S  send a generated payload (text, binary,\n"
		    "                       random, zero), reading while writing; the echo is verified\n"
		    "  --idle-ms M          connect, send nothing for M ms, report what arrived\n"
		    "  --hold-ms H          keep the connection open H ms after the echo (SIGUSR1\n"
		    "                       ends the hold at once)\n"
		    "  --expect-nothing     success means: nothing arrived unasked\n"
		    "  --delay-connect-ms D wait D ms before connect()\n";
		break;
	case REF_FILE_SERVER:
		head = "usage: file_server [options] PORT FILE\n  Sends FILE (or with FILE '-', a "
		    "generated payload), shuts down, prints the reply.\n";
		own = "  --size N --pattern P --seed S  serve a generated payload (FILE is '-')\n"
		    "  --no-shutdown        never shut down; hold the connection --hold-ms (2000)\n"
		    "  --hold-ms H          with --no-shutdown: how long\n"
		    "  --close-instead      close() instead of shutdown(SHUT_WR)\n"
		    "  --no-reply-wait      exit right after the shutdown\n"
		    "  --reply-timeout-ms T wait T ms for the reply (default 5000)\n"
		    "  --delay-accept-ms D  wait D ms before accept()\n"
		    "  --max-clients N      exit after N connections (default 1)\n"
		    "  --bind ADDR          listen address\n";
		break;
	case REF_FILE_CLIENT:
		head = "usage: file_client [options] IP PORT OUTFILE\n  Reads to EOF into OUTFILE, "
		    "then replies \"Thank you\\n\" and closes.\n";
		own = "  --size N --pattern P --seed S  the data expected (a generated payload): its\n"
		    "                       first difference is logged (a mismatch event)\n"
		    "  --no-reply           never send the reply\n"
		    "  --reply-early        send the reply after the first read, before EOF\n"
		    "  --reply TEXT         send TEXT instead (C escapes \\n \\t \\\\ \\xHH)\n"
		    "  --delay-connect-ms D wait D ms before connect()\n";
		break;
	case REF_UDP_SERVER:
		head = "usage: udp_echo_server [options] PORT\n  Sends every datagram back to the "
		    "address and port it came from.\n";
		own = "  --drop N             no reply to the Nth datagram\n"
		    "  --duplicate N        the reply to the Nth datagram twice\n"
		    "  --reorder N          the reply to the Nth datagram after the next one's\n"
		    "  --delay-ms D         every reply D ms late\n"
		    "  --truncate N         replies cut to at most N bytes\n"
		    "  --mangle             return ROT13 letters and digits+5 (same length)\n"
		    "  --other-port         reply from a second socket on another port\n"
		    "  --unasked N          N datagrams nobody asked for before the first reply\n"
		    "  --max-datagrams N    exit after N datagrams (default: never)\n"
		    "  --catch-tcp          also listen on TCP at the same port: log a TCP client\n"
		    "                       (event tcp_accept), then close its connection\n"
		    "  --bind ADDR          address (default :: and 0.0.0.0)\n";
		break;
	case REF_UDP_CLIENT:
		head = "usage: udp_echo_client [options] IP PORT\n  Sends each line of standard input "
		    "as one datagram, prints each reply.\n";
		own = "  --sizes LIST         send generated datagrams of these sizes instead\n"
		    "                       (\"29,30,31\", \"1024x3\"); each reply is verified\n"
		    "  --pattern P --seed S what the generated datagrams hold\n"
		    "  --gap-ms G           pause G ms between datagrams\n"
		    "  --burst              send every datagram first, then collect the replies\n"
		    "  --connect            connect() the socket (replies from elsewhere are filtered)\n"
		    "  --reply-timeout-ms T a reply later than T ms is lost (default 1000)\n"
		    "  --no-reply-wait      send and exit, no replies awaited\n"
		    "  --timeout-ms T       line mode: wait T ms for each reply (default 30000)\n";
		break;
	}
	if (prog & UDP) {
		snprintf(buf, sizeof(buf), "%s\nOptions:\n%s%s\nExit status: 0 every reply came "
		    "back as sent, 1 it did not, 2 bad usage.\n", head, udp_common, own);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s\nOptions:\n%s%s\nExit status: 0 the exchange went as "
	    "a conforming peer expects, 1 it did not, 2 bad usage.\n", head, common, own);
	return buf;
}

int
ref_sizes_parse(const char *s, unsigned *sizes, size_t max)
{
	size_t n = 0;
	const char *p = s;

	if (*p == '\0')
		return -1;
	while (*p) {
		char item[32], *x;
		uint64_t size, count = 1;
		size_t len = strcspn(p, ",");
		if (len == 0 || len >= sizeof(item))
			return -1;
		memcpy(item, p, len);
		item[len] = '\0';
		if ((x = strchr(item, 'x')) != NULL) {
			*x = '\0';
			if (parse_u64(x + 1, 10000, 0, &count) < 0 || count == 0)
				return -1;
		}
		if (parse_u64(item, 65507, 0, &size) < 0)
			return -1;
		for (uint64_t k = 0; k < count; k++) {
			if (sizes && n < max)
				sizes[n] = (unsigned)size;
			n++;
		}
		p += len;
		if (*p == ',' && *++p == '\0')
			return -1;
	}
	return n > 100000 ? -1 : (int)n;
}

int
ref_parse_size(const char *s, uint64_t *out)
{
	return parse_u64(s, UINT64_MAX, 1, out);
}
