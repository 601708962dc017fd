#include <stdio.h>

#include <openssl/evp.h>

#include "ref_digest.h"

int
ref_digest_init(struct ref_digest *d)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	d->ctx = ctx;
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		d->ctx = NULL;
		return -1;
	}
	return 0;
}

void
ref_digest_update(struct ref_digest *d, const void *buf, size_t len)
{
	if (d->ctx && len)
		EVP_DigestUpdate(d->ctx, buf, len);
}

void
ref_digest_final(struct ref_digest *d, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	hex[0] = '\0';
	if (d->ctx == NULL)
		return;
	if (EVP_DigestFinal_ex(d->ctx, md, &len) == 1)
		for (unsigned i = 0; i < len && i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
	EVP_MD_CTX_free(d->ctx);
	d->ctx = NULL;
}
