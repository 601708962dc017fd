/*
 * The UDP reference peers' command line (flags of udp_echo_server and
 * udp_echo_client, the datagram size list) and their address helpers
 * (IPv4-mapped IPv6 addresses shown as IPv4, same-address comparison).
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "ref_net.h"
#include "ref_opts.h"
#include "ref_udp.h"

static int
parse(enum ref_prog prog, struct ref_opts *o, char *err, size_t errlen, ...)
{
	static char *argv[64];
	static char store[64][256];
	va_list ap;
	int argc = 0;
	const char *a;

	argv[argc++] = strcpy(store[0], "peer");
	va_start(ap, errlen);
	while ((a = va_arg(ap, const char *)) != NULL) {
		cr_assert_lt(argc, 63);
		argv[argc] = strcpy(store[argc], a);
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	return ref_opts_parse(argc, argv, prog, o, err, errlen);
}

#define P(prog, ...) parse((prog), &o, err, sizeof(err), __VA_ARGS__, (const char *)NULL)

Test(udp_opts, server_defaults_and_flags)
{
	struct ref_opts o;
	char err[512];

	cr_assert_eq(P(REF_UDP_SERVER, "0"), 0, "%s", err);
	cr_assert_eq(o.drop, 0);
	cr_assert_eq(o.truncate, -1);
	cr_assert_eq(o.max_datagrams, -1);
	cr_assert_eq(P(REF_UDP_SERVER, "--drop", "2", "--duplicate", "3", "--reorder", "4",
	    "--delay-ms", "50", "--truncate", "30", "--other-port", "--unasked", "2", "--mangle",
	    "--max-datagrams", "9", "--bind", "::1", "--rcvbuf", "4096", "7"), 0, "%s", err);
	cr_assert_eq(o.drop, 2);
	cr_assert_eq(o.duplicate, 3);
	cr_assert_eq(o.reorder, 4);
	cr_assert_eq(o.delay_ms, 50);
	cr_assert_eq(o.truncate, 30);
	cr_assert_eq(o.other_port, 1);
	cr_assert_eq(o.unasked, 2);
	cr_assert_eq(o.mangle, 1);
	cr_assert_eq(o.max_datagrams, 9);
	cr_assert_str_eq(o.bind, "::1");
	cr_assert_eq(o.rcvbuf, 4096);
	cr_assert_str_eq(o.args[0], "7");
}

Test(udp_opts, client_defaults_and_flags)
{
	struct ref_opts o;
	char err[512];

	cr_assert_eq(P(REF_UDP_CLIENT, "::1", "7"), 0, "%s", err);
	cr_assert_eq(o.reply_timeout_ms, 1000);
	cr_assert_null(o.sizes);
	cr_assert_eq(P(REF_UDP_CLIENT, "--sizes", "29,30,31", "--gap-ms", "5", "--burst",
	    "--connect", "--reply-timeout-ms", "250", "--no-reply-wait", "--pattern", "binary",
	    "--seed", "3", "127.0.0.1", "7"), 0, "%s", err);
	cr_assert_str_eq(o.sizes, "29,30,31");
	cr_assert_eq(o.gap_ms, 5);
	cr_assert_eq(o.burst, 1);
	cr_assert_eq(o.do_connect, 1);
	cr_assert_eq(o.reply_timeout_ms, 250);
	cr_assert_eq(o.no_reply_wait, 1);
	cr_assert_eq(o.seed, 3);
}

Test(udp_opts, tcp_flags_are_not_udp_flags)
{
	struct ref_opts o;
	char err[512];

	cr_assert_eq(P(REF_UDP_SERVER, "--chunk", "5", "7"), -1);
	cr_assert(strstr(err, "--chunk"), "%s", err);
	cr_assert_eq(P(REF_UDP_CLIENT, "--drop", "1", "127.0.0.1", "7"), -1);
	cr_assert_eq(P(REF_ECHO_SERVER, "--drop", "1", "7"), -1);
	cr_assert_eq(P(REF_ECHO_CLIENT, "--sizes", "1", "127.0.0.1", "7"), -1);
	cr_assert_eq(P(REF_UDP_SERVER, "--truncate", "65536", "7"), -1);
}

Test(udp_opts, size_lists)
{
	unsigned s[16];

	cr_assert_eq(ref_sizes_parse("29,30,31", s, 16), 3);
	cr_assert_eq(s[0], 29);
	cr_assert_eq(s[2], 31);
	cr_assert_eq(ref_sizes_parse("0", s, 16), 1);
	cr_assert_eq(s[0], 0);
	cr_assert_eq(ref_sizes_parse("1024x3,5", s, 16), 4);
	cr_assert_eq(s[2], 1024);
	cr_assert_eq(s[3], 5);
	cr_assert_eq(ref_sizes_parse("65507", NULL, 0), 1);
	cr_assert_eq(ref_sizes_parse("65508", NULL, 0), -1);
	cr_assert_eq(ref_sizes_parse("", NULL, 0), -1);
	cr_assert_eq(ref_sizes_parse("1,", NULL, 0), -1);
	cr_assert_eq(ref_sizes_parse(",1", NULL, 0), -1);
	cr_assert_eq(ref_sizes_parse("1x0", NULL, 0), -1);
	cr_assert_eq(ref_sizes_parse("-1", NULL, 0), -1);
	cr_assert_eq(ref_sizes_parse("3x", NULL, 0), -1);
	cr_assert_eq(ref_sizes_parse("10x20000", NULL, 0), -1);	/* 20000 > 10000 copies */
}

Test(udp_addr, mapped_ipv4_is_shown_as_ipv4)
{
	struct sockaddr_storage a, b;
	socklen_t la, lb;
	char text[64];
	unsigned port;

	cr_assert_eq(ref_make_addr("::ffff:127.0.0.1", 4000, &a, &la), 0);
	ref_addr_name(&a, text, sizeof(text), &port);
	cr_assert_str_eq(text, "127.0.0.1");
	cr_assert_eq(port, 4000);
	cr_assert_eq(ref_make_addr("127.0.0.1", 4000, &b, &lb), 0);
	cr_assert(ref_udp_same_addr(&a, &b));
	cr_assert_eq(ref_make_addr("127.0.0.1", 4001, &b, &lb), 0);
	cr_assert_not(ref_udp_same_addr(&a, &b));
	cr_assert_eq(ref_make_addr("::1", 4000, &b, &lb), 0);
	cr_assert_not(ref_udp_same_addr(&a, &b));
	ref_addr_name(&b, text, sizeof(text), &port);
	cr_assert_str_eq(text, "::1");
	cr_assert_eq(ref_make_addr("localhost", 1, &b, &lb), -1);
}

Test(udp_sock, bind_and_exchange_over_loopback, .timeout = 10)
{
	struct sockaddr_storage to;
	socklen_t tolen;
	char err[256], buf[64];
	unsigned port = 0;
	int s = ref_udp_bind("127.0.0.1", 0, 0, &port, err, sizeof(err));
	cr_assert_geq(s, 0, "%s", err);
	cr_assert_gt(port, 0);
	cr_assert_eq(ref_udp_local_port(s), port);
	int c = ref_udp_open("127.0.0.1", port, 0, 1, &to, &tolen, err, sizeof(err));
	cr_assert_geq(c, 0, "%s", err);
	cr_assert_eq(send(c, "ping", 4, 0), 4);
	cr_assert_eq(ref_udp_wait(s, 2000), 1);
	cr_assert_eq(recv(s, buf, sizeof(buf), 0), 4);
	cr_assert_eq(ref_udp_wait(s, 10), 0);
	close(c);
	close(s);
}
