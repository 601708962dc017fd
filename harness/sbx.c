/*
 * sbx: the sandbox of one case (contract in sbx.h).
 *
 * NETNS mode: a holder process unshares a network and a PID namespace,
 * brings lo up and forks the namespace's pid 1 (a reaper). Programs join
 * both namespaces with setns() from a forked launcher, which forks the
 * program (the first process that really lives in the PID namespace),
 * waits for it and mirrors its end, so the caller waits for the launcher as
 * for an ordinary child. Killing the reaper makes the kernel kill every
 * process of the namespace, daemons included.
 * LOOPBACK mode: plain fork and exec; the caller picks free ports.
 */
#include <dirent.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/ipv6.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sbx.h"

#define SBX_MAX 64

/*
 * Processes are signalled through pidfds, never by a number that may have
 * been reaped and reused (ARCHITECTURE.md). A process group is signalled by
 * number only while its leader is our unreaped child: a zombie leader still
 * holds its pid, so the group's id can't be anyone else's yet.
 */
static int
pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int
pidfd_kill(int pidfd, int sig)
{
	return pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

struct sbx {
	enum sbx_mode mode;
	pid_t holder;		/* NETNS: the holder (its stdin pipe keeps it alive) */
	int holder_pidfd;
	int holder_fd;		/* write end: closing it ends the holder */
	pid_t reaper;		/* NETNS: pid 1 of the namespace, as seen from here */
	int netns_fd, pidns_fd;
	int userns_fd;		/* unprivileged: the case's user namespace (owns the others), or -1 */
	ino_t pidns_ino;
	unsigned naddrs;	/* lo:N aliases added */
	uid_t owner;		/* as root: the uid only this case's programs run as, or 0 */
	pid_t pids[SBX_MAX];	/* spawned launchers/programs = their process groups */
	int pidfds[SBX_MAX];	/* theirs, opened while they were unreaped children */
	int ended[SBX_MAX];	/* reaped: neither pid nor group may be signalled */
	size_t n;
};

const char *
sbx_mode_name(enum sbx_mode m)
{
	return m == SBX_NETNS ? "netns" : "loopback";
}

enum sbx_mode
sbx_mode(const struct sbx *s)
{
	return s->mode;
}

pid_t
sbx_net_pid(const struct sbx *s)
{
	/* the holder, not the reaper: our own child, its pid can't be recycled
	 * while we have not reaped it, and it lives in the namespace too */
	return s->mode == SBX_NETNS ? s->holder : getpid();
}

static int
lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		close(fd);
		return -1;
	}
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	int rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return rc;
}

/*
 * Size the connection tables of the namespaces created from this one
 * (Linux 6.1 and later; best effort: without it they share the host's).
 */
static void
small_tables(void)
{
	static const char *const knobs[] = { "/proc/sys/net/ipv4/tcp_child_ehash_entries",
	    "/proc/sys/net/ipv4/udp_child_hash_entries", NULL };

	for (size_t i = 0; knobs[i]; i++) {
		int fd = open(knobs[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (write(fd, "128", 3) < 0) {
			/* an older kernel or no right to: the shared table it is */
		}
		close(fd);
	}
}

/* Write one line to a /proc/self file (uid_map, gid_map, setgroups). */
static int
write_proc_self(const char *name, const char *text)
{
	char path[64];
	int fd, rc;

	snprintf(path, sizeof(path), "/proc/self/%s", name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	rc = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
	close(fd);
	return rc;
}

/*
 * After unshare(CLONE_NEWUSER): the caller's uid and gid mapped to
 * themselves (the only mapping an unprivileged process may write), so that
 * the programs run as the student, with their files the student's.
 */
static int
map_self(uid_t uid, gid_t gid)
{
	char line[64];

	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (write_proc_self("uid_map", line) < 0)
		return -1;
	/* a gid map needs setgroups denied first (it is already, when nested) */
	if (write_proc_self("setgroups", "deny") < 0 && errno != EPERM)
		return -1;
	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	return write_proc_self("gid_map", line);
}

/* Whether this thread may enter namespaces (CAP_SYS_ADMIN in its own user namespace). */
static int
can_enter_namespaces(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return 0;
	return (data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN)) != 0;
}

int
sbx_user_enter(char *why, size_t whylen)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (why && whylen)
		why[0] = '\0';
	if (uid == 0)
		return 0;
	if (unshare(CLONE_NEWUSER) < 0) {
		if (why)
			snprintf(why, whylen, "unshare(CLONE_NEWUSER): %s", strerror(errno));
		return 0;
	}
	if (map_self(uid, gid) < 0) {
		if (why)
			snprintf(why, whylen, "writing the user namespace's uid/gid map: %s",
			    strerror(errno));
		return 0;
	}
	return 1;
}

/* The holder: creates the namespaces, reports the reaper's pid, waits for EOF. */
static void
holder_main(int report_fd, int life_fd)
{
	char c;
	int err = 0, flags = CLONE_NEWNET;
	uid_t uid = geteuid();
	gid_t gid = getegid();
	pid_t reaper;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* forked from one of several threads: drop every descriptor of the others
	 * (their pipes would never see EOF while we live). Both are moved above 4
	 * first: either may be 3 or 4 (another thread closes 3 between our two
	 * pipe2() calls), and dup2(report_fd, 3) would then replace the life pipe
	 * with the report pipe, whose read fails at once: the namespace's pid 1
	 * was killed before the case's first fork (ENOMEM) */
	report_fd = fcntl(report_fd, F_DUPFD, 5);
	life_fd = fcntl(life_fd, F_DUPFD, 5);
	if (report_fd < 0 || life_fd < 0 || dup2(report_fd, 3) < 0 || dup2(life_fd, 4) < 0)
		_exit(1);
	report_fd = 3;
	life_fd = 4;
	syscall(SYS_close_range, 5U, ~0U, 0);
	/* unprivileged: a user namespace of the case's own owns the others, so
	 * that sockcheck (the owner, from its own user namespace) may enter them
	 * and RLIMIT_NPROC counts the case's processes only. A network namespace
	 * of its own first, whose children get connection tables of their own,
	 * small ones: a look at the case's sockets (sock_diag, /proc/net/tcp)
	 * then walks a few buckets, not the host's table of hundreds of
	 * thousands that every namespace shares by default */
	if (uid != 0)
		flags |= CLONE_NEWUSER;
	if (unshare(flags) < 0)
		err = errno;
	else if (uid != 0 && map_self(uid, gid) < 0)
		err = errno ? errno : EPERM;
	else if ((small_tables(), unshare(CLONE_NEWNET | CLONE_NEWPID)) < 0)
		err = errno;
	else if (lo_up() < 0)
		err = errno ? errno : EIO;
	if (err) {
		int v = -err;
		if (write(report_fd, &v, sizeof(v)) < 0)
			_exit(1);
		_exit(1);
	}
	reaper = fork();
	if (reaper == 0) {
		/* pid 1 of the namespace: reap orphans until killed, or until the
		 * holder dies (sockcheck killed): then the namespace goes with it */
		sigset_t all;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		sigfillset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		close(report_fd);
		close(life_fd);
		for (;;)
			if (wait(NULL) < 0 && errno == ECHILD)
				pause();
	}
	int v = reaper > 0 ? (int)reaper : -errno;
	int reaper_fd = reaper > 0 ? pidfd_open_(reaper) : -1;
	if (write(report_fd, &v, sizeof(v)) < 0)
		_exit(1);
	close(report_fd);
	/* stay until the caller closes its end (or dies), then take the namespace down */
	for (;;) {
		ssize_t n = read(life_fd, &c, 1);
		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	if (reaper > 0) {
		if (pidfd_kill(reaper_fd, SIGKILL) < 0)
			kill(reaper, SIGKILL);	/* no pidfds (old kernel): our unreaped child */
		waitpid(reaper, NULL, 0);
	}
	_exit(0);
}

/*
 * Why an unprivileged process gets no user namespace here, in words, from
 * a child that tries (the kernel's answer now: EPERM from a seccomp filter,
 * ENOSPC from user.max_user_namespaces = 0, ...).
 */
static const char *
userns_refusal(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) < 0 ? (errno & 0xff) : 0);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return "no user namespace for sockcheck";
	switch (WEXITSTATUS(status)) {
	case 0:
		return "sockcheck is not in a user namespace of its own";
	case EPERM:
		return "the kernel refused a user namespace (unshare: Operation not permitted: "
		    "a seccomp filter, e.g. a container's, or a security module)";
	case ENOSPC:
		return "the kernel refused a user namespace (unshare: No space left on device: "
		    "user.max_user_namespaces is 0 or reached)";
	case EINVAL:
		return "the kernel refused a user namespace (unshare: Invalid argument: "
		    "user namespaces are not built in)";
	default:
		return "the kernel refused a user namespace";
	}
}

static int
open_netns(struct sbx *s, char *why, size_t whylen, struct sc_err *err)
{
	int rep[2], life[2], v = 0;
	char path[64];
	struct stat st;
	ssize_t n;

	if (geteuid() != 0 && !can_enter_namespaces()) {
		/* the capture and sock_diag enter the case's namespace from a thread:
		 * that needs sockcheck in a user namespace of its own (sbx_user_enter) */
		if (why)
			snprintf(why, whylen, "network namespaces unavailable: %s", userns_refusal());
		return 1;
	}
	if (pipe2(rep, O_CLOEXEC) < 0 || pipe2(life, O_CLOEXEC) < 0)
		return sc_err_sys(err, "pipe");
	s->holder = fork();
	if (s->holder < 0) {
		close(rep[0]); close(rep[1]); close(life[0]); close(life[1]);
		return sc_err_sys(err, "fork");
	}
	if (s->holder == 0) {
		close(rep[0]);
		close(life[1]);
		holder_main(rep[1], life[0]);
	}
	close(rep[1]);
	close(life[0]);
	s->holder_fd = life[1];
	s->holder_pidfd = pidfd_open_(s->holder);
	do
		n = read(rep[0], &v, sizeof(v));
	while (n < 0 && errno == EINTR);
	close(rep[0]);
	if (n != sizeof(v) || v <= 0) {
		if (why)
			snprintf(why, whylen, "network namespaces unavailable: %s",
			    n == sizeof(v) ? strerror(-v) : "the helper died");
		close(s->holder_fd);
		s->holder_fd = -1;
		waitpid(s->holder, NULL, 0);
		s->holder = 0;
		if (s->holder_pidfd >= 0)
			close(s->holder_pidfd);
		s->holder_pidfd = -1;
		return 1;
	}
	s->reaper = v;
	/* through the holder (it unshared both): the namespaces can't be
	 * mistaken for another process's, whatever becomes of pids */
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)s->holder);
	s->netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/ns/pid_for_children", (int)s->holder);
	s->pidns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (geteuid() != 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)s->holder);
		s->userns_fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (s->netns_fd < 0 || s->pidns_fd < 0 || (geteuid() != 0 && s->userns_fd < 0) ||
	    fstat(s->pidns_fd, &st) < 0) {
		if (why)
			snprintf(why, whylen, "cannot open the namespaces: %s", strerror(errno));
		return 1;
	}
	s->pidns_ino = st.st_ino;
	s->mode = SBX_NETNS;
	return 0;
}

int
sbx_open(int want_netns, struct sbx **out, char *why, size_t whylen, struct sc_err *err)
{
	struct sbx *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return sc_err_sys(err, "sandbox");
	s->mode = SBX_LOOPBACK;
	s->holder_fd = s->holder_pidfd = s->netns_fd = s->pidns_fd = s->userns_fd = -1;
	if (why && whylen)
		why[0] = '\0';
	if (want_netns) {
		int rc = open_netns(s, why, whylen, err);
		if (rc < 0) {
			free(s);
			return -1;
		}
		if (rc > 0) {
			if (s->netns_fd >= 0) close(s->netns_fd);
			if (s->pidns_fd >= 0) close(s->pidns_fd);
			if (s->userns_fd >= 0) close(s->userns_fd);
			s->netns_fd = s->pidns_fd = s->userns_fd = -1;
			if (s->holder > 0) {
				close(s->holder_fd);
				s->holder_fd = -1;
				pidfd_kill(s->holder_pidfd, SIGKILL);
				waitpid(s->holder, NULL, 0);
				s->holder = 0;
			}
			if (s->holder_pidfd >= 0)
				close(s->holder_pidfd);
			s->holder_pidfd = -1;
			s->mode = SBX_LOOPBACK;
		}
	}
	*out = s;
	return 0;
}

int
sbx_add_address(struct sbx *s, const char *addr, struct sc_err *err)
{
	struct sockaddr_in sin;
	struct in6_addr a6;
	int v6 = 0;
	pid_t pid;
	int status;

	if (s->mode != SBX_NETNS)
		return sc_err_set(err, "%s: an extra address needs a network namespace", addr);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		if (inet_pton(AF_INET6, addr, &a6) != 1)
			return sc_err_set(err, "%s: not an IPv4 or IPv6 address", addr);
		v6 = 1;
	}
	s->naddrs++;
	if ((pid = fork()) < 0)
		return sc_err_sys(err, "fork");
	if (pid == 0) {
		/* a short-lived child: setns() in this thread would move the caller */
		struct ifreq ifr;
		int fd;
		if ((s->userns_fd >= 0 && setns(s->userns_fd, CLONE_NEWUSER) < 0) ||
		    setns(s->netns_fd, CLONE_NEWNET) < 0 ||
		    (fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
			_exit(1);
		if (v6) {
			/* the address on lo itself (/128): IPv6 has no "lo:N" aliases */
			struct in6_ifreq r6;
			memset(&r6, 0, sizeof(r6));
			r6.ifr6_addr = a6;
			r6.ifr6_prefixlen = 128;
			r6.ifr6_ifindex = (int)if_nametoindex("lo");
			_exit(r6.ifr6_ifindex == 0 || ioctl(fd, SIOCSIFADDR, &r6) < 0 ? 2 : 0);
		}
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo:%u", s->naddrs);
		memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
		_exit(ioctl(fd, SIOCSIFADDR, &ifr) < 0 ? 2 : 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return sc_err_sys(err, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return sc_err_set(err, "%s: could not add the address to the case's loopback", addr);
	return 0;
}

static void
child_limits(const struct sbx_limits *l)
{
	struct rlimit r;

	if (l == NULL)
		return;
	r.rlim_cur = r.rlim_max = 0;
	setrlimit(RLIMIT_CORE, &r);
#define LIM(res, v) if (v) { r.rlim_cur = r.rlim_max = (v); setrlimit(res, &r); }
	LIM(RLIMIT_CPU, l->cpu_s);
	LIM(RLIMIT_AS, l->as_bytes);
	LIM(RLIMIT_FSIZE, l->fsize_bytes);
	LIM(RLIMIT_NOFILE, l->nofile);
	LIM(RLIMIT_NPROC, l->nproc);
#undef LIM
}

static void
child_exec(const struct sbx_spawn *sp, int errfd)
{
	int e;

	/* dup2 cleared close-on-exec: a successful exec must close the pipe */
	fcntl(errfd, F_SETFD, FD_CLOEXEC);
	if (sp->cwd && chdir(sp->cwd) < 0)
		goto fail;
	child_limits(sp->limits);
	if (sp->limits && sp->limits->drop_uid) {
		if (setgroups(0, NULL) < 0 || setgid(sp->limits->gid) < 0 ||
		    setuid(sp->limits->uid) < 0)
			goto fail;
	}
	/* ETXTBSY: another thread's fork may still hold a write descriptor of the
	 * freshly copied program for a moment (it closes them before its exec) */
	for (int tries = 0; tries < 200; tries++) {
		execvpe(sp->argv[0], sp->argv, sp->envp);
		if (errno != ETXTBSY)
			break;
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/*
 * In the child, before exec (only async-signal-safe calls): own process
 * group (or session with the pty as controlling terminal), the three
 * standard descriptors, `keep` moved to 3, 4, ..., every other descriptor
 * closed, signal dispositions and mask reset.
 */
static void
prepare_child(const struct sbx_spawn *sp, int *keep, int nkeep)
{
	int fds[3] = { sp->fd_in, sp->fd_out, sp->fd_err };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct sigaction dfl;
	sigset_t none;

	for (int i = 0; i < 3; i++)
		fds[i] = fcntl(fds[i] >= 0 ? fds[i] : null, F_DUPFD_CLOEXEC, 20);
	for (int i = 0; i < nkeep; i++)
		if (keep[i] >= 0)	/* -1: a hole, nothing passed there */
			keep[i] = fcntl(keep[i], F_DUPFD_CLOEXEC, 30);
	if (sp->set_ctty) {
		setsid();
		ioctl(fds[0], TIOCSCTTY, 0);
	} else {
		setpgid(0, 0);
	}
	for (int i = 0; i < 3; i++)
		dup2(fds[i], i);
	for (int i = 0; i < nkeep; i++) {
		if (keep[i] >= 0)
			dup2(keep[i], 3 + i);
		else
			close(3 + i);	/* a hole: whatever the parent had there must not pass */
	}
	syscall(SYS_close_range, (unsigned)(3 + nkeep), ~0U, 0);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Move the passed descriptors from `from`.. to SBX_PASS_FD.., open across exec. */
static void
place_passed(int from, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (fcntl(from + (int)i, F_GETFD) < 0)
			continue;	/* a hole */
		dup2(from + (int)i, SBX_PASS_FD + (int)i);	/* dup2 clears close-on-exec */
		close(from + (int)i);
	}
}

pid_t
sbx_spawn(struct sbx *s, const struct sbx_spawn *sp, struct sc_err *err)
{
	int ep[2], e = 0;
	ssize_t n;
	pid_t pid;

	if (s->n >= SBX_MAX) {
		sc_err_set(err, "too many programs in one sandbox");
		return -1;
	}
	if (pipe2(ep, O_CLOEXEC) < 0) {
		sc_err_sys(err, "pipe");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(ep[0]);
		close(ep[1]);
		sc_err_sys(err, "fork");
		return -1;
	}
	if (pid == 0) {
		struct sbx_spawn copy = *sp;
		copy.fd_in = 0;
		copy.fd_out = 1;
		copy.fd_err = 2;
		copy.set_ctty = 0;
		if (s->mode == SBX_LOOPBACK) {
			int keep[4] = { ep[1], -1, -1, -1 };
			size_t np = sp->npass < 3 ? sp->npass : 3;
			for (size_t i = 0; i < np; i++)
				keep[1 + i] = sp->pass_fds[i];
			prepare_child(sp, keep, 1 + (int)np);
			place_passed(4, np);
			child_exec(&copy, 3);
		}
		/* NETNS: fds 3, 4, 5, 6 are the netns, the pidns, the error pipe and
		 * the user namespace that owns them (unprivileged; else a hole) */
		int keep[7] = { s->netns_fd, s->pidns_fd, ep[1], s->userns_fd, -1, -1, -1 };
		size_t np = sp->npass < 3 ? sp->npass : 3;
		for (size_t i = 0; i < np; i++)
			keep[4 + i] = sp->pass_fds[i];
		prepare_child(sp, keep, 4 + (int)np);
		place_passed(7, np);
		/* the user namespace first: it gives the right to enter the others */
		if ((s->userns_fd >= 0 && setns(6, CLONE_NEWUSER) < 0) ||
		    setns(3, CLONE_NEWNET) < 0 || setns(4, CLONE_NEWPID) < 0) {
			e = errno;
			if (write(5, &e, sizeof(e)) < 0)
				_exit(127);
			_exit(127);
		}
		close(3);
		close(4);
		close(6);
		/* the program is the first process inside the PID namespace; vfork:
		 * the launcher is a copy of all of sockcheck, and its child only
		 * sets its limits and uid (its own) and execs, or writes errno and
		 * leaves: no second copy of the page tables for that */
		pid_t c = vfork();
		if (c == 0)
			child_exec(&copy, 5);
		if (c < 0) {
			e = errno;
			if (write(5, &e, sizeof(e)) < 0)
				_exit(127);
			_exit(127);
		}
		close(5);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* SIGTERM to the group is for the program (valgrind's leak check runs
		 * on it); the launcher must outlive it to report its end */
		signal(SIGTERM, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGUSR1, SIG_IGN);	/* a reference peer's "end the hold" (run_drive.c) */
		int status;
		while (waitpid(c, &status, 0) < 0)
			if (errno != EINTR)
				_exit(127);
		/* mirror its end so that the caller sees the program's own status */
		if (WIFSIGNALED(status)) {
			signal(WTERMSIG(status), SIG_DFL);
			kill(getpid(), WTERMSIG(status));
			_exit(128 + WTERMSIG(status));
		}
		_exit(WEXITSTATUS(status));
	}
	close(ep[1]);
	setpgid(pid, pid);	/* both sides, so a kill right after spawn finds the group */
	do
		n = read(ep[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(ep[0]);
	s->pids[s->n] = pid;
	s->pidfds[s->n] = pidfd_open_(pid);	/* our unreaped child: it is this one */
	s->ended[s->n] = 0;
	s->n++;
	if (n == sizeof(e)) {
		int st;
		waitpid(pid, &st, 0);
		s->ended[s->n - 1] = 1;
		errno = e;
		sc_err_sys(err, "%s", sp->argv[0]);
		return -1;
	}
	return pid;
}

int
sbx_wait(struct sbx *s, pid_t pid, int timeout_ms, int *wstatus, struct rusage *ru,
    struct sc_err *err)
{
	struct timespec t0, now;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t w = wait4(pid, wstatus, WNOHANG, ru);
		if (w == pid) {
			for (size_t i = 0; i < s->n; i++)
				if (s->pids[i] == pid)
					s->ended[i] = 1;
			return 1;
		}
		if (w < 0 && errno != EINTR)
			return sc_err_sys(err, "wait for %d", (int)pid);
		if (timeout_ms == 0)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (timeout_ms > 0 && ms >= timeout_ms)
			return 0;
		usleep(5000);
	}
}

/* The launcher's program: its only direct child, or -1. */
static pid_t
program_of(pid_t launcher)
{
	char path[64];
	long child = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)launcher, (int)launcher);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	if (fscanf(f, "%ld", &child) != 1)
		child = -1;
	fclose(f);
	return (pid_t)child;
}

/*
 * SIGKILL to a launcher's process group, the program first. Killed together,
 * the launcher could die before reaping its program, which then goes to the
 * host's init (orphans go to the reaper of their parent's namespace): until
 * that init reaps it, the namespace's pid 1 cannot exit, and sbx_close waits
 * (1.8 s seen per case). So the program dies first, the launcher reaps it
 * and mirrors its end; then the rest of the group, whose orphans go to the
 * namespace's own pid 1.
 */
static void
kill_launched(const struct sbx *s, size_t i)
{
	pid_t launcher = s->pids[i], prog;

	if (s->ended[i])
		return;		/* reaped: its pid and group may be anyone's now */
	if (s->mode == SBX_NETNS && (prog = program_of(launcher)) > 0) {
		int pfd = pidfd_open_(prog);
		/* still the launcher's child once the pidfd is open: it is that
		 * process (the launcher forks once, and its pid is stable) */
		if (pfd >= 0 && program_of(launcher) == prog && pidfd_kill(pfd, SIGKILL) == 0) {
			siginfo_t si;
			for (int waited = 0; waited < 500; waited++) {
				si.si_pid = 0;
				/* WNOWAIT: the caller collects the status */
				if (waitid(P_PID, (id_t)launcher, &si,
				    WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == launcher)
					break;
				usleep(1000);
			}
		}
		if (pfd >= 0)
			close(pfd);
	}
	/* the group: its leader is our unreaped child (see pidfd_open_) */
	if (kill(-launcher, SIGKILL) < 0 && pidfd_kill(s->pidfds[i], SIGKILL) < 0 &&
	    s->pidfds[i] < 0)
		kill(launcher, SIGKILL);	/* no pidfd: still our unreaped child */
}

/* The slot of a process sbx_spawn started, or -1. */
static ssize_t
slot_of(const struct sbx *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->pids[i] == pid)
			return (ssize_t)i;
	return -1;
}

int
sbx_signal(struct sbx *s, pid_t pid, int sig)
{
	ssize_t i = slot_of(s, pid);

	if (i < 0 || s->ended[i])
		return -1;	/* not ours, or reaped: nothing may be signalled */
	if (sig == SIGKILL) {
		kill_launched(s, (size_t)i);
		return 0;
	}
	if (kill(-pid, sig) == 0 || pidfd_kill(s->pidfds[i], sig) == 0)
		return 0;
	return -1;
}

/* Processes still in the case's PID namespace, or in its process groups. */
/* The real uid of a process, or -1. */
static long
uid_of(pid_t pid)
{
	char path[64], line[256];
	long uid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Uid:", 4) == 0) {
			uid = strtol(line + 4, NULL, 10);
			break;
		}
	fclose(f);
	return uid;
}

#define FRESH_UID_BASE 0x40000000u

uid_t
sbx_fresh_uid(void)
{
	static atomic_uint counter;
	unsigned n = atomic_fetch_add(&counter, 1);
	return (uid_t)(FRESH_UID_BASE + (((unsigned)getpid() & 0xffffu) << 12) + (n & 0xfffu));
}

void
sbx_set_owner(struct sbx *s, uid_t uid)
{
	s->owner = uid;
}

/* A /proc entry's pid, or 0. */
static pid_t
proc_pid(const char *name)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(name, &end, 10);
	return errno || end == name || *end || v <= 0 || v > INT32_MAX ? 0 : (pid_t)v;
}

/*
 * Kill every process of the case's own uid: daemons that left the process
 * group. The pidfd is opened before the uid is read: if the process had
 * gone and its pid been reused in between, the uid read may be another's,
 * but the signal still goes to the pidfd's process, which is gone (ESRCH).
 */
static void
kill_owned(const struct sbx *s)
{
	DIR *d;
	struct dirent *de;

	if (s->owner == 0 || (d = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		pid_t pid = proc_pid(de->d_name);
		int pfd;
		if (pid <= 0 || (pfd = pidfd_open_(pid)) < 0)
			continue;
		if (uid_of(pid) == (long)s->owner)
			pidfd_kill(pfd, SIGKILL);
		close(pfd);
	}
	closedir(d);
}

/* waitpid with a deadline: a wait that can't end must not hang the run. */
static int
wait_bounded(pid_t pid, int ms)
{
	for (int waited = 0; ; waited += 5) {
		pid_t w = waitpid(pid, NULL, WNOHANG);
		if (w == pid || (w < 0 && errno == ECHILD))
			return 0;
		if (waited >= ms)
			return -1;
		usleep(5000);
	}
}

static unsigned
count_survivors(const struct sbx *s)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	unsigned n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char path[64];
		struct stat st;
		pid_t pid = proc_pid(de->d_name);
		if (pid <= 0)
			continue;
		/* NETNS: every process of the case is in its PID namespace (its
		 * uid's too: they all descend from it), one stat each, no status read */
		if (s->mode != SBX_NETNS && s->owner != 0 && uid_of(pid) == (long)s->owner) {
			n++;
			continue;
		}
		if (s->mode == SBX_NETNS) {
			snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
			if (stat(path, &st) == 0 && st.st_ino == s->pidns_ino)
				n++;
		} else {
			pid_t pg = getpgid(pid);
			for (size_t i = 0; i < s->n; i++)
				if (pg == s->pids[i] && !s->ended[i])
					n++;
		}
	}
	closedir(d);
	return n;
}

int
sbx_close(struct sbx *s, unsigned *survivors, struct sc_err *err)
{
	*survivors = 0;
	if (s == NULL)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		kill_launched(s, i);
	/* NETNS: the namespace's end kills its every process, the uid's included */
	if (s->mode != SBX_NETNS)
		kill_owned(s);
	if (s->mode == SBX_NETNS) {
		/* the holder kills and reaps the reaper once its pipe closes: only
		 * its parent may signal it by pid without a recycling race */
		close(s->holder_fd);
		s->holder_fd = -1;
		/* bounded: a program re-parented outside the namespace (its launcher
		 * died first under a subreaper that doesn't reap) keeps pid 1 waiting */
		wait_bounded(s->holder, 3000);
	}
	for (size_t i = 0; i < s->n; i++)
		if (!s->ended[i] && wait_bounded(s->pids[i], 2000) == 0)
			s->ended[i] = 1;
	/* the kernel tears a PID namespace down asynchronously: allow it a moment */
	for (int tries = 0; tries < 100; tries++) {
		*survivors = count_survivors(s);
		if (*survivors == 0)
			break;
		if (s->mode != SBX_NETNS)
			kill_owned(s);
		usleep(10000);
	}
	if (s->netns_fd >= 0)
		close(s->netns_fd);
	if (s->pidns_fd >= 0)
		close(s->pidns_fd);
	if (s->userns_fd >= 0)
		close(s->userns_fd);
	if (s->holder_pidfd >= 0)
		close(s->holder_pidfd);
	for (size_t i = 0; i < s->n; i++)
		if (s->pidfds[i] >= 0)
			close(s->pidfds[i]);
	free(s);
	(void)err;
	return 0;
}
