/* A fork bomb that never listens: every process forks for ever (failed
 * forks back off a millisecond so that the machine stays usable). */
#include <unistd.h>
int main(void)
{
	for (;;)
		if (fork() < 0)
			usleep(1000);
}
