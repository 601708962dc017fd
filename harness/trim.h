/*
 * trim: keeping a report directory small whatever a program wrote.
 *
 * A large file (an output file of garbage, a peer's event log, a copy the
 * submission carried) is cut down in place to its head, and beside it go
 * NAME.tail (its last bytes), NAME.at-OFFSET (the bytes around its first
 * difference from the expected data, when known) and NAME.trimmed (its
 * original size and XXH3-128 digest, and what was kept). Paths that reports
 * name stay valid: the head is where the file was.
 *
 * Student files are handled as root would handle them: directories are
 * opened without following links, a link is never followed, and only
 * regular files are cut.
 */
#ifndef SC_TRIM_H
#define SC_TRIM_H

#include <stdint.h>

#include "err.h"

struct trim_keep {
	uint64_t over;		/* files larger than this are cut */
	uint64_t head, tail;	/* bytes kept at the start (in place) and the end */
	uint64_t around;	/* bytes kept around a first difference */
};

/*
 * What a case keeps of each file over 1 MiB (a program's own binaries, in
 * the working copy of a failing case, stay whole); and what a run over its
 * cap keeps of every file.
 */
#define TRIM_CASE ((struct trim_keep){ 1 << 20, 64 * 1024, 16 * 1024, 16 * 1024 })
#define TRIM_TIGHT ((struct trim_keep){ 8 * 1024, 4 * 1024, 2 * 1024, 2 * 1024 })

/* The default cap of the report of one submission (profile/assignment `report_cap`). */
#define TRIM_REPORT_CAP ((uint64_t)50 << 20)

/*
 * Cut `name` in directory `dir` (no link followed, beneath dir) when it is a
 * regular file larger than k->over and than what k keeps. first_diff: offset of the first
 * difference, or -1. Returns 1 when cut, 0 when left alone, -1 with err.
 */
int trim_file(const char *dir, const char *name, const struct trim_keep *k, int64_t first_diff,
    struct sc_err *err);

/* Cut every regular file below `dir` larger than k->over (side files of cuts excepted). */
int trim_tree(const char *dir, const struct trim_keep *k, struct sc_err *err);

/* Bytes of the regular files below `dir` (links not followed). */
uint64_t trim_tree_size(const char *dir);

/*
 * Hold `dir` under `cap` bytes: trim_tree with TRIM_TIGHT, then, while still
 * over, remove the largest files, listing each in dir/REMOVED.txt.
 * *removed: how many files went. Returns 0, or -1 with err.
 */
int trim_to_cap(const char *dir, uint64_t cap, unsigned *removed, struct sc_err *err);

#endif
