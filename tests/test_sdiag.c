/* sock_diag: the bytes that crossed a loopback connection, as the kernel counts them. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sdiag.h"

/* A connected loopback pair; returns the listener's port. */
static unsigned
pair(int *a, int *b)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(bind(l, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	cr_assert(listen(l, 1) == 0);
	cr_assert(getsockname(l, (struct sockaddr *)&sa, &len) == 0);
	*a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(connect(*a, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	*b = accept(l, NULL, NULL);
	cr_assert(*b >= 0);
	close(l);
	return ntohs(sa.sin_port);
}

Test(sdiag, counts_acked_and_received_bytes, .timeout = 10)
{
	static char buf[100000];
	struct sc_err err;
	struct sdiag_conn *cs;
	int a, b, fd, found = 0;
	unsigned port = pair(&a, &b);
	ssize_t n, got = 0;

	memset(buf, 'x', sizeof(buf));
	cr_assert(write(a, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	while (got < (ssize_t)sizeof(buf) && (n = read(b, buf, sizeof(buf))) > 0)
		got += n;
	cr_assert_eq(got, (ssize_t)sizeof(buf));
	fd = sdiag_open(getpid(), &err);
	cr_assert(fd >= 0, "%s", err.msg);
	/* the last ACK may be delayed: look until it came */
	for (int tries = 0;; tries++) {
		uint64_t acked = 0;
		n = sdiag_tcp(fd, &cs, &err);
		cr_assert(n >= 2, "%s", err.msg);
		for (ssize_t i = 0; i < n; i++)
			if (cs[i].remote_port == port)
				acked = cs[i].bytes_acked;
		if (acked >= sizeof(buf) || tries == 100)
			break;
		free(cs);
		usleep(10000);
	}
	for (ssize_t i = 0; i < n; i++) {
		if (cs[i].remote_port == port) {	/* the connecting side: it sent */
			cr_assert_eq(cs[i].state, 1);
			/* the kernel counts the SYN as one acknowledged byte */
			cr_assert(cs[i].bytes_acked == sizeof(buf) ||
			    cs[i].bytes_acked == sizeof(buf) + 1, "acked %llu",
			    (unsigned long long)cs[i].bytes_acked);
			found |= 1;
		}
		if (cs[i].local_port == port) {	/* the accepted side: it received */
			cr_assert_eq(cs[i].bytes_received, sizeof(buf));
			cr_assert_eq(cs[i].rqueue, 0);
			found |= 2;
		}
	}
	cr_assert_eq(found, 3);
	free(cs);
	close(fd);
	close(a);
	close(b);
}

Test(sdiag, a_missing_namespace_is_an_error)
{
	struct sc_err err;

	cr_assert_eq(sdiag_open(999999999, &err), -1);
	cr_assert_not_null(strstr(err.msg, "/proc/999999999/ns/net"));
}
