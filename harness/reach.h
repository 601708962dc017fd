/*
 * reach: what the sandboxed programs open by absolute path, placed where
 * they can reach it whatever the permissions of the directories above
 * sockcheck, the submission and the report (a clone or a report under a
 * 0700 parent: mktemp -d, a private home).
 *
 * As root the programs run under uids of their own (sbx_fresh_uid), which
 * cannot search such a parent. What they open by a relative name needs
 * nothing: their working directory is entered before their uid changes.
 * By absolute path they open the preload library (LD_PRELOAD) and, under
 * valgrind, the program itself (its debug info): those go below a
 * directory in /tmp that every uid can search. Unprivileged, the programs
 * run as the caller and reach what it reaches: nothing is moved.
 */
#ifndef SC_REACH_H
#define SC_REACH_H

#include <limits.h>
#include <stddef.h>

#include "err.h"

struct reach {
	char root[64];		/* /tmp/sockcheck-cases.XXXXXX (0711), or "" when not needed */
	int cases_there;	/* 1: the cases' working copies go below root */
	char inject[PATH_MAX];	/* the preload library as the programs load it, or "" */
};

/*
 * Decide for a run whose case directories lie below `cases_dir` (NULL: no
 * cases, only the preload library) and whose preload library is
 * `inject_lib` (NULL: none). Returns 0, or -1 with err.
 */
int reach_open(struct reach *r, int is_root, const char *cases_dir, const char *inject_lib,
    struct sc_err *err);

/* The preload library's path for the programs, or NULL when there is none. */
const char *reach_inject(const struct reach *r);

/*
 * Whether the preload library failed to load into a program that it was
 * given to: no "loaded" line on its side channel (`side_log`, the file the
 * library announces itself in) and the dynamic loader's complaint in the
 * program's output (`text`). A statically linked program, which no library
 * can enter, says nothing: that is not this. Returns 1 with `why` (the
 * library's path and the loader's reason), else 0.
 */
int reach_preload_failed(const char *side_log, const char *text, size_t len, char *why,
    size_t whylen);

/* Remove root, unless `keep` (--keep: the working copies of the cases stay). */
void reach_close(struct reach *r, int keep);

#endif
