/*
 * sbx: the sandbox one case runs in.
 *
 * NETNS mode: a helper process (the "zygote") unshares a network namespace
 * (only lo, brought up) and a PID namespace, forks a reaper that becomes
 * pid 1 of it, and then forks every program of the case on request, so all
 * of them share the case's private loopback and all die with the reaper.
 * LOOPBACK mode (no privilege for namespaces): programs are forked directly
 * and the caller must pick free ports and serialise fixed-port programs.
 * Either way sbx_spawn returns the program's pid as seen by the caller.
 */
#ifndef SC_SBX_H
#define SC_SBX_H

#include <sys/types.h>
#include <sys/resource.h>

#include "err.h"

enum sbx_mode { SBX_NETNS, SBX_LOOPBACK };

/* Limits for an untrusted program; 0 means "leave as is". */
struct sbx_limits {
	rlim_t cpu_s;		/* RLIMIT_CPU */
	rlim_t as_bytes;	/* RLIMIT_AS */
	rlim_t fsize_bytes;	/* RLIMIT_FSIZE (a runaway writer gets SIGXFSZ) */
	rlim_t nofile;		/* RLIMIT_NOFILE */
	rlim_t nproc;		/* RLIMIT_NPROC (effective only for a non-root uid) */
	int drop_uid;		/* as root: run as `uid`/`gid` */
	uid_t uid;
	gid_t gid;
};

struct sbx_spawn {
	char *const *argv;	/* argv[0] is looked up in PATH if it has no '/' */
	char *const *envp;	/* the whole environment */
	const char *cwd;
	int fd_in, fd_out, fd_err;	/* become 0, 1, 2; -1: /dev/null */
	int set_ctty;		/* fd_in is a pty slave: setsid + TIOCSCTTY */
	const struct sbx_limits *limits;	/* NULL: none (reference peers) */
	int pass_fds[3];	/* pass_fds[i] (if >= 0, i < npass) becomes SBX_PASS_FD + i */
	size_t npass;
};

/* Where passed descriptors land in the program (valgrind's --log-fd/--xml-fd). */
#define SBX_PASS_FD 100

struct sbx;

/*
 * Unprivileged, namespaces need a user namespace: call this once, before
 * sockcheck starts any thread. It moves sockcheck into a user namespace of
 * its own (its uid and gid mapped to themselves), where it may create and
 * enter the namespaces of its cases (each case then gets a user namespace
 * of its own too, which owns its network and PID namespaces). Returns 1
 * when it did, 0 when not (as root: not needed; else the kernel refused:
 * the reason in `why`), and the cases then fall back to LOOPBACK.
 */
int sbx_user_enter(char *why, size_t whylen);

/*
 * Open a sandbox. want_netns = 1 tries NETNS and falls back to LOOPBACK
 * when the kernel refuses (reason in `why`, may be NULL).
 */
int sbx_open(int want_netns, struct sbx **out, char *why, size_t whylen,
    struct sc_err *err);
/*
 * NETNS only: give the namespace's loopback one more address (IPv4, or
 * IPv6 as a /128), for a client that hard-codes a remote address (its
 * connection then reaches the reference server inside the case, and nothing
 * outside).
 */
int sbx_add_address(struct sbx *s, const char *addr, struct sc_err *err);
/*
 * As root: `uid` is the case's own (no other process runs as it), so at the
 * end every process of that uid is killed and counted, also daemons that left
 * their process group in LOOPBACK mode.
 */
void sbx_set_owner(struct sbx *s, uid_t uid);
/*
 * A uid no other process uses, for one case's (or one build's) programs, so
 * that RLIMIT_NPROC counts only theirs: with one shared uid (nobody) a fork
 * bomb elsewhere, or many parallel cases, would make setuid() fail with
 * EAGAIN. No passwd entry is needed. Distinct within a process and, by its
 * pid, across concurrent runs.
 */
uid_t sbx_fresh_uid(void);
enum sbx_mode sbx_mode(const struct sbx *s);
const char *sbx_mode_name(enum sbx_mode m);	/* "netns", "loopback" */

/*
 * A pid whose /proc/PID/net/ shows the case's sockets (the holder in
 * NETNS mode, the caller itself otherwise).
 */
pid_t sbx_net_pid(const struct sbx *s);

/*
 * Start a program in its own process group with signal dispositions and
 * mask reset, descriptors above 2 closed. Returns its pid or -1 with err
 * (exec failures included: "./echo_server: No such file or directory").
 */
pid_t sbx_spawn(struct sbx *s, const struct sbx_spawn *sp, struct sc_err *err);

/*
 * Wait up to timeout_ms (-1: forever, 0: poll) for `pid` to end.
 * Returns 1 with *wstatus (waitpid encoding) and *ru filled when it ended,
 * 0 on timeout, -1 with err.
 */
int sbx_wait(struct sbx *s, pid_t pid, int timeout_ms, int *wstatus,
    struct rusage *ru, struct sc_err *err);

/* Signal the process group of `pid` (a program started by sbx_spawn). */
int sbx_signal(struct sbx *s, pid_t pid, int sig);

/*
 * End the case: every process still alive is killed (daemonised and
 * double-forked ones included in NETNS mode), then verified gone.
 * *survivors: processes found alive afterwards (should be 0).
 */
int sbx_close(struct sbx *s, unsigned *survivors, struct sc_err *err);

#endif
