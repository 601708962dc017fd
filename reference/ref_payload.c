#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ref_digest.h"
#include "ref_payload.h"

static const char *const pattern_names[] = { "text", "binary", "random", "zero" };

int
ref_pattern_parse(const char *name, enum ref_pattern *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(name, pattern_names[i]) == 0) {
			*out = (enum ref_pattern)i;
			return 0;
		}
	return -1;
}

const char *
ref_pattern_name(enum ref_pattern p)
{
	return (unsigned)p < 4 ? pattern_names[p] : "?";
}

/* splitmix64: small, fast, and good enough for test data. */
static uint64_t
next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
ref_payload_init(struct ref_payload *p, enum ref_pattern pattern, uint64_t seed, uint64_t size)
{
	memset(p, 0, sizeof(*p));
	p->pattern = pattern;
	p->seed = seed;
	p->size = size;
	p->rng = seed * 0x2545f4914f6cdd1dULL + 1;
	for (int i = 0; i < 256; i++)
		p->perm[i] = (unsigned char)i;
	for (int i = 255; i > 0; i--) {
		int j = (int)(next_rand(&p->rng) % (uint64_t)(i + 1));
		unsigned char t = p->perm[i];
		p->perm[i] = p->perm[j];
		p->perm[j] = t;
	}
}

static const char *const words[] = {
	"socket", "bind", "listen", "accept", "connect", "send", "recv", "shutdown",
	"close", "port", "echo", "file", "buffer", "stream", "packet", "thank", "you",
	"loopback", "server", "client", "byte", "window", "segment", "handshake",
};

static void
text_line(struct ref_payload *p)
{
	size_t n = 0, want = 40 + next_rand(&p->rng) % 40;

	while (n < want) {
		const char *w = words[next_rand(&p->rng) % (sizeof(words) / sizeof(words[0]))];
		size_t k = strlen(w);
		if (n)
			p->line[n++] = ' ';
		memcpy(p->line + n, w, k);
		n += k;
	}
	p->line[n++] = '\n';
	p->line_len = n;
	p->line_off = 0;
}

size_t
ref_payload_read(struct ref_payload *p, void *buf, size_t len)
{
	unsigned char *out = buf;
	size_t n;

	if (p->off >= p->size)
		return 0;
	if (len > p->size - p->off)
		len = (size_t)(p->size - p->off);
	switch (p->pattern) {
	case REF_PAT_ZERO:
		memset(out, 0, len);
		break;
	case REF_PAT_BINARY:
		for (size_t i = 0; i < len; i++) {
			uint64_t o = p->off + i;
			out[i] = p->perm[(o + o / 256) & 255];
		}
		break;
	case REF_PAT_RANDOM:
		/* counter-based, so the bytes at an offset never depend on how the
		 * stream was cut into reads */
		for (size_t i = 0; i < len; ) {
			uint64_t o = p->off + i;
			uint64_t ctr = p->seed * 0x2545f4914f6cdd1dULL + (o / 8) * 0x9e3779b97f4a7c15ULL;
			uint64_t r = next_rand(&ctr);
			for (unsigned k = (unsigned)(o % 8); k < 8 && i < len; k++, i++)
				out[i] = (unsigned char)(r >> (8 * k));
		}
		break;
	case REF_PAT_TEXT:
		for (size_t i = 0; i < len; ) {
			if (p->line_off >= p->line_len)
				text_line(p);
			n = p->line_len - p->line_off;
			if (n > len - i)
				n = len - i;
			memcpy(out + i, p->line + p->line_off, n);
			p->line_off += n;
			i += n;
		}
		break;
	}
	p->off += len;
	return len;
}

int
ref_payload_write_file(const char *path, enum ref_pattern pattern, uint64_t seed,
    uint64_t size, char digest_hex[REF_DIGEST_HEX], char *errbuf, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (ref_payload_write_fd(fd, path, pattern, seed, size, digest_hex, errbuf, errlen) < 0) {
		close(fd);
		return -1;
	}
	if (close(fd) < 0) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
ref_payload_write_fd(int fd, const char *name, enum ref_pattern pattern, uint64_t seed,
    uint64_t size, char digest_hex[REF_DIGEST_HEX], char *errbuf, size_t errlen)
{
	enum { BUFSZ = 1 << 18 };
	unsigned char *buf;	/* per call: the harness writes inputs from several threads */
	struct ref_payload p;
	struct ref_digest d;
	size_t n;

	ref_payload_init(&p, pattern, seed, size);
	if ((buf = malloc(BUFSZ)) == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	if (ref_digest_init(&d) < 0) {
		free(buf);
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	while ((n = ref_payload_read(&p, buf, BUFSZ)) > 0) {
		ref_digest_update(&d, buf, n);
		for (size_t off = 0; off < n; ) {
			ssize_t w = write(fd, buf + off, n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				snprintf(errbuf, errlen, "%s: %s", name, strerror(errno));
				ref_digest_final(&d, digest_hex);
				free(buf);
				return -1;
			}
			off += (size_t)w;
		}
	}
	ref_digest_final(&d, digest_hex);
	free(buf);
	return 0;
}
