/*
 * A file client that writes garbage, never reading what the server sends:
 * 64 MiB to standard output (a terminal: slow), then 4 GiB into receive.dat.
 */
#include "hx.h"
int main(int argc, char **argv)
{
	static char buf[1 << 20];
	struct sockaddr_in a;
	int s = socket(AF_INET, SOCK_STREAM, 0), fd;
	unsigned long long x = 88172645463325252ULL;

	if (argc < 3)
		return 2;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &a.sin_addr);
	(void)!connect(s, (struct sockaddr *)&a, sizeof(a));
	for (size_t i = 0; i < sizeof(buf); i++) {	/* xorshift: nothing compresses it */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (char)x;
	}
	for (int i = 0; i < 64; i++)
		if (write(1, buf, sizeof(buf)) < 0)
			break;
	if ((fd = open("receive.dat", O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return 1;
	for (int i = 0; i < 4096; i++)
		if (write(fd, buf, sizeof(buf)) < 0)
			break;
	return 0;
}
