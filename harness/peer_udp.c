/*
 * peer_udp: the datagram events of the UDP reference peers
 * (reports/events.md), folded into a peer_log.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "peer.h"

static uint64_t
u64(json_t *ev, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(ev, key));
	return v > 0 ? (uint64_t)v : 0;
}

static struct peer_dgram *
add_dgram(struct peer_log *log)
{
	struct peer_dgram *d = realloc(log->dgrams, (log->ndgrams + 1) * sizeof(*d));
	if (d == NULL)
		return NULL;
	log->dgrams = d;
	d = &log->dgrams[log->ndgrams++];
	memset(d, 0, sizeof(*d));
	d->diff_off = -1;
	return d;
}

int
peer_udp_event(struct peer_log *log, const char *name, json_t *ev)
{
	struct peer_dgram *d;

	if (strcmp(name, "dgram_in") == 0) {
		log->dgrams_in++;
		log->dgram_in_bytes += u64(ev, "n");
		if (u64(ev, "n") > log->dgram_in_max)
			log->dgram_in_max = u64(ev, "n");
		return 1;
	}
	if (strcmp(name, "dgram_out") == 0) {
		log->dgrams_out++;
		return 1;
	}
	if (strcmp(name, "tcp_accept") == 0) {
		log->tcp_accepts++;
		return 1;
	}
	if (strcmp(name, "dgram_drop") == 0) {
		if (log->dgram_dropped == 0)
			log->dgram_dropped = (unsigned)u64(ev, "i");
		return 1;
	}
	/* file_server's reply belongs to a connection; udp_echo_client's does not */
	if ((strcmp(name, "reply") == 0 && json_object_get(ev, "conn") == NULL) ||
	    strcmp(name, "lost") == 0) {
		if ((d = add_dgram(log)) == NULL)
			return 1;
		d->i = (unsigned)u64(ev, "i");
		d->sent = u64(ev, "sent");
		if (strcmp(name, "lost") == 0) {
			d->lost = 1;
			return 1;
		}
		d->n = u64(ev, "n");
		d->same = json_is_true(json_object_get(ev, "same"));
		d->prefix = json_is_true(json_object_get(ev, "prefix"));
		d->cut_nul = json_is_true(json_object_get(ev, "cut_nul"));
		d->from_ok = json_is_true(json_object_get(ev, "from_ok"));
		d->diff_off = json_integer_value(json_object_get(ev, "diff_off"));
		return 1;
	}
	return 0;
}
