#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ref_digest.h"

/* The background ring: NSLOT slots of SLOT bytes, filled in order by the
 * caller, hashed in order by the thread. */
#define NSLOT 4
#define SLOT (256 * 1024)

struct ref_digest_bg {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t more, room;
	unsigned char *slot[NSLOT];
	size_t len[NSLOT];
	unsigned ready;		/* slots handed over and not yet hashed */
	unsigned cons;		/* the next slot the thread hashes */
	unsigned prod;		/* the slot the caller fills: (cons + ready) % NSLOT */
	size_t fill;		/* bytes in slot[prod] */
	int done;
	EVP_MD_CTX *ctx;
};

int
ref_digest_init(struct ref_digest *d)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	d->ctx = ctx;
	d->bg = NULL;
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		d->ctx = NULL;
		return -1;
	}
	return 0;
}

static void *
bg_main(void *arg)
{
	struct ref_digest_bg *bg = arg;

	pthread_mutex_lock(&bg->lock);
	for (;;) {
		while (bg->ready == 0 && !bg->done)
			pthread_cond_wait(&bg->more, &bg->lock);
		if (bg->ready == 0)
			break;
		unsigned i = bg->cons;
		pthread_mutex_unlock(&bg->lock);
		EVP_DigestUpdate(bg->ctx, bg->slot[i], bg->len[i]);
		pthread_mutex_lock(&bg->lock);
		bg->cons = (i + 1) % NSLOT;
		bg->ready--;
		pthread_cond_signal(&bg->room);
	}
	pthread_mutex_unlock(&bg->lock);
	return NULL;
}

static void
bg_free(struct ref_digest_bg *bg)
{
	for (int i = 0; i < NSLOT; i++)
		free(bg->slot[i]);
	pthread_mutex_destroy(&bg->lock);
	pthread_cond_destroy(&bg->more);
	pthread_cond_destroy(&bg->room);
	free(bg);
}

int
ref_digest_background(struct ref_digest *d)
{
	struct ref_digest_bg *bg;

	if (d->ctx == NULL || d->bg != NULL)
		return d->bg ? 0 : -1;
	if ((bg = calloc(1, sizeof(*bg))) == NULL)
		return -1;
	pthread_mutex_init(&bg->lock, NULL);
	pthread_cond_init(&bg->more, NULL);
	pthread_cond_init(&bg->room, NULL);
	bg->ctx = d->ctx;
	for (int i = 0; i < NSLOT; i++)
		if ((bg->slot[i] = malloc(SLOT)) == NULL) {
			bg_free(bg);
			return -1;
		}
	if (pthread_create(&bg->thread, NULL, bg_main, bg) != 0) {
		bg_free(bg);
		return -1;
	}
	d->bg = bg;
	return 0;
}

/* Hand slot[prod] to the thread. */
static void
bg_publish(struct ref_digest_bg *bg)
{
	pthread_mutex_lock(&bg->lock);
	bg->len[bg->prod] = bg->fill;
	bg->ready++;
	pthread_cond_signal(&bg->more);
	pthread_mutex_unlock(&bg->lock);
	bg->prod = (bg->prod + 1) % NSLOT;
	bg->fill = 0;
}

void
ref_digest_update(struct ref_digest *d, const void *buf, size_t len)
{
	struct ref_digest_bg *bg = d->bg;
	const unsigned char *p = buf;

	if (d->ctx == NULL || len == 0)
		return;
	if (bg == NULL) {
		EVP_DigestUpdate(d->ctx, buf, len);
		return;
	}
	while (len > 0) {
		if (bg->fill == 0) {
			/* slot[prod] is free once fewer than NSLOT slots wait */
			pthread_mutex_lock(&bg->lock);
			while (bg->ready == NSLOT)
				pthread_cond_wait(&bg->room, &bg->lock);
			pthread_mutex_unlock(&bg->lock);
		}
		size_t k = SLOT - bg->fill < len ? SLOT - bg->fill : len;
		memcpy(bg->slot[bg->prod] + bg->fill, p, k);
		bg->fill += k;
		p += k;
		len -= k;
		if (bg->fill == SLOT)
			bg_publish(bg);
	}
}

void
ref_digest_final(struct ref_digest *d, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	hex[0] = '\0';
	if (d->ctx == NULL)
		return;
	if (d->bg) {
		struct ref_digest_bg *bg = d->bg;
		if (bg->fill > 0)
			bg_publish(bg);
		pthread_mutex_lock(&bg->lock);
		bg->done = 1;
		pthread_cond_signal(&bg->more);
		pthread_mutex_unlock(&bg->lock);
		pthread_join(bg->thread, NULL);
		bg_free(bg);
		d->bg = NULL;
	}
	if (EVP_DigestFinal_ex(d->ctx, md, &len) == 1)
		for (unsigned i = 0; i < len && i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
	EVP_MD_CTX_free(d->ctx);
	d->ctx = NULL;
}
