/*
 * isol: which isolation this machine gives sockcheck's cases, why, what it
 * costs and what would give better (sockcheck doctor, --version, the
 * report's header).
 *
 * As root each case gets network and PID namespaces and its programs a uid
 * of their own. Unprivileged, the same namespaces through a user namespace
 * where the kernel allows one (sbx_user_enter); the programs then run as the
 * caller. Where it does not (a seccomp filter such as Docker's default, an
 * AppArmor restriction such as Ubuntu 24.04's, user.max_user_namespaces = 0,
 * --no-netns), the cases share the machine's loopback.
 */
#ifndef SC_ISOL_H
#define SC_ISOL_H

#include <stddef.h>

enum isol_kind {
	ISOL_ROOT,		/* namespaces as root, programs under uids of their own */
	ISOL_USERNS,		/* namespaces through user namespaces, programs as the caller */
	ISOL_NONE,		/* the machine's loopback, shared */
};

struct isol_probe {
	enum isol_kind kind;
	char why[512];		/* why this kind here, in words */
	/* the settings seen: -1 when the kernel has no such setting */
	long max_user_namespaces;		/* user.max_user_namespaces */
	long unprivileged_userns_clone;		/* kernel.unprivileged_userns_clone (Debian < 11) */
	long apparmor_restrict;			/* kernel.apparmor_restrict_unprivileged_userns */
	int container;		/* /.dockerenv or /run/.containerenv exists */
};

/*
 * Try what a case does (sbx_user_enter, then sbx_open), in a child process
 * so that the caller changes nothing; `no_netns`: as with --no-netns.
 * Fills *p; never fails (what can't be tried is reported as such).
 */
void isol_probe(int no_netns, struct isol_probe *p);

/* "network namespaces (root)", "user namespaces (unprivileged)", "none (shared loopback)" */
const char *isol_name(enum isol_kind k);

/* "root", "userns", "none": results.json's isolation.kind */
const char *isol_key(enum isol_kind k);

/* What the kind costs, in one sentence ("" for none). */
const char *isol_cost(enum isol_kind k);

/*
 * What to do for better isolation on this machine, several lines (the
 * AppArmor profile for Ubuntu 24.04, the docker run flags, the sysctl), for
 * the sockcheck executable `exe`; "" when nothing is better.
 */
void isol_remedy(const struct isol_probe *p, const char *exe, char *buf, size_t len);

#endif
