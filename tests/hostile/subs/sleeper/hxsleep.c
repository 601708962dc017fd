/* Sleeps for ever without listening. */
#include <unistd.h>
int main(void)
{
	for (;;)
		pause();
}
