/*
 * fnd_int: what the parts of the convention finder share (fnd.c: the
 * whole run and the profile it fills; fnd_text.c: reading output and
 * traces; fnd_server.c: servers; fnd_client.c: TCP clients; fnd_udp.c: UDP
 * programs; fnd_cache.c: the cache; fnd_describe.c: words and YAML;
 * fnd_probe.c: starting and watching one program). Not for other modules:
 * they use fnd.h.
 */
#ifndef SC_FND_INT_H
#define SC_FND_INT_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "fnd.h"
#include "prof.h"

#define FND_PROBE_PORT 5000	/* the argv port a probe passes (netns: any) */
#define FND_LISTEN_WAIT 0.6	/* seconds a server gets to listen */
#define FND_CLIENT_WAIT 0.8	/* seconds a client gets to do its part */
#define FND_SETTLE_MS 60	/* a client idle in read(0) this long is waiting for input */
#define FND_OUT_CAP 16384	/* output kept per probe */

/* One start of one program (and of its reference peer). */
struct fnd_probe {
	const struct fnd_env *e;
	struct sbx *sbx;
	char root[PATH_MAX - 64];	/* the probe's scratch root (a case directory's analog) */
	char cwd[PATH_MAX];		/* root/work: the program's working copy */
	char side[PATH_MAX];		/* the trace */
	uid_t uid;
	pid_t pid, peer;
	int ended, wstatus, peer_ended, peer_status;
	int out_fd, err_fd, in_fd;
	char *out;			/* stdout and stderr so far (capped) */
	size_t outn;
	char *errt;
	size_t errn;
	double t0;
	char redirect[96];		/* no namespace: SCINJECT_REDIRECT (route.c), or "" */
};

double fnd_now(void);

/* A fresh probe named name-n under the work directory: scratch copy, sandbox. */
int fnd_probe_open(const struct fnd_env *e, const char *name, unsigned n, struct fnd_probe *pr,
    struct sc_err *err);
/* Kill what is left, close the sandbox, remove the scratch tree. */
void fnd_probe_close(struct fnd_probe *pr);
/* A file (relative to the probe's root) with `data`, owned by the program. */
int fnd_probe_put_file(struct fnd_probe *pr, const char *norm, const char *data, size_t len);
/* Start argv: the student's program (`student`: on a terminal, traced) or a reference peer. */
pid_t fnd_probe_spawn(struct fnd_probe *pr, char **argv, int student, struct sc_err *err);
/* Capture output and notice ends, waiting at most `ms`. */
void fnd_probe_pump(struct fnd_probe *pr, int ms);
/* Start reference `prog` (echo_server, file_server, udp_echo_server) on `port`; ready when it returns 0. */
int fnd_probe_ref_server(struct fnd_probe *pr, const char *prog, unsigned port, struct sc_err *err);

/* The trace so far. */
struct fnd_trace {
	struct fnd_trace_line *l;
	size_t n;
};
void fnd_trace_read(const struct fnd_probe *pr, struct fnd_trace *t);
/* The preload library was loaded into the program and traces it. */
int fnd_trace_loaded(const struct fnd_probe *pr);
/* 1 when the program (its newest process) sleeps in read() on descriptor 0. */
int fnd_reading_stdin(const struct fnd_probe *pr);

/* Waits (pumping) until `cond` holds or `secs` pass; returns cond's value. */
typedef int (*fnd_probe_cond)(struct fnd_probe *pr, void *arg);
int fnd_probe_wait(struct fnd_probe *pr, fnd_probe_cond cond, void *arg, double secs);
struct fnd_idle {
	double since;
};
/* The client sleeps in read(0) (it waits for input) for FND_SETTLE_MS, or has ended. */
int fnd_cond_idle(struct fnd_probe *pr, void *arg);
int fnd_cond_ended(struct fnd_probe *pr, void *arg);
/* Type `s` on the program's terminal. */
void fnd_feed(struct fnd_probe *pr, const char *s);
void fnd_set_str(char **dst, const char *src);

/* How a client is started for a probe: against which reference server, where. */
struct fnd_client {
	enum prof_prog_kind kind;
	const char *ref;	/* the reference server: echo_server, udp_echo_server */
	const char *tmpl;	/* the command template */
	const char *host;	/* given as {host} */
	int add_host;		/* host is a remote address: the probe's loopback gets it */
	unsigned port;		/* the reference server's port, given as {port} */
};
/* A probe with the reference server up and the client started, waiting for input. */
int fnd_client_start(const struct fnd_env *e, const struct fnd_client *cl, unsigned n,
    struct fnd_probe *pr, struct sc_err *err);
/*
 * The client's quit word: `prompt_word` (read from its prompt, or NULL),
 * then "", q, Q, quit, exit, each typed until one ends it with status 0.
 * None does, and the client talked to its server (fp->sock known): no_quit.
 * `n` counts the probes (names and a bound on them).
 */
void fnd_find_quit(const struct fnd_env *e, const struct fnd_client *cl, const char *prompt_word,
    unsigned *n, struct fnd_prog *fp, struct sc_err *err);

/* fnd_udp.c: a UDP server's bound port (1, *port set), 0 when it has none yet. */
int fnd_udp_bound_port(struct fnd_probe *pr, unsigned *port);
/* fnd_udp.c: how the UDP echo client is run (arguments, fixed port or address, quit word). */
void fnd_find_udp_client(const struct fnd_env *e, const struct prof *p, struct fnd_prog *fp,
    struct sc_err *err);

/* fnd_text.c: a program file under the working copy, for messages and the cache key. */
void fnd_prog_path(const struct fnd_env *e, char *const *argv, char *out, size_t len);
/* fnd_server.c: how a server of `kind` is run (port, served file), into fp. */
void fnd_find_server(const struct fnd_env *e, const struct prof *p, enum prof_prog_kind kind,
    struct fnd_prog *fp, struct sc_err *err);
/* fnd_client.c: how the file client and the echo client are run, into fp. */
void fnd_find_file_client(const struct fnd_env *e, const struct prof *p, struct fnd_prog *fp,
    struct sc_err *err);
void fnd_find_echo_client(const struct fnd_env *e, const struct prof *p, struct fnd_prog *fp,
    struct sc_err *err);
/* fnd_cache.c: the key of a program's findings (its binary, the profile,
 * the finder's version), and the findings kept under it. */
int fnd_cache_key(const struct fnd_env *e, const struct prof *p, enum prof_prog_kind kind,
    char hex[65]);
int fnd_cache_load(const struct fnd_env *e, const char *key, struct fnd_prog *fp);
void fnd_cache_store(const struct fnd_env *e, const char *key, const struct fnd_prog *fp);
/* fnd.c: the program kinds that listen, and those that speak UDP. */
int fnd_is_server(int k);
int fnd_is_udp(int k);

#endif
