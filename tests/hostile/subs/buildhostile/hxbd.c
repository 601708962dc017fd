/* A correct echo server (the build is the hostile part). */
#include "hx.h"
int main(int argc, char **argv) { (void)argc; hx_echo_forever(hx_listen(atoi(argv[1]))); }
