#!/bin/sh
# The self-test of the suite: the correct fixture passes every must-case;
# each mutant fails exactly the cases its fixture.yaml declares (must_fail,
# and inject_fail for the fault-injection cases; memcheck mutants are
# checked by tests/memcheck-fixtures.sh).
set -eu
BUILD=${1:-build}
exec timeout 900 /usr/bin/python3 tests/selftest.py "$BUILD"
