/*
 * ref_digest: streaming SHA-256 (OpenSSL EVP), hex output. A digest may hash
 * in a background thread (ref_digest_background): SHA-256 costs about as
 * much CPU as the transfer itself (~0.6 s per GiB with SHA-NI), so a file
 * peer that hashed inline would move data at most at the hash's speed.
 */
#ifndef REF_DIGEST_H
#define REF_DIGEST_H

#include <stddef.h>

struct ref_digest_bg;

struct ref_digest {
	void *ctx;		/* EVP_MD_CTX */
	struct ref_digest_bg *bg;	/* NULL: hashed inline by ref_digest_update */
};

int ref_digest_init(struct ref_digest *d);
/*
 * From now on, hash in a thread of its own: ref_digest_update copies the
 * bytes into a small ring (1 MiB) and returns, waiting only when the thread
 * is a whole ring behind. Returns 0, or -1 when no thread could be started
 * (the digest then stays inline; nothing else changes).
 */
int ref_digest_background(struct ref_digest *d);
void ref_digest_update(struct ref_digest *d, const void *buf, size_t len);
/* Writes 64 hex digits and a NUL; frees the context (and joins the thread). */
void ref_digest_final(struct ref_digest *d, char hex[65]);

#endif
