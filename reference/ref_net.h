/* ref_net: listening and connecting sockets, IPv4 and IPv6, and the reset. */
#ifndef REF_NET_H
#define REF_NET_H

#include <stddef.h>
#include <sys/socket.h>

/*
 * A socket of `type` (SOCK_STREAM: listening; SOCK_DGRAM: bound) on
 * `bind_addr` (NULL: "::" with IPV6_V6ONLY off, falling back to 0.0.0.0)
 * and `port` (0: the kernel picks; *bound gets it). rcvbuf > 0 sets
 * SO_RCVBUF first (inherited by accepted sockets). Returns it, or -1 and a
 * message ("cannot listen on port N: ...", "cannot bind UDP port N: ...").
 */
int ref_bind(const char *bind_addr, unsigned port, int type, int rcvbuf, unsigned *bound,
    char *errbuf, size_t errlen);

/* ref_bind with SOCK_STREAM: a listening socket. */
int ref_listen(const char *bind_addr, unsigned port, int rcvbuf, unsigned *bound,
    char *errbuf, size_t errlen);

/*
 * Connect to ip:port (a numeric IPv4 or IPv6 address). Returns the socket,
 * or -1 with *err_no set (ECONNREFUSED...) and a message.
 */
int ref_connect(const char *ip, unsigned port, int rcvbuf, int *err_no, char *errbuf,
    size_t errlen);

/* 1 when `ip` is a numeric IPv4 or IPv6 address. */
int ref_addr_valid(const char *ip);

/* Reset: SO_LINGER {1, 0}, then close, so the kernel sends RST. */
void ref_reset(int fd);

/* The peer's address as text, and its port. */
void ref_peer_name(int fd, char *buf, size_t len, unsigned *port);

/* An address as text (an IPv4-mapped IPv6 one as IPv4), and its port. */
void ref_addr_name(const struct sockaddr_storage *ss, char *buf, size_t len, unsigned *port);

/* A numeric IPv4 or IPv6 address and a port as a sockaddr. 0, or -1 if not numeric. */
int ref_make_addr(const char *ip, unsigned port, struct sockaddr_storage *ss, socklen_t *len);

#endif
