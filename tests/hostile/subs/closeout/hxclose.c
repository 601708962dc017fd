/*
 * Listens, then closes stdin, stdout and stderr and works on (its printf
 * and perror go nowhere: fd 1 and 2 stay closed, the clients take fd 0).
 */
#include "hx.h"
int main(int argc, char **argv)
{
	int s;

	(void)argc;
	s = hx_listen(atoi(argv[1]));
	close(0);
	close(1);
	close(2);
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		printf("client connected\n");
		fflush(stdout);
		perror("nowhere");
		hx_echo_one(c);
		close(c);
	}
}
