/*
 * ref_conn: one connection of a reference peer: every write and read goes
 * through here, so that it is counted, digested, logged, and shaped by the
 * fault flags (chunks with gaps, close/reset after N bytes, slow reads).
 */
#ifndef REF_CONN_H
#define REF_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ref_digest.h"
#include "ref_events.h"
#include "ref_opts.h"

#define REF_IO_EVENT_CAP 100000
/* The first bytes received are logged with their read events (head): what
 * an echo client sent for each line, apart from what it sent after its input. */
#define REF_HEAD_IN 256

struct ref_conn {
	int fd;
	unsigned id;
	struct ref_events *ev;
	const struct ref_opts *o;
	uint64_t out, in, writes, reads, io_events;
	struct ref_digest dout, din;
	int eof, rst, gone;		/* gone: closed or reset by us */
	int truncated_logged;
	uint64_t next_write_us;		/* absolute schedule of chunk gaps */
	uint64_t start_us;
};

void ref_conn_init(struct ref_conn *c, int fd, unsigned id, struct ref_events *ev,
    const struct ref_opts *o);

/*
 * Write all of buf, shaped by --chunk/--gap-us and cut by --close-after /
 * --reset-after. Returns 0 when all was written, 1 when the connection was
 * closed or reset on purpose, -1 on a write error (logged).
 */
int ref_conn_write(struct ref_conn *c, const void *buf, size_t len);

/*
 * One read, at most --read-size, followed by --read-pause-us. Returns the
 * count, 0 at EOF (logged), -1 on error (logged; ECONNRESET sets rst).
 * For readers, --close-after/--reset-after count received bytes: then 1 is
 * not possible here; use ref_conn_read_limit_hit.
 */
ssize_t ref_conn_read(struct ref_conn *c, void *buf, size_t len);

/* Close (reason) or reset; logs it. */
void ref_conn_close(struct ref_conn *c, const char *reason);
void ref_conn_reset(struct ref_conn *c);
void ref_conn_shutdown(struct ref_conn *c);

/* Wait up to ms for the socket to be readable: 1 readable, 0 timeout, -1 error. */
int ref_conn_wait_readable(struct ref_conn *c, int ms);

/*
 * Wait up to `ms` for the peer's kernel to acknowledge everything sent: 0 when
 * it did, 1 when a reset came instead (the peer had closed its socket, and the
 * read_error event is logged), -1 when neither happened in time.
 */
int ref_conn_await_ack(struct ref_conn *c, int ms);

/* Log the per-connection summary (totals, digests) and free the digests. */
void ref_conn_summary(struct ref_conn *c);

void ref_sleep_us(uint64_t us);
const char *ref_errno_name(int e);



/*
 * One non-blocking send of up to len bytes, counted and logged like
 * ref_conn_write but without shaping. Returns the count, 0 when the socket
 * buffer is full, -1 on error (logged).
 */
ssize_t ref_conn_send_some(struct ref_conn *c, const void *buf, size_t len);
#endif
