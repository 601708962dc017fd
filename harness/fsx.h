/* fsx: the file-system chores of a run: scratch copies, removal, digests. */
#ifndef SC_FSX_H
#define SC_FSX_H

#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "ref_digest.h"

/* mkdir -p */
int fsx_mkdirs(const char *path, struct sc_err *err);

/* Whether path is a directory / a regular file (links followed). */
int fsx_is_dir(const char *path);
int fsx_is_file(const char *path);

/*
 * Whether a process of an unrelated uid (no owner or group in common) can
 * reach `path` (absolute, links resolved): every directory from / down to
 * it searchable by others (o+x).
 */
int fsx_others_can_reach(const char *path);

/*
 * Copy the tree `src` into `dst` (created): regular files (with their times),
 * directories, symlinks. The directory `skip_dir` (may be NULL) is left out
 * wherever it appears: a report directory inside the submission.
 */
int fsx_copy_tree(const char *src, const char *dst, const char *skip_dir, struct sc_err *err);

/* Copy one regular file (its times kept) to `dst`, with `mode`. */
int fsx_copy_file(const char *src, const char *dst, mode_t mode, struct sc_err *err);

/* chown -R without following links (lchown). */
int fsx_chown_tree(const char *path, uid_t uid, gid_t gid, struct sc_err *err);

/* rm -rf; a missing path is fine. */
int fsx_remove_tree(const char *path, struct sc_err *err);

/*
 * SHA-256 (hex) and size of a file (content identity, as grade's resume
 * needs: not the transfer digest). Returns 1 when it is a regular file, 0
 * when missing, 2 when something else is there (a link, a FIFO, a device: not
 * read), -1 on other errors.
 */
int fsx_sha256_file(const char *path, char hex[65], uint64_t *size, struct sc_err *err);

/*
 * Open `name` inside `dir` as root would open a student's file: never through
 * a symbolic link, never outside `dir` (openat2 RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS). flags as for open(); O_CLOEXEC and O_NOFOLLOW are
 * added. Returns the descriptor, or -1 with errno set (ELOOP/EXDEV: a link or
 * an escape).
 */
int fsx_open_beneath(const char *dir, const char *name, int flags, mode_t mode);

/* unlink `name` inside `dir`, its directories reached without following links. */
int fsx_unlink_beneath(const char *dir, const char *name);

/*
 * Transfer digest (ref_digest) and size of the regular file `name` inside
 * `dir` (a file the student wrote). Returns 1 when it is a regular file, 0 when missing, 2 when
 * something else is there (a link, a FIFO, a device: not read), -1 on errors.
 */
int fsx_digest_beneath(const char *dir, const char *name, char hex[REF_DIGEST_HEX], uint64_t *size,
    struct sc_err *err);

#endif
