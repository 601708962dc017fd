/*
 * A working echo server that, once its first client is connected, tries to
 * damage things outside its working copy: the submission (argv[2]), a file
 * of the test (argv[3]), the case's logs, the built copy, a port on the
 * host's loopback (argv[4]). Each attempt that works prints "ESCAPED: what"
 * on stdout; the test fails on any. It also leaves symbolic links to the
 * submission and the victim in its working directory: removing the working
 * copy must not follow them.
 */
#include "hx.h"

static void
report(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ESCAPED" : "blocked", what);
	fflush(stdout);
}

static void
attack(char **argv)
{
	char p[4096];
	struct sockaddr_in a;
	int fd, s;

	report(getuid() == 0 || geteuid() == 0, "running as root");
	snprintf(p, sizeof(p), "%s/Makefile", argv[2]);
	report(unlink(p) == 0, "unlink the submission's Makefile");
	snprintf(p, sizeof(p), "%s/pwned", argv[2]);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0666);
	report(fd >= 0, "create a file in the submission");
	if (fd >= 0)
		close(fd);
	snprintf(p, sizeof(p), "%s/hxescape.c", argv[2]);
	fd = open(p, O_WRONLY | O_TRUNC);
	report(fd >= 0, "truncate the submission's source");
	if (fd >= 0)
		close(fd);
	report(unlink(argv[3]) == 0, "unlink a file of the test");
	report(chmod(argv[3], 0777) == 0, "chmod a file of the test");
	fd = open("../peer1.events", O_WRONLY | O_APPEND);
	report(fd >= 0, "open the peer's event log for writing");
	if (fd >= 0)
		close(fd);
	fd = open("../pwned", O_WRONLY | O_CREAT | O_EXCL, 0666);
	report(fd >= 0, "create a file in the case directory");
	if (fd >= 0)
		close(fd);
	fd = open("../../../build/hxescape", O_WRONLY);
	report(fd >= 0, "open the built copy for writing");
	if (fd >= 0)
		close(fd);
	report(rename("../../../build.log", "../../../build.log.x") == 0, "rename the build log");
	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(argv[4]));
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	report(connect(s, (struct sockaddr *)&a, sizeof(a)) == 0,
	    "connect to a port of the host's loopback");
	close(s);
	(void)!symlink(argv[2], "link-to-submission");
	(void)!symlink(argv[3], "link-to-victim");
	(void)!mkdir("deep", 0700);
	(void)!symlink(argv[2], "deep/link-to-submission");
}

int
main(int argc, char **argv)
{
	int s, c, first = 1;

	if (argc < 5)
		return 2;
	s = hx_listen(atoi(argv[1]));
	for (;;) {
		if ((c = accept(s, NULL, NULL)) < 0)
			continue;
		if (first)
			attack(argv);
		first = 0;
		hx_echo_one(c);
		close(c);
	}
}
