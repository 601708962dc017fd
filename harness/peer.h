/*
 * peer: the reference peers seen from the harness: their command lines and
 * what their event logs (reports/events.md) say happened.
 */
#ifndef SC_PEER_H
#define SC_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "ref_digest.h"

#include "err.h"
#include "scn.h"

/* One connection as a reference peer saw it. */
struct peer_conn {
	unsigned id;
	int connected;		/* accept or connect seen */
	uint64_t bytes_out, bytes_in;
	uint64_t writes, reads;
	char digest_out[REF_DIGEST_HEX], digest_in[REF_DIGEST_HEX];	/* ref_digest */
	int summary;		/* the summary event was seen */
	int eof;		/* the peer read EOF */
	int64_t eof_t;		/* when (us since the peer started), -1 */
	int rst;		/* the peer saw a reset (ECONNRESET) */
	char read_error[32];	/* errno name of a failed read, or "" */
	char write_error[32];	/* errno name of a failed write, or "" */
	int shutdown;		/* the peer half-closed */
	int closed;		/* the peer closed (close event) */
	char close_reason[32];
	int reset_sent;		/* the peer reset the connection itself */
	int has_reply;		/* file_server: a reply arrived */
	char *reply;		/* its bytes (JSON-unescaped), malloc'd */
	size_t reply_len;
	int reply_before_eof;
	int64_t reply_t;
	int mismatch;		/* echo_client: the echo differed; file_client: the data */
	uint64_t mismatch_off;
	int mismatch_expected, mismatch_got;
	int idle_seen;		/* echo_client --idle-ms: the idle period ended */
	uint64_t idle_bytes;	/* bytes that arrived unasked during it */
	char timeout_what[32];	/* "echo", "eof", "reply", ... or "" */
	uint64_t small_reads;	/* reads of fewer bytes than the largest read */
	uint64_t max_read;
	uint64_t last_read;	/* the size of the last read */
	uint64_t same_reads;	/* how many reads in a row, up to the last, had that size */
	char *head_in;		/* the first bytes received (at most 256, the read
				 * events' head), malloc'd, or NULL */
	size_t head_in_len;
};

/* One datagram of a udp_echo_client --sizes: what it sent, what came back. */
struct peer_dgram {
	unsigned i;		/* 1, 2, ... */
	uint64_t sent;		/* its size */
	int lost;		/* no reply within the client's timeout */
	uint64_t n;		/* the reply's size */
	int same;		/* the reply was the same bytes */
	int prefix;		/* one was the start of the other (truncated or extended) */
	int cut_nul;		/* the reply ended where the datagram had a NUL byte */
	int64_t diff_off;	/* first differing byte, -1 */
	int from_ok;		/* it came from the address and port the datagram went to */
};

struct peer_log {
	int found;		/* the log existed and had a start event */
	int listening;		/* a server's listen event */
	unsigned listen_port;
	int connect_error;	/* a client's connect failed */
	char connect_errno[32];
	struct peer_conn *conns;
	size_t nconns;
	int ended;		/* the end event was seen */
	int end_status;
	char *end_message;
	int64_t last_t;		/* time of the last event */
	/* UDP peers (peer_udp.c) */
	struct peer_dgram *dgrams;	/* udp_echo_client: one per datagram answered or lost */
	size_t ndgrams;
	uint64_t dgrams_in, dgrams_out;	/* datagrams received and sent */
	uint64_t dgram_in_max;	/* the largest datagram received (its real size) */
	uint64_t dgram_in_bytes;	/* the bytes of all datagrams received */
	unsigned dgram_dropped;	/* udp_echo_server --drop: the datagram dropped, 0 */
	unsigned tcp_accepts;	/* udp_echo_server --catch-tcp: TCP clients seen */
	size_t nevents;
};

/*
 * The datagram events of a UDP peer (dgram_in, dgram_out, dgram_drop, and
 * udp_echo_client's reply and lost): applied to `log`, returns 1; any other
 * event: 0. Called by peer_log_read for every event (peer_udp.c).
 */
struct json_t;
int peer_udp_event(struct peer_log *log, const char *name, struct json_t *ev);

/* Read a JSON-lines event log; a missing or partial log is not an error. */
int peer_log_read(const char *path, struct peer_log *log, struct sc_err *err);
void peer_log_free(struct peer_log *log);

/* The first connection, or NULL. */
const struct peer_conn *peer_log_conn(const struct peer_log *log, unsigned id);

/*
 * The argv of a reference peer (NULL-terminated, malloc'd):
 * PROG [--events EVENTS] [payload flags] [scenario flags] [timeouts] ARGS...
 * `time_scale` multiplies how long the peer waits for the program under test,
 * as the case's deadline is multiplied (memcheck, --timeout-scale): every
 * --timeout-ms and --reply-timeout-ms, given or the peer's default (added
 * when the scale is not 1), and --hold-ms, a pause whose length is set
 * against such a timeout (echo.server.concurrent-clients: the first client
 * holds longer than the second waits).
 */
char **peer_argv(const char *ref_dir, const char *prog, const char *events,
    const struct scn_input *payload, char *const *flags, size_t nflags,
    char *const *args, double time_scale, struct sc_err *err);
void peer_argv_free(char **argv);

#endif
