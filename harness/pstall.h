/*
 * pstall: a deadlock of a program's own pipes, seen in /proc.
 *
 * A server that relays a connection through a child process (ncat -e
 * /bin/cat, popen(), fork and two pipes) can block for good on its own
 * pipes: it writes into the child's full input pipe while the child writes
 * into its full output pipe, which only the parent reads. No socket queue is
 * empty and nothing waits for input, so the watch's deadlock test (every
 * process waiting for input, nothing queued) does not see it, yet nothing can
 * ever move again: each writer waits for a reader that waits too.
 *
 * Found from the state alone, never from time: a set of single-threaded
 * processes, each asleep in write() to a pipe whose every reader (any
 * process holding its read end) is in the set. Such a set can only be
 * released by a signal, which nobody in a case sends.
 */
#ifndef SC_PSTALL_H
#define SC_PSTALL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Whether processes of the process groups `pgids` (n of them) are stuck on
 * each other's pipes. When so, returns 1 and writes into buf (len bytes) a
 * description for a verdict ("echo_server (pid 12) is blocked writing to a
 * pipe that only cat (pid 13) reads; cat ..."), and sets *sig to a value that
 * names who waits where (equal at two looks: the same state). 0 otherwise.
 */
int pstall_pipe_cycle(const pid_t *pgids, size_t n, char *buf, size_t len, unsigned long *sig);

#endif
