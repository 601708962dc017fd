/*
 * judge_int: what the parts of the judge share: judge.c (the verdict),
 * judge_text.c (a check's texts), judge_end.c (how a program ended) and the
 * protocol parts judge_echo.c, judge_file.c and judge_udp.c.
 */
#ifndef SC_JUDGE_INT_H
#define SC_JUDGE_INT_H

#include "judge.h"
#include "results.h"

/*
 * Record one check with the cause it has when it fails (cause.h); returns
 * ok so callers can chain. judge_case decides afterwards which checks are
 * collateral and keeps the cause of the failed ones only.
 */
int judge_check(struct res_case *c, const char *name, const char *cause, int ok,
    const char *expected, const char *actual_fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Append a sentence to the diagnosis. */
void judge_diag(struct res_case *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A short printable rendering of bytes for expected/actual texts. */
void judge_show(char *buf, size_t len, const char *p, size_t n);

/*
 * Why an echo client did not end as it should: the aspect of the case's
 * standard input (its end, or the quit word), unless the case is about a
 * server that misbehaves (the client must then fail on its own).
 */
const char *judge_end_cause(const struct judge_in *in, int client, const char *otherwise);

/*
 * What explains a server's failures when the server does: the file it could
 * not open, or its death by a signal (then the kernel closed its sockets);
 * else `otherwise`.
 */
const char *judge_server_cause(const struct judge_in *in, const char *otherwise);

/*
 * The student program's end: a signal is always an error; a status is
 * checked against `want`. Returns 0 when the case must be an error.
 */
int judge_check_end(struct res_case *c, const struct judge_in *in, const struct judge_proc *p,
    const char *label, enum scn_exit_expect want, int client, int *failed);

/* expect.stderr_message: a message on standard error (or stdout, warned). */
void judge_check_stderr(struct res_case *c, const struct judge_in *in, const struct judge_proc *p,
    int *failed);

/* expect.max_seconds: its own time, not the time it waited for a CPU. */
void judge_check_time(struct res_case *c, const struct judge_in *in, const struct judge_proc *p,
    int *failed);

/*
 * expect.port_usable: the server listens where a client can learn it (the
 * port it was given, one fixed in its source, one it prints), not on a port
 * only its own socket tells (profile `listening`; cause hidden-port).
 */
void judge_check_port(struct res_case *c, const struct judge_in *in, int *failed);

/*
 * echo.client: every line's echo is on the client's standard output (in
 * the pieces its buffer allows). A client that has not printed them all
 * was still busy with its lines, not with its input's end.
 */
int judge_echoes_printed(const struct judge_in *in, const struct judge_proc *cl);
/* The echo client's sends were cut short (injected) and what the server got
 * ends inside a line: the rest of it never left (short-write). */
int judge_sends_cut(const struct judge_in *in);

/* The preload failed one of the program's accept() calls (so it listened). */
int judge_accept_failed(const struct judge_in *in);
int judge_eintr_unretried(const struct judge_in *in);

/* Is one of the accepted replies in `out` (printed with or without its terminator)? */
int judge_reply_printed(const struct prof *p, const char *out, size_t out_len);

/* The protocol parts: add checks and diagnosis to c; set *failed. */
void judge_echo_server(const struct judge_in *in, struct res_case *c, int *failed);
void judge_echo_client(const struct judge_in *in, struct res_case *c, const struct judge_proc *cl,
    int *failed);
void judge_file_server(const struct judge_in *in, struct res_case *c, int *failed);
void judge_file_client(const struct judge_in *in, struct res_case *c, const struct judge_proc *cl,
    int *failed);

#endif
