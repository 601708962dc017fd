/*
 * scratch: a test program's own temporary directory, /tmp/PROGRAM.XXXXXX,
 * made by a suite's .init (mk_tmp) and removed by its .fini (rm_tmp), and
 * files written into it. Header-only: each test is one program.
 */
#ifndef TESTS_SCRATCH_H
#define TESTS_SCRATCH_H

#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fsx.h"

static char tmpdir[64];

static void
mk_tmp(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/%s.XXXXXX", program_invocation_short_name);
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void
rm_tmp(void)
{
	struct sc_err err;

	if (tmpdir[0] && fsx_remove_tree(tmpdir, &err) < 0)
		fprintf(stderr, "could not remove %s: %s\n", tmpdir, err.msg);
}

/* Write n bytes to tmpdir/rel (directories created); its path into path, if given. */
static inline void
write_bytes(const char *rel, const void *data, size_t n, char *path, size_t len)
{
	char buf[PATH_MAX], dir[PATH_MAX];
	FILE *f;

	if (path == NULL) {
		path = buf;
		len = sizeof(buf);
	}
	snprintf(path, len, "%s/%s", tmpdir, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + strlen(tmpdir) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0755);
			*p = '/';
		}
	f = fopen(path, "w");
	cr_assert_not_null(f, "fopen %s", path);
	cr_assert_eq(fwrite(data, 1, n, f), n, "write %s", path);
	cr_assert_eq(fclose(f), 0, "close %s", path);
}

/* The same for a string. */
static inline void
write_file(const char *rel, const char *text, char *path, size_t len)
{
	write_bytes(rel, text, strlen(text), path, len);
}

#endif
