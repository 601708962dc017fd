/*
 * An echo client that spins: it never checks recv() and loops for ever,
 * printing each failure and appending it to a log file in its directory.
 */
#include "hx.h"
int main(int argc, char **argv)
{
	struct sockaddr_in a;
	char buf[64];
	int s = socket(AF_INET, SOCK_STREAM, 0);
	FILE *log = fopen("spin.log", "w");

	if (argc < 3 || log == NULL)
		return 2;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &a.sin_addr);
	(void)!connect(s, (struct sockaddr *)&a, sizeof(a));
	close(s);
	for (unsigned long i = 0;; i++) {
		int n = (int)recv(s, buf, sizeof(buf), 0);
		printf("received %d bytes (try %lu)\n", n, i);
		fprintf(log, "try %lu: recv returned %d, errno %d: %s\n", i, n, errno,
		    strerror(errno));
	}
}
