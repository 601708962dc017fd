/*
 * fnd: the convention finder.
 *
 * Real course programs differ from the textbook in small ways (PROTOCOLS.md,
 * "How real course programs differ"): a port fixed in the source, a served
 * file called data.txt, argv[1] that is a file name, an output file with
 * spaces in its name, a save-as name asked on standard input, a quit word
 * announced in the prompt; for UDP, a client's argument order and a server
 * port or address fixed in it. Before the cases run, the finder starts each
 * program a few times in the same sandbox the cases use, with the preload
 * library tracing its opens and sockets (harness/preload/inject.c,
 * SCINJECT_TRACE), and watches: the socket it listens on (/proc/net/tcp;
 * /proc/net/udp for a UDP server), where a UDP client's datagram goes, the
 * files it opens and creates, what it blocks in (/proc/PID/syscall), what
 * it prints. What it finds fills the profile keys the submission's
 * sockcheck.yaml does not set (fnd_effective); the cases then read one
 * struct prof as before. Results are cached by the program's content hash.
 * fnd.c: the whole run and the profile; fnd_server.c, fnd_client.c: TCP
 * programs; fnd_udp.c: UDP programs; fnd_text.c: reading output and traces;
 * fnd_cache.c: the cache; fnd_describe.c: words and YAML; fnd_probe.c: one
 * start of one program (fnd_int.h, shared by them).
 */
#ifndef SC_FND_H
#define SC_FND_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "prof.h"

/* The kind of socket a program was seen to use. */
enum fnd_sock { FND_SOCK_UNKNOWN, FND_SOCK_TCP, FND_SOCK_UDP };

const char *fnd_sock_name(enum fnd_sock s);	/* "unknown", "TCP", "UDP" */

/* What was found about one program. Strings are malloc'd, NULL: not found. */
struct fnd_prog {
	int probed;		/* the finder ran it */
	int cached;		/* the result came from the cache */
	double seconds;		/* how long finding took (0 when cached) */
	int runs;		/* how many times it was started */
	enum fnd_sock sock;
	char *command;		/* the command template that worked, or NULL */
	/* servers */
	int port_found;		/* port_mode (and fixed_port / port_pattern) were found */
	enum prof_port_mode port_mode;
	unsigned fixed_port;	/* fixed; listening with port_not_given: where it listened */
	int port_not_given;	/* given a port, it listened on another that moves with it */
	char *port_pattern;	/* printed: ERE whose group 1 is the port, or NULL (default) */
	int argv_file;		/* argv[1] (or another argument) is the served file */
	char *file;		/* the served file, relative to its working directory */
	char *open_error;	/* "opened data.txt: No such file or directory" (first failed open) */
	/* clients */
	char *out;		/* the file it created in its working directory */
	char *stdin_text;	/* what it was given on stdin before it went on */
	int quit_found;		/* quit / no_quit were found */
	char *quit;
	int no_quit;
	int quit_from_prompt;	/* the quit word was read from its prompt */
	int fixed_client_port;	/* a client that connects to a port of its own */
	char *host;		/* a client that sends to an address of its own (UDP), or NULL */
	int udp_connected;	/* a UDP client that connect()s its socket */
	char *note;		/* what could not be settled, or NULL */
};

struct fnd_result {
	struct fnd_prog progs[PROF_NPROGS];
};

struct fnd_env {
	const char *built_dir;	/* the built submission (copied for every probe) */
	const char *work_dir;	/* scratch for the probes; the cache is work_dir/finder-cache */
	const char *cache_dir;	/* or NULL: work_dir/finder-cache */
	const char *ref_dir;	/* the reference peers */
	const char *inject_lib;	/* libscinject.so (tracing), or NULL */
	int want_netns;
	int is_root;
	const int *need;	/* need[k]: probe program k (NULL: every present one) */
	int serial;		/* 1: one probe at a time (others run beside: grade) */
};

/*
 * Observe every present program of `p` (those `need` names) and fill `r`.
 * A program that can't be observed leaves its fields unset (the profile's
 * defaults stand). Returns -1 with err only on internal errors.
 */
int fnd_run(const struct fnd_env *e, const struct prof *p, struct fnd_result *r,
    struct sc_err *err);
void fnd_result_free(struct fnd_result *r);

/*
 * The profile the cases use: `p` where it sets a key, else what was found,
 * else the defaults. `eff` is freed with prof_free.
 */
int fnd_effective(const struct prof *p, const struct fnd_result *r, struct prof *eff,
    struct sc_err *err);

/*
 * One line per observed program, saying what was found, e.g.
 * "file_server: port fixed at 9090; argv[1] is the served file; serves
 * data.txt". Lines are separated by '\n'; NULL when nothing was observed.
 */
char *fnd_describe(const struct prof *p, const struct fnd_result *r);

/* The same as a commented sockcheck.yaml an instructor can review. */
int fnd_write_yaml(FILE *f, const struct prof *p, const struct fnd_result *r);

/*
 * The directories leading to `norm` (a path relative to `root`, as
 * prof_path_inside gives it), created where missing. Nothing is followed:
 * a component that exists and is not a directory (a link) is an error.
 * Used before any student program of the case runs.
 */
int fnd_make_parent_dirs(const char *root, const char *norm, struct sc_err *err);

/*
 * The first file a traced program failed to open for reading, from the
 * preload library's side channel `trace_path` (system files and the
 * program's arguments aside): "opened data.txt: No such file or directory".
 * Returns 1 and fills msg, 0 when there is none.
 */
int fnd_failed_open(const char *trace_path, const char *cwd, char *msg, size_t len);

/* ---- pure helpers (unit-tested) ---- */

/*
 * The quit word a prompt announces: "Input message(Q to quit):" -> "Q",
 * "type 'exit' to end" -> "exit", "quit: q" -> "q". Returns 1 and fills
 * `word`, or 0 when the text names none.
 */
int fnd_quit_from_prompt(const char *text, size_t len, char *word, size_t wlen);

/*
 * A program printed the port it listens on (`port`) somewhere in `text`:
 * 1 when it did. `pattern` receives an ERE whose group 1 is the port as the
 * output shows it ("ephemeral port=([0-9]+)"), or "" when sockcheck's
 * default pattern ("port[^0-9]*([0-9]+)", case-insensitive) finds it first.
 */
int fnd_port_printed(const char *text, size_t len, unsigned port, char *pattern, size_t plen);

/* One line of the preload library's trace, parsed. */
struct fnd_trace_line {
	enum { FND_T_OTHER, FND_T_OPEN, FND_T_SOCKET, FND_T_BIND, FND_T_LISTEN,
		FND_T_CONNECT, FND_T_SENDTO,
		FND_T_BIND_IN_USE	/* shared ports: bind() failed with EADDRINUSE */
	} kind;
	int fd, err, flags, domain, type, port;
	char addr[64];		/* connect, sendto: the numeric address ("" when not given) */
	char path[4096];	/* open: unescaped */
};
int fnd_trace_parse(const char *line, struct fnd_trace_line *t);

#endif
