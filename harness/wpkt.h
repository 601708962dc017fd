/*
 * wpkt: the headers of one captured packet, as the capture (wcap.c) and
 * its reader (wire.c) need them: link layer stripped, IPv4 or IPv6, then
 * TCP or UDP. Read with the system's header structs (netinet/ip.h, tcp.h, ...).
 */
#ifndef SC_WPKT_H
#define SC_WPKT_H

#include <stddef.h>
#include <stdint.h>

struct wpkt {
	int family;		/* AF_INET, AF_INET6 */
	uint8_t src[16], dst[16];	/* IPv4: the first 4 bytes, the rest 0 */
	uint16_t sport, dport;
	int udp;		/* 0: TCP */
	uint8_t flags;		/* TCP: TH_SYN, TH_FIN, ... */
	uint32_t seq;
	uint16_t win;
	uint64_t len;		/* payload bytes (from the IP length: the snap length cuts) */
	double t;		/* the caller's: when it was seen */
};

/*
 * Parse `b` (caplen bytes captured, link type `dlt`: Ethernet, Linux
 * cooked, BSD loopback or raw IP). Returns 0, or -1 for what is not TCP or
 * UDP over IP (or too short to tell).
 */
int wpkt_parse(int dlt, const unsigned char *b, size_t caplen, struct wpkt *k);

/* A packet's 4-tuple with its endpoints in a fixed order, the same both ways
 * (zeroed padding: compare it whole with memcmp). */
struct wpkt_key {
	uint8_t addr[2][16];
	uint16_t port[2];
	uint8_t udp, family;
};

/* Fill *key from k; returns 0 when k's source is the key's [0], else 1. */
int wpkt_key(const struct wpkt *k, struct wpkt_key *key);

#endif
