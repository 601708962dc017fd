/*
 * err: the error a library function hands back to its caller.
 *
 * Library code never prints and never exits: it fills a caller-owned
 * struct sc_err and returns -1 (or NULL). Only main() turns one into output
 * and an exit status. Where the error has a source position (a YAML file),
 * file/line/col are set and `excerpt` holds the offending line so that the
 * caller can print it with a caret under `col`.
 */
#ifndef SC_ERR_H
#define SC_ERR_H

#include <stdio.h>

#define SC_ERR_MSG_MAX 1024

struct sc_err {
	char msg[SC_ERR_MSG_MAX];
	char file[256];		/* "" when there is no source file */
	int line;		/* 1-based; 0 when unknown */
	int col;		/* 1-based; 0 when unknown */
	char excerpt[256];	/* the source line, without its newline */
};

/* Set a plain message. Returns -1 so that `return sc_err_set(...)` reads well. */
int sc_err_set(struct sc_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Like sc_err_set, appending ": strerror(errno)". */
int sc_err_sys(struct sc_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Set a message with a source position; the excerpt is read from `file`. */
int sc_err_at(struct sc_err *err, const char *file, int line, int col,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Prefix the current message with "context: ". */
void sc_err_wrap(struct sc_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Print "file:line:col: message", the excerpt and a caret line (or just
 * "message" when there is no position), prefixed by `prog: `.
 */
void sc_err_print(FILE *out, const char *prog, const struct sc_err *err);

void sc_err_clear(struct sc_err *err);

#endif
