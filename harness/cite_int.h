/* cite_int: what cite.c shares with its rules (cite_rule.c) and its sentences (cite_say.c). */
#ifndef SC_CITE_INT_H
#define SC_CITE_INT_H

#include <limits.h>
#include <stddef.h>

#include "site.h"

#define MAX_PROGS 4

/* A recorded call a cause is about. */
struct pick {
	const char *call;
	struct site_addr at;
	struct site_addr up;	/* the caller of the function that made it */
	int ret;		/* a return address (a call's site), not a PC */
	int fd;
	long arg;
	const char *role;	/* which sentence: the cause's, or "use" for the second line */
};

/* The student's programs in a case. */
struct progs {
	char name[MAX_PROGS][64];	/* short names, as the library writes them */
	char path[MAX_PROGS][PATH_MAX];	/* their files */
	size_t n;
};

/* Is `prog` (a short name in the log) one of them? */
int cite_ours(const struct progs *p, const char *prog);

/*
 * The sites `cause` is about (cite_rule.c): 0, 1 or 2 (the second line) in
 * `out`; a crash whose frames name the line is returned in *crash. `client`:
 * the case tests a client.
 */
int cite_pick(const char *cause, int client, const struct site_log *l, const struct progs *p,
    struct pick out[2], const struct site_crash **crash);

/* The sentence for a line of role `role` whose source text is `text` (or
 * NULL); `sig` for a crash. Allocated, or NULL. */
char *cite_say(const char *role, const struct pick *pk, const char *text, int sig);

#endif
