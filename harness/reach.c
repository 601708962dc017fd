/*
 * reach: what sandboxed programs open by absolute path (contract in reach.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsx.h"
#include "reach.h"

/* Whether a uid with nothing in common with the file's can read it by name. */
static int
others_can_read(const char *path)
{
	char dir[PATH_MAX];
	struct stat st;
	char *slash;

	if (realpath(path, dir) == NULL || stat(dir, &st) < 0 || !(st.st_mode & S_IROTH))
		return 0;
	if ((slash = strrchr(dir, '/')) == NULL)
		return 0;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return fsx_others_can_reach(dir);
}

static int
make_root(struct reach *r, struct sc_err *err)
{
	if (r->root[0])
		return 0;
	snprintf(r->root, sizeof(r->root), "/tmp/sockcheck-cases.XXXXXX");
	if (mkdtemp(r->root) == NULL) {
		r->root[0] = '\0';
		return sc_err_sys(err, "mkdtemp /tmp/sockcheck-cases.XXXXXX");
	}
	/* searchable, not listable: the programs reach what they are told of */
	if (chmod(r->root, 0711) < 0)
		return sc_err_sys(err, "chmod %s", r->root);
	return 0;
}

/* A copy of the preload library below root, readable by every uid. */
static int
place_inject(struct reach *r, const char *inject_lib, struct sc_err *err)
{
	char dir[sizeof(r->root) + 16];

	if (make_root(r, err) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/preload", r->root);
	if (mkdir(dir, 0755) < 0)
		return sc_err_sys(err, "mkdir %s", dir);
	snprintf(r->inject, sizeof(r->inject), "%s/libscinject.so", dir);
	if (fsx_copy_file(inject_lib, r->inject, 0755, err) < 0) {
		sc_err_wrap(err, "the preload library, where the programs can load it");
		return -1;
	}
	return 0;
}

int
reach_open(struct reach *r, int is_root, const char *cases_dir, const char *inject_lib,
    struct sc_err *err)
{
	memset(r, 0, sizeof(*r));
	if (inject_lib)
		snprintf(r->inject, sizeof(r->inject), "%s", inject_lib);
	if (!is_root)
		return 0;
	if (cases_dir && !fsx_others_can_reach(cases_dir)) {
		if (make_root(r, err) < 0) {
			reach_close(r, 0);
			return -1;
		}
		r->cases_there = 1;
	}
	if (inject_lib && !others_can_read(inject_lib) && place_inject(r, inject_lib, err) < 0) {
		reach_close(r, 0);
		return -1;
	}
	return 0;
}

const char *
reach_inject(const struct reach *r)
{
	return r->inject[0] ? r->inject : NULL;
}

int
reach_preload_failed(const char *side_log, const char *text, size_t len, char *why,
    size_t whylen)
{
	/* glibc's ld.so: "ERROR: ld.so: object '%s' from LD_PRELOAD cannot be
	 * preloaded (%s): ignored." */
	static const char tail[] = "' from LD_PRELOAD cannot be preloaded (";
	const char *hit, *start, *reason, *end;
	char line[512];
	FILE *f;

	if (text == NULL || (hit = memmem(text, len, tail, sizeof(tail) - 1)) == NULL)
		return 0;
	if ((f = fopen(side_log, "re")) != NULL) {
		int loaded = 0;
		while (!loaded && fgets(line, sizeof(line), f))
			loaded = strncmp(line, "loaded ", 7) == 0;
		fclose(f);
		if (loaded)
			return 0;
	}
	for (start = hit; start > text && start[-1] != '\'' && start[-1] != '\n'; start--)
		;
	reason = hit + sizeof(tail) - 1;
	end = memchr(reason, ')', len - (size_t)(reason - text));
	int rlen = end ? (int)(end - reason) : 0;
	snprintf(why, whylen, "sockcheck's preload library %.*s could not be loaded into the "
	    "program (%.*s)%s", (int)(hit - start), start, rlen, reason,
	    memmem(reason, (size_t)rlen, "cannot open", 11) ? ": the program's uid cannot read it" :
	    ": a broken build of sockcheck?");
	return 1;
}

void
reach_close(struct reach *r, int keep)
{
	struct sc_err e;

	if (r->root[0] && !keep)
		fsx_remove_tree(r->root, &e);
	r->root[0] = '\0';
}
