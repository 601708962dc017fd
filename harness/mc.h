/*
 * mc: memcheck (valgrind) support: wrapping a command, reading the XML
 * (libxml2) and the text log (descriptors: valgrind 3.19's XML has none).
 */
#ifndef SC_MC_H
#define SC_MC_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum mc_kind {
	MC_INVALID_READ, MC_INVALID_WRITE, MC_INVALID_FREE, MC_MISMATCHED_FREE,
	MC_UNINIT_COND, MC_UNINIT_VALUE, MC_SYSCALL_PARAM, MC_OVERLAP,
	MC_LEAK_DEFINITE, MC_LEAK_INDIRECT, MC_LEAK_POSSIBLE, MC_LEAK_REACHABLE,
	MC_FD_LEAK, MC_OTHER, MC_NKINDS
};

struct mc_frame {
	char *fn;		/* function, or NULL */
	char *file;		/* source file name, or NULL (no debug info) */
	char *dir;		/* its directory, or NULL */
	int line;		/* 0 when unknown */
	char *obj;		/* the object (binary or library), or NULL */
};

struct mc_finding {
	enum mc_kind kind;
	char *kind_name;	/* valgrind's own name: "InvalidWrite", "Leak_DefinitelyLost", "FdNotClosed" */
	char *what;		/* valgrind's one-line text */
	uint64_t bytes;		/* leaks: bytes lost; 0 otherwise */
	uint64_t blocks;	/* leaks: blocks lost */
	struct mc_frame *stack;	/* innermost first */
	size_t nstack;
	int own;		/* index of the first frame in the submission's sources or, without
				 * them, in the program's own binary; -1: none */
	char *source_line;	/* the text of that line, read from the submission, or NULL */
	char *aux;		/* "Address 0x... is 0 bytes after a block of size 64 alloc'd", or NULL */
	unsigned count;		/* how many identical findings were merged into this one */
	int fails;		/* set by the judge: this finding fails the case */
};

struct mc_report {
	int ran;		/* valgrind ran and wrote something */
	int started;		/* it got as far as running the program (status RUNNING) */
	int leak_check_done;	/* the leak summary was written (not killed by SIGKILL) */
	int debug_info;		/* at least one frame had file:line */
	struct mc_finding *findings;
	size_t count;
	char *note;		/* e.g. "build with -g for line numbers", or NULL */
};

/* 1 when a usable valgrind is on PATH. */
int mc_available(void);

/*
 * Prefix `argv` with valgrind and its options: XML to descriptor `xml_fd`,
 * the text log (descriptor leaks) to `log_fd`, both open in the program
 * (descriptors, not paths: valgrind runs as the student, who may not be
 * able to reach the case directory by its path). Returns a malloc'd
 * NULL-terminated array whose strings are owned by it (free with mc_argv_free).
 */
char **mc_wrap_argv(char *const argv[], int xml_fd, int log_fd, struct sc_err *err);
void mc_argv_free(char **argv);

/*
 * Read the XML and the text log of one run. `src_root` is the directory of
 * the submission's sources: frames whose file is found under it are the
 * submission's own. Identical findings (kind and stack) are merged.
 */
int mc_read(const char *xml_path, const char *log_path, const char *src_root,
    struct mc_report *r, struct sc_err *err);

/*
 * For a program that sockcheck stopped (it never reached its exit): drop
 * the descriptor findings of files it had open once, such as a served file
 * waiting for a client that never came. They are its state, not leaks.
 * Sockets stay (an accepted socket whose client is gone leaks per client),
 * and so does a file open more than once (opened again per client).
 */
void mc_drop_open_files(struct mc_report *r);

/* Does a finding of `kind` fail a case, given a list of kind names (NULL: the default)? */
int mc_kind_fails(enum mc_kind kind, char *const *fail_kinds);

const char *mc_kind_name(enum mc_kind kind);	/* "invalid-write", "leak-definite", ... */
int mc_kind_from_name(const char *name, enum mc_kind *kind);

void mc_report_free(struct mc_report *r);

/*
 * How much slower a program runs under memcheck: deadlines and readiness
 * waits are multiplied by it (valgrind needs 0.5-1.5 s just to reach
 * listen(), and moves data several times slower).
 */
double mc_time_factor(void);

#endif
