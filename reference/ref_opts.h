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

enum ref_prog { REF_ECHO_SERVER = 1, REF_ECHO_CLIENT = 2, REF_FILE_SERVER = 4, REF_FILE_CLIENT = 8 };

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
	char **args;			/* positional arguments */
	int nargs;
};

/*
 * Parse argv for `prog`. Returns 0, 1 when --help was asked (usage written
 * to errbuf... no: printed by the caller with ref_opts_usage), -1 with a message.
 */
int ref_opts_parse(int argc, char **argv, enum ref_prog prog, struct ref_opts *o,
    char *errbuf, size_t errlen);

/* The --help text of `prog`. */
const char *ref_opts_usage(enum ref_prog prog);

/* A size: a number with an optional K/KiB, M/MiB, G/GiB suffix. */
int ref_parse_size(const char *s, uint64_t *out);

/* A port argument: 0..65535. */
int ref_parse_port(const char *s, unsigned *port);

#endif
