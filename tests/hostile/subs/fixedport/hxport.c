/* A working echo server on a port fixed at compile time. */
#include "hx.h"
int main(void) { hx_echo_forever(hx_listen(PORT)); }
