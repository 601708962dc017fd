/*
 * ref_opts: the command line shared by the four reference peers
 * (reports/events.md). Numbers are parsed with ranges; sizes accept
 * KiB/MiB/GiB suffixes. Bad input gives a message naming the problem.
 */
#ifndef REF_OPTS_H
#define REF_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "ref_payload.h"

enum ref_prog { REF_ECHO_SERVER = 1, REF_ECHO_CLIENT = 2, REF_FILE_SERVER = 4, REF_FILE_CLIENT = 8,
	REF_UDP_SERVER = 16, REF_UDP_CLIENT = 32 };

struct ref_opts {
	enum ref_prog prog;
	const char *events;
	size_t chunk;			/* 0: whole buffers */
	unsigned gap_us;
	int64_t close_after, reset_after;	/* -1: never */
	int rcvbuf;
	size_t read_size;		/* 0: the buffer size */
	unsigned read_pause_us, no_read_ms;
	uint64_t unasked;
	unsigned timeout_ms;
	unsigned delay_accept_ms, delay_connect_ms;
	long max_clients;		/* -1: the program's default */
	const char *bind;
	int mangle;
	int have_size;
	uint64_t size, seed;
	enum ref_pattern pattern;
	unsigned idle_ms, hold_ms;
	int have_hold;
	int expect_nothing;
	int no_shutdown, close_instead, no_reply_wait;
	unsigned reply_timeout_ms;
	int no_reply, reply_early;
	char reply[1024];
	size_t reply_len;
	/* UDP (udp_echo_server, udp_echo_client): datagram numbers count from 1, 0: off */
	unsigned drop, duplicate, reorder;	/* server: the Nth datagram's reply */
	unsigned delay_ms;		/* server: every reply this late */
	int64_t truncate;		/* server: replies cut to N bytes; -1: off */
	int other_port;			/* server: reply from a socket on another port */
	int catch_tcp;			/* server: also listen on TCP, log and close connections */
	long max_datagrams;		/* server: exit after N datagrams; -1: never */
	char *sizes;			/* client: datagram sizes "29,30,31" or "1024x3" */
	unsigned gap_ms;		/* client: pause between datagrams */
	int burst;			/* client: send all, then collect the replies */
	int do_connect;			/* client: connect() the datagram socket */
	char **args;			/* positional arguments */
	int nargs;
};

/*
 * Parse argv for `prog`. Returns 0, 1 when --help was asked (usage written
 * to errbuf... no: printed by the caller with ref_opts_usage), -1 with a message.
 */
int ref_opts_parse(int argc, char **argv, enum ref_prog prog, struct ref_opts *o,
    char *errbuf, size_t errlen);

/* The options of `prog` before parsing: its defaults (no getopt: thread-safe). */
void ref_opts_defaults(enum ref_prog prog, struct ref_opts *o);

/* Whether `prog` takes the flag --NAME (`name` without the dashes). */
int ref_opts_accepts(enum ref_prog prog, const char *name);

/* The program called `name` ("file_server", ...), or 0. */
enum ref_prog ref_prog_named(const char *name);

/* The --help text of `prog`. */
const char *ref_opts_usage(enum ref_prog prog);

/* A size: a number with an optional K/KiB, M/MiB, G/GiB suffix. */
int ref_parse_size(const char *s, uint64_t *out);

/*
 * A datagram size list: "29,30,31", "1024x3" (three of 1024). Stores up to
 * max sizes (sizes may be NULL); returns how many the list holds, or -1.
 */
int ref_sizes_parse(const char *s, unsigned *sizes, size_t max);

/* A port argument: 0..65535. */
int ref_parse_port(const char *s, unsigned *port);

#endif
