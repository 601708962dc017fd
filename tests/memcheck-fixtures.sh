#!/bin/sh
# Memcheck self-test: under valgrind the correct fixture yields no finding;
# each memcheck mutant (fixture.yaml: memcheck: true) yields exactly its
# declared findings (kind, file, line) and fails exactly its declared cases.
set -eu
BUILD=${1:-build}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind is not installed" >&2
	exit 1
fi
exec timeout 900 /usr/bin/python3 tests/selftest.py --memcheck "$BUILD"
