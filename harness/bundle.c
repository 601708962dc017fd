/*
 * bundle: a Gradescope autograder zip. Gradescope runs setup.sh once on its
 * Ubuntu image and run_autograder per submission, which must leave
 * /autograder/results/results.json. The bundle carries sockcheck's sources
 * (binaries built here might not run on another distribution's libc), the
 * assignment, and the two scripts; setup.sh installs the dependencies and
 * builds, run_autograder runs the suite with the Gradescope format in the
 * student view (hidden cases say only that they failed).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"
#include "fsx.h"

static const char setup_sh[] =
    "#!/bin/sh\n"
    "# Gradescope: runs once when the autograder image is built.\n"
    "set -e\n"
    "cd /autograder/source/sockcheck\n"
    "sh .ci/install-deps\n"
    "make -j\"$(nproc)\"\n";

static const char run_autograder[] =
    "#!/bin/sh\n"
    "# Gradescope: runs per submission; writes /autograder/results/results.json.\n"
    "cd /autograder/source/sockcheck || exit 1\n"
    "mkdir -p /autograder/results\n"
    "build/sockcheck run --assignment /autograder/source/assignment.yaml --student-view \\\n"
    "    --format gradescope,json --report-dir /tmp/sockcheck-report /autograder/submission\n"
    "if [ -f /tmp/sockcheck-report/gradescope.json ]; then\n"
    "\tcp /tmp/sockcheck-report/gradescope.json /autograder/results/results.json\n"
    "else\n"
    "\tprintf '{\"score\": 0, \"output\": \"sockcheck could not run: see the autograder log\"}\\n' \\\n"
    "\t    > /autograder/results/results.json\n"
    "fi\n";

static int
write_file(const char *path, const char *text, mode_t mode, struct sc_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(text);

	if (fd < 0)
		return sc_err_sys(err, "%s", path);
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return sc_err_sys(err, "write %s", path);
	}
	if (close(fd) < 0)
		return sc_err_sys(err, "%s", path);
	return 0;
}

/* Run argv in `dir` with stdout to /dev/null; 0 when it exits 0. */
static int
run_in(const char *dir, char *const argv[], struct sc_err *err)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return sc_err_sys(err, "fork");
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 1);
		if (chdir(dir) == 0)
			execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return sc_err_sys(err, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return sc_err_set(err, "%s failed (exit %d)%s", argv[0],
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		    WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ": is it installed?" : "");
	return 0;
}

/* The source tree's files worth shipping (no build output, no VCS data). */
static int
copy_sources(const char *src, const char *dst, struct sc_err *err)
{
	static const char *const parts[] = { "Makefile", "VERSION", ".ci", "harness", "reference",
		"scenarios", "reports", "docs", "assignments", "README.md", NULL };
	char s[PATH_MAX], d[PATH_MAX];
	struct stat st;

	if (fsx_mkdirs(dst, err) < 0)
		return -1;
	for (size_t i = 0; parts[i]; i++) {
		if ((size_t)snprintf(s, sizeof(s), "%s/%s", src, parts[i]) >= sizeof(s) ||
		    (size_t)snprintf(d, sizeof(d), "%s/%s", dst, parts[i]) >= sizeof(d))
			return sc_err_set(err, "%s: path too long", src);
		if (lstat(s, &st) < 0)
			continue;	/* an optional part */
		if (fsx_copy_tree(s, d, NULL, err) < 0)
			return -1;
	}
	return 0;
}

int
bundle_gradescope(const char *source_dir, const char *assignment, const char *out_zip,
    struct sc_err *err)
{
	char tmpl[] = "/tmp/sockcheck-bundle.XXXXXX", path[PATH_MAX], cwd[PATH_MAX];
	char *zip_abs = NULL;
	char mk[PATH_MAX];
	struct stat st;
	int rc = -1;

	snprintf(mk, sizeof(mk), "%s/harness/main.c", source_dir);
	if (stat(mk, &st) < 0)
		return sc_err_set(err, "gradescope-bundle needs sockcheck's source tree (run it from "
		    "a checkout): %s has no harness/main.c", source_dir);
	/* zip runs in the staging directory: the output path must be absolute */
	if (out_zip[0] == '/' ? asprintf(&zip_abs, "%s", out_zip) < 0 :
	    getcwd(cwd, sizeof(cwd)) == NULL || asprintf(&zip_abs, "%s/%s", cwd, out_zip) < 0)
		return sc_err_sys(err, "%s", out_zip);
	if (mkdtemp(tmpl) == NULL) {
		free(zip_abs);
		return sc_err_sys(err, "mkdtemp");
	}
	snprintf(path, sizeof(path), "%s/sockcheck", tmpl);
	if (copy_sources(source_dir, path, err) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/assignment.yaml", tmpl);
	if (fsx_copy_tree(assignment, path, NULL, err) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/setup.sh", tmpl);
	if (write_file(path, setup_sh, 0755, err) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/run_autograder", tmpl);
	if (write_file(path, run_autograder, 0755, err) < 0)
		goto out;
	unlink(zip_abs);
	{
		char *argv[] = { (char *)"zip", (char *)"-q", (char *)"-r", zip_abs,
			(char *)"setup.sh", (char *)"run_autograder", (char *)"assignment.yaml",
			(char *)"sockcheck", NULL };
		if (run_in(tmpl, argv, err) < 0)
			goto out;
	}
	rc = 0;
out:
	{
		struct sc_err e2;
		fsx_remove_tree(tmpl, &e2);
	}
	free(zip_abs);
	return rc;
}
