/* Receives the file, replies, then leaves receive.dat as a link to /dev/zero. */
#include "hx.h"
#define SWAP() (unlink("receive.dat"), (void)!symlink("/dev/zero", "receive.dat"))
#include "hxrecv.h"
