#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cap.h"

void
cap_init(struct cap *c, int fd, size_t head_max, size_t tail_max)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->head_max = head_max;
	c->tail_max = tail_max;
}

static void
ring_put(struct cap *c, const char *p, size_t n)
{
	if (c->tail_max == 0)
		return;
	if (c->ring == NULL && (c->ring = malloc(c->tail_max)) == NULL)
		return;
	if (n > c->tail_max) {		/* only the last tail_max bytes matter */
		p += n - c->tail_max;
		n = c->tail_max;
	}
	while (n > 0) {
		size_t k = c->tail_max - c->ring_pos;
		if (k > n)
			k = n;
		memcpy(c->ring + c->ring_pos, p, k);
		c->ring_pos = (c->ring_pos + k) % c->tail_max;
		c->ring_len = c->ring_len + k > c->tail_max ? c->tail_max : c->ring_len + k;
		p += k;
		n -= k;
	}
}

void
cap_add(struct cap *c, const char *buf, size_t len)
{
	size_t room = c->head_max - c->head_len;

	c->total += len;
	if (room > 0) {
		size_t k = len < room ? len : room;
		if (c->head == NULL && (c->head = malloc(c->head_max + 1)) == NULL)
			return;
		memcpy(c->head + c->head_len, buf, k);
		c->head_len += k;
		buf += k;
		len -= k;
	}
	if (len > 0)
		ring_put(c, buf, len);
}

ssize_t
cap_read(struct cap *c)
{
	char buf[65536];
	ssize_t total = 0;

	while (c->fd >= 0) {
		ssize_t n = read(c->fd, buf, sizeof(buf));
		if (n > 0) {
			cap_add(c, buf, (size_t)n);
			total += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return total > 0 ? total : -1;
		/* EOF, or EIO from a pty whose last writer is gone */
		close(c->fd);
		c->fd = -1;
	}
	return total;
}

/* The tail in order, oldest byte first. */
static char *
ring_linear(const struct cap *c, size_t *len)
{
	char *out = malloc(c->ring_len + 1);

	if (out == NULL) {
		*len = 0;
		return NULL;
	}
	if (c->ring_len < c->tail_max) {
		memcpy(out, c->ring, c->ring_len);
	} else {
		size_t first = c->tail_max - c->ring_pos;
		memcpy(out, c->ring + c->ring_pos, first);
		memcpy(out + first, c->ring, c->ring_pos);
	}
	out[c->ring_len] = '\0';
	*len = c->ring_len;
	return out;
}

char *
cap_text(const struct cap *c, size_t *len)
{
	char marker[96];
	size_t tail_len = 0, mlen = 0;
	char *tail = NULL, *out;
	uint64_t omitted = c->total - c->head_len - c->ring_len;

	if (c->ring_len > 0)
		tail = ring_linear(c, &tail_len);
	if (omitted > 0)
		mlen = (size_t)snprintf(marker, sizeof(marker),
		    "\n[... %llu bytes omitted ...]\n", (unsigned long long)omitted);
	out = malloc(c->head_len + mlen + tail_len + 1);
	if (out == NULL) {
		free(tail);
		*len = 0;
		return NULL;
	}
	if (c->head_len)
		memcpy(out, c->head, c->head_len);
	memcpy(out + c->head_len, marker, mlen);
	if (tail_len)
		memcpy(out + c->head_len + mlen, tail, tail_len);
	*len = c->head_len + mlen + tail_len;
	out[*len] = '\0';
	free(tail);
	return out;
}

void
cap_to_stream(struct cap *c, struct res_stream *s)
{
	memset(s, 0, sizeof(*s));
	s->total = c->total;
	s->head_len = c->head_len;
	s->head = c->head ? c->head : calloc(1, 1);
	if (s->head)
		s->head[s->head_len] = '\0';
	c->head = NULL;
	if (c->ring_len > 0)
		s->tail = ring_linear(c, &s->tail_len);
	c->head_len = 0;
	c->ring_len = 0;
	c->total = 0;
}

void
cap_free(struct cap *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->head);
	free(c->ring);
	c->head = c->ring = NULL;
}
