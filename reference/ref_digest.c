#include <stdio.h>
#include <string.h>

#include <xxhash.h>

#include "ref_digest.h"

int
ref_digest_init(struct ref_digest *d)
{
	XXH3_state_t *st = XXH3_createState();

	d->state = NULL;
	if (st == NULL)
		return -1;
	if (XXH3_128bits_reset(st) != XXH_OK) {
		XXH3_freeState(st);
		return -1;
	}
	d->state = st;
	return 0;
}

void
ref_digest_update(struct ref_digest *d, const void *buf, size_t len)
{
	if (d->state != NULL && len > 0)
		XXH3_128bits_update(d->state, buf, len);
}

void
ref_digest_final(struct ref_digest *d, char hex[REF_DIGEST_HEX])
{
	XXH128_canonical_t canon;

	hex[0] = '\0';
	if (d->state == NULL)
		return;
	/* the canonical (big-endian) form: what xxhsum -H2 prints */
	XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(d->state));
	for (size_t i = 0; i < sizeof(canon.digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", canon.digest[i]);
	XXH3_freeState(d->state);
	d->state = NULL;
}

int
ref_digest_is_hex(const char *s)
{
	return strlen(s) == REF_DIGEST_HEX - 1 &&
	    strspn(s, "0123456789abcdef") == REF_DIGEST_HEX - 1;
}
