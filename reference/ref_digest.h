/*
 * ref_digest: the transfer digest, XXH3-128 (libxxhash), as 32 hex digits.
 * It identifies the bytes of a transfer so that the judge compares huge
 * streams without storing them. It is not cryptographic and need not be: a
 * program that could forge a collision could as well write the right bytes.
 * SHA-256 cost ~0.55 CPU-s per GiB on each side (with SHA-NI), more than the
 * transfer itself; XXH3 costs ~0.05, so it runs inline.
 */
#ifndef REF_DIGEST_H
#define REF_DIGEST_H

#include <stddef.h>

#define REF_DIGEST_NAME "XXH3-128"
#define REF_DIGEST_HEX 33	/* 32 hex digits and a NUL */

struct ref_digest {
	void *state;		/* XXH3_state_t; NULL: not hashing */
};

/* Returns 0, or -1 when out of memory (the digest then stays empty). */
int ref_digest_init(struct ref_digest *d);
void ref_digest_update(struct ref_digest *d, const void *buf, size_t len);
/* Writes the hex digest (empty when never initialised); frees the state. */
void ref_digest_final(struct ref_digest *d, char hex[REF_DIGEST_HEX]);
/* Whether s is a digest as ref_digest_final writes it. */
int ref_digest_is_hex(const char *s);

#endif
