/*
 * ref_udp: the datagram sockets of the UDP reference peers, IPv4 and IPv6,
 * and their one-datagram send and receive with the address as text.
 */
#ifndef REF_UDP_H
#define REF_UDP_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Largest UDP payload over IPv4 (65535 - 20 - 8); IPv6 allows 65527. */
#define REF_UDP_MAX 65507

/*
 * A datagram socket bound to `bind_addr` (NULL: "::" with IPV6_V6ONLY off,
 * else 0.0.0.0) and `port` (0: any; *bound gets it). Returns it, or -1.
 */
int ref_udp_bind(const char *bind_addr, unsigned port, int rcvbuf, unsigned *bound,
    char *errbuf, size_t errlen);

/*
 * A datagram socket for talking to ip:port (its family), with the
 * destination in *to; connected to it when `do_connect`. Returns it, or -1.
 */
int ref_udp_open(const char *ip, unsigned port, int rcvbuf, int do_connect,
    struct sockaddr_storage *to, socklen_t *tolen, char *errbuf, size_t errlen);

/* The local port of a socket, 0 if unknown. */
unsigned ref_udp_local_port(int fd);

/* 1 when a and b are the same address and port (IPv4-mapped IPv6 = IPv4). */
int ref_udp_same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

/* Wait up to ms (-1 forever) for a datagram: 1 readable, 0 timeout, -1 error. */
int ref_udp_wait(int fd, int ms);

#endif
