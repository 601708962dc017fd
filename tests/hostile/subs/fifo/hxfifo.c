/* Receives the file, replies, then leaves receive.dat as a FIFO nobody writes. */
#include "hx.h"
#define SWAP() (unlink("receive.dat"), (void)mkfifo("receive.dat", 0666))
#include "hxrecv.h"
