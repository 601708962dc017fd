/*
 * ref_payload: generated data of any size in constant memory. The same
 * (pattern, seed, size) gives the same bytes in the peers and the harness.
 */
#ifndef REF_PAYLOAD_H
#define REF_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "ref_digest.h"

enum ref_pattern { REF_PAT_TEXT, REF_PAT_BINARY, REF_PAT_RANDOM, REF_PAT_ZERO };

int ref_pattern_parse(const char *name, enum ref_pattern *out);
const char *ref_pattern_name(enum ref_pattern p);

struct ref_payload {
	enum ref_pattern pattern;
	uint64_t seed, size, off;
	uint64_t rng;
	unsigned char perm[256];	/* binary: a shuffled order of every byte value */
	char line[128];			/* text: the line being emitted */
	size_t line_len, line_off;
};

void ref_payload_init(struct ref_payload *p, enum ref_pattern pattern, uint64_t seed,
    uint64_t size);

/* Up to len bytes of the stream; 0 at its end. */
size_t ref_payload_read(struct ref_payload *p, void *buf, size_t len);

/* Write the payload to `path` and its transfer digest (ref_digest) to digest_hex. */
int ref_payload_write_file(const char *path, enum ref_pattern pattern, uint64_t seed,
    uint64_t size, char digest_hex[REF_DIGEST_HEX], char *errbuf, size_t errlen);

/* The same into an open descriptor (`name` for messages). */
int ref_payload_write_fd(int fd, const char *name, enum ref_pattern pattern, uint64_t seed,
    uint64_t size, char digest_hex[REF_DIGEST_HEX], char *errbuf, size_t errlen);
#endif
