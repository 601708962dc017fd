/*
 * wpkt: one captured packet's headers (contract in wpkt.h).
 */
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>

#include <pcap/pcap.h>
#include <pcap/sll.h>

#include "wpkt.h"

static int
ip_of(const unsigned char *b, size_t len, struct wpkt *s)
{
	size_t off;
	uint8_t proto;
	uint64_t iplen;

	if (len < 1)
		return -1;
	if ((b[0] >> 4) == 4) {
		struct ip ip;
		if (len < sizeof(ip))
			return -1;
		memcpy(&ip, b, sizeof(ip));
		s->family = AF_INET;
		memset(s->src, 0, 16);
		memset(s->dst, 0, 16);
		memcpy(s->src, &ip.ip_src, 4);
		memcpy(s->dst, &ip.ip_dst, 4);
		proto = ip.ip_p;
		off = ip.ip_hl * 4u;
		if ((ntohs(ip.ip_off) & IP_OFFMASK) != 0)
			return -1;	/* a later fragment: no transport header */
		iplen = ntohs(ip.ip_len);
	} else if ((b[0] >> 4) == 6) {
		struct ip6_hdr ip6;
		if (len < sizeof(ip6))
			return -1;
		memcpy(&ip6, b, sizeof(ip6));
		s->family = AF_INET6;
		memcpy(s->src, &ip6.ip6_src, 16);
		memcpy(s->dst, &ip6.ip6_dst, 16);
		proto = ip6.ip6_nxt;
		off = sizeof(ip6);
		iplen = sizeof(ip6) + ntohs(ip6.ip6_plen);
	} else {
		return -1;
	}
	if (proto == IPPROTO_TCP) {
		struct tcphdr th;
		if (len < off + sizeof(th))
			return -1;
		memcpy(&th, b + off, sizeof(th));
		s->udp = 0;
		s->sport = ntohs(th.th_sport);
		s->dport = ntohs(th.th_dport);
		s->seq = ntohl(th.th_seq);
		s->flags = th.th_flags;
		s->win = ntohs(th.th_win);
		size_t hl = off + th.th_off * 4u;
		s->len = iplen > hl ? iplen - hl : 0;
	} else if (proto == IPPROTO_UDP) {
		struct udphdr uh;
		if (len < off + sizeof(uh))
			return -1;
		memcpy(&uh, b + off, sizeof(uh));
		s->udp = 1;
		s->sport = ntohs(uh.uh_sport);
		s->dport = ntohs(uh.uh_dport);
		s->len = ntohs(uh.uh_ulen) >= sizeof(uh) ? ntohs(uh.uh_ulen) - sizeof(uh) : 0;
	} else {
		return -1;
	}
	return 0;
}

/* Strip the link layer; -1 for what is not IP. */
int
wpkt_parse(int dlt, const unsigned char *b, size_t len, struct wpkt *s)
{
	size_t off = 0;

	switch (dlt) {
	case DLT_EN10MB: {
		struct ether_header eh;
		if (len < sizeof(eh))
			return -1;
		memcpy(&eh, b, sizeof(eh));
		if (ntohs(eh.ether_type) != ETHERTYPE_IP && ntohs(eh.ether_type) != ETHERTYPE_IPV6)
			return -1;
		off = sizeof(eh);
		break;
	}
	case DLT_LINUX_SLL: {
		struct sll_header sh;
		if (len < sizeof(sh))
			return -1;
		memcpy(&sh, b, sizeof(sh));
		if (ntohs(sh.sll_protocol) != ETHERTYPE_IP && ntohs(sh.sll_protocol) != ETHERTYPE_IPV6)
			return -1;
		off = sizeof(sh);
		break;
	}
	case DLT_NULL:
	case DLT_LOOP:
		off = 4;	/* the address family, in an order that varies: the IP version says */
		break;
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
		break;
	default:
		return -1;
	}
	if (len < off)
		return -1;
	return ip_of(b + off, len - off, s);
}

int
wpkt_key(const struct wpkt *k, struct wpkt_key *key)
{
	int sw = memcmp(k->src, k->dst, 16) > 0 || (memcmp(k->src, k->dst, 16) == 0 &&
	    k->sport > k->dport);

	memset(key, 0, sizeof(*key));
	key->udp = (uint8_t)k->udp;
	key->family = (uint8_t)k->family;
	memcpy(key->addr[sw], k->src, 16);
	memcpy(key->addr[!sw], k->dst, 16);
	key->port[sw] = k->sport;
	key->port[!sw] = k->dport;
	return sw;
}
