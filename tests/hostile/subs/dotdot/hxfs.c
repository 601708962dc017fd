/* A correct file server for the file argv[2]: sends it, half-closes, prints the reply. */
#include "hx.h"
int main(int argc, char **argv)
{
	char buf[65536];
	ssize_t n;
	int s, c, fd;

	if (argc < 3)
		return 2;
	s = hx_listen(atoi(argv[1]));
	if ((c = accept(s, NULL, NULL)) < 0)
		return 1;
	if ((fd = open(argv[2], O_RDONLY)) < 0) {
		perror(argv[2]);
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < n; ) {
			ssize_t w = write(c, buf + off, (size_t)(n - off));
			if (w < 0)
				return 1;
			off += w;
		}
	shutdown(c, SHUT_WR);
	while ((n = read(c, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		printf("Message from client: %s", buf);
	}
	return 0;
}
