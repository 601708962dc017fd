/* bundle: packaging for grading platforms. */
#ifndef SC_BUNDLE_H
#define SC_BUNDLE_H

#include "err.h"

/*
 * Write a Gradescope autograder zip to `out_zip`: setup.sh (dependencies and
 * build), run_autograder (the suite with `assignment`, Gradescope's
 * results.json), and sockcheck's sources from `source_dir`. Uses zip(1).
 */
int bundle_gradescope(const char *source_dir, const char *assignment, const char *out_zip,
    struct sc_err *err);

#endif
