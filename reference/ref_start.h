/*
 * ref_start: how every reference peer's main() begins. The options are
 * parsed (--help printed), the positional arguments counted, the address
 * and port checked; then the event log is opened and its "start" written.
 * Errors go to standard error with the usage; bad input exits 2.
 */
#ifndef REF_START_H
#define REF_START_H

#include "ref_conn.h"
#include "ref_events.h"
#include "ref_opts.h"

/* "echo_server", ... */
const char *ref_prog_name(enum ref_prog prog);

/*
 * Parse and check the command line of `prog` into *o and *port. Returns -1
 * when main() goes on, else the exit status main() returns at once (0
 * after --help, 2 on bad input).
 */
int ref_start(int argc, char **argv, enum ref_prog prog, struct ref_opts *o, unsigned *port);

/* Open o->events and log "start". Returns 0, or -1 after the message. */
int ref_start_events(enum ref_prog prog, const struct ref_opts *o, struct ref_events *ev);

/*
 * Clients: after --delay-connect-ms, connect to args[0]:port and start the
 * connection (id 1) with its "connect" event. Returns 0, or -1 after the
 * message and the "connect_error" and "end" events (main() returns 1).
 */
int ref_start_connect(enum ref_prog prog, const struct ref_opts *o, unsigned port,
    struct ref_events *ev, struct ref_conn *c);

/* Servers: the next connection, after --delay-accept-ms once one waits.
 * Returns the descriptor, or -1 with errno (EINTR, ECONNABORTED: try again). */
int ref_accept(int lfd, const struct ref_opts *o);

#endif
