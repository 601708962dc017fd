#!/bin/sh
# bench-causes: the cause accuracy. The self-test runs every fixture, mutant
# and variant and compares the cause the judge named for each failed case
# (its primary cause) with the cause the fixture declares; the figure is the
# failed cases whose named cause is the declared one. It goes, with the
# cases named otherwise, to BUILD/bench/causes.txt (appended; a figure, not
# a test: make check asserts each cause, this only counts them).
#
# Usage: sh tests/bench-causes.sh [BUILD]
# Environment: BENCH_REUSE=1 counts from the results a previous self-test
# left in BUILD/selftest instead of running it again.
set -u
BUILD=${1:-build}
OUTF=$BUILD/bench/causes.txt
mkdir -p "$BUILD/bench"
log=$(mktemp "${TMPDIR:-/tmp}/sockcheck-causes.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT
if [ "${BENCH_REUSE:-0}" = 1 ]; then
	/usr/bin/python3 tests/selftest.py --reuse "$BUILD" >"$log" 2>&1
else
	timeout 3600 /usr/bin/python3 tests/selftest.py "$BUILD" >"$log" 2>&1
fi
{
	echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
	grep '^# cause accuracy' "$log" || echo "# cause accuracy: the self-test gave no figure"
	# the failed cases named otherwise than declared, to look at
	grep -A 40 'causes differ' "$log" | grep '^    .*, named \|^    .*no cause declared' || true
} | tee -a "$OUTF"
