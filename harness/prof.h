/*
 * prof: the submission profile (sockcheck.yaml in the submission directory).
 *
 * It tells how to build and start a submission's programs, since real
 * course programs differ (PROTOCOLS.md, last section). Without a file, the
 * textbook conventions apply (prof_default).
 */
#ifndef SC_PROF_H
#define SC_PROF_H

#include "err.h"

enum prof_prog_kind {
	PROF_ECHO_SERVER, PROF_ECHO_CLIENT, PROF_FILE_SERVER, PROF_FILE_CLIENT,
	PROF_UDP_SERVER, PROF_UDP_CLIENT,
	PROF_NPROGS
};

enum prof_port_mode {
	PROF_PORT_ARGV,		/* sockcheck picks it and passes it via {port} */
	PROF_PORT_FIXED,	/* hard-coded in the program: `fixed_port` */
	PROF_PORT_PRINTED,	/* the program prints it: `port_pattern` (ERE, group 1) */
	PROF_PORT_LISTENING	/* found from the program's own listening socket */
};

enum prof_stdout_mode { PROF_STDOUT_PIPE, PROF_STDOUT_LINE, PROF_STDOUT_PTY };

/* Which keys of a program entry the profile sets (struct prof_prog.set): the
 * convention finder (fnd.h) fills only the others. */
enum {
	PROF_SET_COMMAND = 1 << 0, PROF_SET_PORT = 1 << 1, PROF_SET_PORT_PATTERN = 1 << 2,
	PROF_SET_FILE = 1 << 3, PROF_SET_OUT = 1 << 4, PROF_SET_STDIN = 1 << 5,
	PROF_SET_QUIT = 1 << 6, PROF_SET_STDOUT = 1 << 7, PROF_SET_HOST = 1 << 8
};

struct prof_prog {
	int present;		/* declared in the profile, or found by convention */
	char *command;		/* template: {host} {port} {file} {out}, shell words */
	enum prof_port_mode port_mode;
	unsigned fixed_port;
	char *port_pattern;
	char *file;		/* file_server: served file name in its working dir */
	char *out;		/* file_client: output file name in its working dir */
	char *stdin_text;	/* written first to stdin (programs that ask) or NULL */
	char *quit;		/* echo_client: quit word, or NULL */
	int no_quit;		/* echo_client: no word ends it (`quit: none`) */
	char *skip;		/* every case of the program is skipped with this reason, or NULL
				 * (set by the convention finder: e.g. it speaks UDP, not TCP) */
	unsigned set;		/* PROF_SET_*: the keys the profile sets explicitly */
	enum prof_stdout_mode stdout_mode;
	char *host;		/* clients: address to give ({host}); default 127.0.0.1 */
};

struct prof {
	char *path;		/* the sockcheck.yaml read, or NULL for defaults */
	char *build;		/* build command, or NULL */
	unsigned build_timeout_s;
	struct prof_prog progs[PROF_NPROGS];
	struct prof_reply {	/* accepted replies: exact bytes, NULs included */
		char *bytes;
		size_t len;
	} *replies;		/* NULL: the defaults ("Thank you" + \n, \0, \r\n or nothing) */
	size_t nreplies;
	int reply_none;		/* reply: none: the protocol has no reply */
	struct {		/* per student program; 0: sockcheck's default */
		unsigned long cpu_s;		/* CPU seconds */
		unsigned long long memory;	/* address space, bytes */
		unsigned long long file_size;	/* largest file it may write, bytes */
		unsigned long open_files;
		unsigned long processes;	/* for the uid it runs as */
		unsigned long long report;	/* bytes the report may take (can only lower an assignment's) */
	} limits;
	int memcheck;		/* -1 unset, 0, 1 */
	char **memcheck_fail;	/* finding kinds that fail a case, or NULL for default */
};

/*
 * Load `dir`/sockcheck.yaml if present, else the textbook defaults;
 * programs not declared and not found in `dir` have present = 0.
 */
int prof_load(const char *dir, struct prof *p, struct sc_err *err);
int prof_load_file(const char *path, const char *dir, struct prof *p, struct sc_err *err);
void prof_free(struct prof *p);

const char *prof_prog_name(enum prof_prog_kind k);	/* "echo_server", ... */

/* A deep copy of `src` into `dst`. Returns -1 with err when out of memory. */
int prof_dup(const struct prof *src, struct prof *dst, struct sc_err *err);

/*
 * Whether `name` (a served or output file, relative to the program's working
 * directory) stays inside the case's scratch root, the working directory's
 * parent: no absolute path, and `..` never above that root. On success the
 * path relative to the scratch root is written to `norm` (the working
 * directory is `work_name`), e.g. "../test/x.c" -> "test/x.c" and "a/b" ->
 * "work/a/b". Returns 0, or -1 when it would escape or is empty.
 */
int prof_path_inside(const char *name, const char *work_name, char *norm, size_t len);

/*
 * Expand a command template into argv (shell-like words, quotes honoured,
 * no shell run). Returns a NULL-terminated malloc'd array, or NULL with err.
 */
char **prof_expand(const char *tmpl, const char *host, unsigned port,
    const char *file, const char *out, struct sc_err *err);
void prof_argv_free(char **argv);

#endif
