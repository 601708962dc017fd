/*
 * cite: names the line of the student's source that made a failure
 * (issue 25). For each failed check whose cause is about a call (the
 * close() where shutdown() belongs, the write that raised SIGPIPE, the
 * fgets() whose end was ignored, the faulting line of a crash, ...), the
 * call's site from the preload library's record (site.h) is mapped to
 * file:line and function with the program's debug information (srcmap.h)
 * and set in the check's `cite` (results.h). The one place where cites are
 * filled: the judge and the runner only call cite_case.
 */
#ifndef SC_CITE_H
#define SC_CITE_H

#include "err.h"
#include "results.h"

/*
 * Cite the failed checks of `c` (its procs filled) from the side channel
 * `log_path`. Sources are looked up in `built_dir` (the built copy of the
 * submission: the paths the debug information names lie in it); the
 * programs ran in `run_dir`. A check whose cause has no site gets no cite;
 * a program the library could not enter (statically linked) or built
 * without -g gets a cite that says so. Returns 0, or -1 with err.
 */
int cite_case(struct res_case *c, const char *log_path, const char *built_dir,
    const char *run_dir, struct sc_err *err);

/* Is `cause` one that names a call (the causes cite_case cites)? */
int cite_cause_cited(const char *cause);

#endif
