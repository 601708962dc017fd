/*
 * site: what the preload library recorded about where the student's
 * program made its calls and where it crashed (harness/preload/preload.h
 * gives the lines), read back from the case's side channel (inject.log).
 * The reader takes whatever the file holds: a program can write to the
 * channel's descriptor too, so a line that does not parse is skipped.
 */
#ifndef SC_SITE_H
#define SC_SITE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SITE_MAX_FRAMES 12

struct site_addr {
	const char *obj;	/* the object's path as the program saw it, or NULL */
	uint64_t vaddr;		/* in its ELF address space (raw address when obj is NULL) */
};

struct site_at {
	char prog[32];		/* the program's short name */
	char event[8];		/* use, eof, err, short, spin, pipe, after */
	char call[16];		/* read, write, close, fgets, socket, ... */
	int fd;
	long arg;		/* errno, bytes, domain or family (preload.h) */
	struct site_addr at;	/* a return address: the call's site */
	struct site_addr up;	/* the caller of the function that made it (obj NULL
				 * and vaddr 0 when unknown) */
};

struct site_crash {
	char prog[32];
	int sig, code;
	uint64_t addr;		/* the faulting address */
	struct site_addr frames[SITE_MAX_FRAMES];	/* the PC, then return addresses */
	size_t nframes;
};

/* A log keeps its first SITE_KEEP_FIRST and last SITE_KEEP_LAST `at`
 * lines (a program alternating call sites writes without end; the rules
 * that read them are quadratic). */
#define SITE_KEEP_FIRST 4000
#define SITE_KEEP_LAST 2000

struct site_log {
	struct site_at *at;
	size_t nat;
	size_t dropped;		/* `at` lines left out between the first and the last */
	struct site_crash *crash;
	size_t ncrash;
	char **loaded;		/* programs the library entered with sites on (NULL-ended) */
	char **objs;		/* "PROG IDX PATH" strings the addresses point into */
	size_t nobjs;
};

/* Read `path` (a missing file is an empty log). Returns 0, or -1 with err. */
int site_log_read(const char *path, struct site_log *out, struct sc_err *err);
void site_log_free(struct site_log *l);

/* 1 when the library entered `prog` (its short name) with sites on. */
int site_loaded(const struct site_log *l, const char *prog);

#endif
