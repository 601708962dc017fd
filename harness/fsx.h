/* fsx: the file-system chores of a run: scratch copies, removal, digests. */
#ifndef SC_FSX_H
#define SC_FSX_H

#include <stdint.h>

#include "err.h"

/* mkdir -p */
int fsx_mkdirs(const char *path, struct sc_err *err);

/*
 * Copy the tree `src` into `dst` (created): regular files (with their times),
 * directories, symlinks. The directory `skip_dir` (may be NULL) is left out
 * wherever it appears: a report directory inside the submission.
 */
int fsx_copy_tree(const char *src, const char *dst, const char *skip_dir, struct sc_err *err);

/* rm -rf; a missing path is fine. */
int fsx_remove_tree(const char *path, struct sc_err *err);

/*
 * SHA-256 (hex) and size of a file. Returns 1 when it exists, 0 when not,
 * -1 on other errors.
 */
int fsx_sha256_file(const char *path, char hex[65], uint64_t *size, struct sc_err *err);

#endif
