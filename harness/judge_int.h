/* judge_int: what judge.c shares with the protocol parts of the judge (judge_udp.c). */
#ifndef SC_JUDGE_INT_H
#define SC_JUDGE_INT_H

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

#endif
