/* ref_digest: streaming SHA-256 (OpenSSL EVP), hex output. */
#ifndef REF_DIGEST_H
#define REF_DIGEST_H

#include <stddef.h>

struct ref_digest {
	void *ctx;		/* EVP_MD_CTX */
};

int ref_digest_init(struct ref_digest *d);
void ref_digest_update(struct ref_digest *d, const void *buf, size_t len);
/* Writes 64 hex digits and a NUL; frees the context. */
void ref_digest_final(struct ref_digest *d, char hex[65]);

#endif
