/* Prints for ever to stdout and stderr and never listens. */
#include <stdio.h>
int main(void)
{
	for (unsigned long i = 0; ; i++) {
		printf("waiting for a client... %lu\n", i);
		if (i % 64 == 0)
			fprintf(stderr, "still nothing %lu\n", i);
	}
}
