/*
 * cap: capture of a program's output stream with a cap: the first
 * `head_max` bytes and the last `tail_max` bytes are kept, the rest is
 * counted ("N bytes omitted"), so a runaway printer costs constant memory.
 */
#ifndef SC_CAP_H
#define SC_CAP_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

struct cap {
	int fd;			/* read end, -1 once closed */
	char *head;
	size_t head_len, head_max;
	char *ring;		/* the tail: a ring buffer of tail_max bytes */
	size_t ring_len, ring_pos, tail_max;
	uint64_t total;
};

void cap_init(struct cap *c, int fd, size_t head_max, size_t tail_max);

/*
 * Read what is available now (the fd is non-blocking). Returns the number
 * of bytes read, 0 at end of file (the fd is then closed and set to -1).
 */
ssize_t cap_read(struct cap *c);

/* Append bytes as if read (used for text the harness itself adds). */
void cap_add(struct cap *c, const char *buf, size_t len);

/*
 * The whole kept text, head and tail joined by a marker line when bytes
 * were omitted; malloc'd and NUL-terminated (*len excludes the NUL).
 */
char *cap_text(const struct cap *c, size_t *len);

/* Move the captured data into `s` (the cap is left empty). */
void cap_to_stream(struct cap *c, struct res_stream *s);

void cap_free(struct cap *c);

#endif
