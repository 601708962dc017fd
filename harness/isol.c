/*
 * isol: which isolation this machine gives (contract in isol.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isol.h"
#include "sbx.h"

/* A sysctl's number, or -1 when the kernel has no such file. */
static long
sysctl_long(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* In the child: what a case would get. Written to fd as "KIND why". */
static void
probe_child(int fd, int no_netns)
{
	char why[400] = "", line[512];
	struct sbx *s = NULL;
	struct sc_err err;
	int kind = ISOL_NONE;

	if (no_netns) {
		snprintf(why, sizeof(why), "--no-netns");
	} else {
		int user = sbx_user_enter(why, sizeof(why));
		if (sbx_open(1, &s, why, sizeof(why), &err) < 0) {
			snprintf(why, sizeof(why), "%.300s", err.msg);
		} else if (sbx_mode(s) == SBX_NETNS) {
			kind = geteuid() == 0 ? ISOL_ROOT : ISOL_USERNS;
			snprintf(why, sizeof(why), "%s", geteuid() == 0 ? "running as root" :
			    user ? "the kernel gives unprivileged users user namespaces" :
			    "already in a user namespace of its own");
		}
		if (s) {
			unsigned survivors;
			sbx_close(s, &survivors, &err);
		}
	}
	snprintf(line, sizeof(line), "%d %s", kind, why);
	if (write(fd, line, strlen(line)) < 0)
		_exit(1);
	_exit(0);
}

void
isol_probe(int no_netns, struct isol_probe *p)
{
	char buf[600];
	int fds[2], status;
	ssize_t n = 0, k;
	pid_t pid;
	struct stat st;

	memset(p, 0, sizeof(*p));
	p->kind = ISOL_NONE;
	p->max_user_namespaces = sysctl_long("/proc/sys/user/max_user_namespaces");
	p->unprivileged_userns_clone = sysctl_long("/proc/sys/kernel/unprivileged_userns_clone");
	p->apparmor_restrict = sysctl_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
	p->container = stat("/.dockerenv", &st) == 0 || stat("/run/.containerenv", &st) == 0;
	snprintf(p->why, sizeof(p->why), "could not be tried");
	if (pipe2(fds, O_CLOEXEC) < 0)
		return;
	if ((pid = fork()) == 0) {
		close(fds[0]);
		probe_child(fds[1], no_netns);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return;
	}
	/* bounded: the child's sandbox opens and closes in milliseconds */
	while (n < (ssize_t)sizeof(buf) - 1 &&
	    (k = read(fds[0], buf + n, sizeof(buf) - 1 - (size_t)n)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		n += k;
	}
	close(fds[0]);
	waitpid(pid, &status, 0);
	buf[n] = '\0';
	if (n > 2 && buf[0] >= '0' && buf[0] <= '2' && buf[1] == ' ') {
		p->kind = (enum isol_kind)(buf[0] - '0');
		snprintf(p->why, sizeof(p->why), "%.500s", buf + 2);
	}
}

const char *
isol_name(enum isol_kind k)
{
	switch (k) {
	case ISOL_ROOT: return "network namespaces (as root)";
	case ISOL_USERNS: return "user namespaces (unprivileged)";
	default: return "none (the machine's loopback, shared)";
	}
}

const char *
isol_key(enum isol_kind k)
{
	return k == ISOL_ROOT ? "root" : k == ISOL_USERNS ? "userns" : "none";
}

const char *
isol_cost(enum isol_kind k)
{
	switch (k) {
	case ISOL_ROOT:
		return "";
	case ISOL_USERNS:
		return "each case has network and PID namespaces of its own as under root; its "
		    "programs run as you, not under a uid of their own";
	default:
		return "the cases share the machine's ports: a program with a fixed port runs one "
		    "case at a time, a port another program holds makes its cases errors; no packet "
		    "capture; no case for a server's address other than 127.0.0.1 and ::1 (a "
		    "client's own address is redirected to loopback); a daemon that "
		    "leaves its process group is not always found";
	}
}

void
isol_remedy(const struct isol_probe *p, const char *exe, char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");

	if (len)
		buf[0] = '\0';
	if (f == NULL)
		return;
	if (p->kind == ISOL_NONE && strcmp(p->why, "--no-netns") == 0) {
		fputs("leave out --no-netns\n", f);
	} else if (p->kind == ISOL_NONE) {
		if (p->apparmor_restrict == 1)
			fprintf(f, "AppArmor restricts unprivileged user namespaces "
			    "(kernel.apparmor_restrict_unprivileged_userns = 1, Ubuntu 23.10 and "
			    "later). Allow them to sockcheck alone: as root, write "
			    "/etc/apparmor.d/sockcheck:\n"
			    "    abi <abi/4.0>,\n"
			    "    include <tunables/global>\n"
			    "    profile sockcheck %s flags=(unconfined) {\n"
			    "      userns,\n"
			    "    }\n"
			    "then run: apparmor_parser -r /etc/apparmor.d/sockcheck\n", exe);
		if (p->max_user_namespaces == 0)
			fputs("user.max_user_namespaces is 0: as root, sysctl -w "
			    "user.max_user_namespaces=10000 (and in /etc/sysctl.d/ to keep it)\n", f);
		if (p->unprivileged_userns_clone == 0)
			fputs("kernel.unprivileged_userns_clone is 0: as root, sysctl -w "
			    "kernel.unprivileged_userns_clone=1\n", f);
		if (p->container || (p->apparmor_restrict != 1 && p->max_user_namespaces != 0 &&
		    p->unprivileged_userns_clone != 0))
			fputs("in a container: as root in it, run the container with "
			    "docker run --cap-add SYS_ADMIN --cap-add NET_ADMIN ...; unprivileged in "
			    "it, with --security-opt seccomp=unconfined (Docker's default seccomp "
			    "profile refuses user namespaces)\n", f);
		fputs("or run sockcheck as root (the cases then run under uids of their own)\n", f);
	} else if (p->kind == ISOL_USERNS) {
		fputs("as root, each case's programs would also run under a uid of their own\n", f);
	}
	fclose(f);
}
