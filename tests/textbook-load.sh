#!/bin/sh
# The textbook fixture (a correct submission with BUF_SIZE 30: a million
# tiny reads and writes for each large file) must pass every must-case of
# its programs N times in a row (default 20) while a busy loop runs on every
# core: the verdict depends on the program, never on the machine's load.
# (It has no UDP programs: those cases are skipped.)
#
# Usage: sh tests/textbook-load.sh BUILD_DIR [N]   (about 20 s a run under load)
# Prints each run's time and the slowest case; exits 1 at the first run
# with a failing must-case. TEXTBOOK_QUIET=1: no CPU hog (for comparison).
BUILD=${1:-build}
N=${2:-20}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
cd "$(dirname "$0")/.." || exit 1
SC="$BUILD/sockcheck"
[ -x "$SC" ] || { echo "no $SC: build first"; exit 1; }
mkdir -p "$BUILD/tests"
W=$(mktemp -d "$BUILD/tests/textbook-load.XXXXXX") || exit 1
hog=""
trap '[ -n "$hog" ] && kill $hog 2>/dev/null; rm -rf "$W"' EXIT
trap 'exit 130' INT TERM
if [ -z "${TEXTBOOK_QUIET:-}" ]; then
	sh tests/cpu-hog.sh 3600 &
	hog=$!
	sleep 0.5
fi
i=1
while [ "$i" -le "$N" ]; do
	rm -rf "$W/rep"
	t0=$(date +%s.%N)
	timeout 600 "$SC" run --report-dir "$W/rep" --format json fixtures/textbook >"$W/out" 2>&1
	rc=$?
	t=$(python3 -c "print(round($(date +%s.%N) - $t0, 1))")
	slow=$(python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
c = max(r['cases'], key=lambda c: c['seconds'])
bad = [c['id'] + ': ' + c['verdict'] + ' ' + (c.get('summary') or '') for c in r['cases']
       if c['level'] == 'must' and c['verdict'] in ('fail', 'error')]
skips = sum(1 for c in r['cases'] if c['verdict'] == 'skip')
print('slowest %s %.1f s, %d skipped (programs it lacks)' % (c['id'], c['seconds'], skips))
for b in bad: print('  ' + b)
" "$W/rep/results.json" 2>&1)
	if [ "$rc" -ne 0 ]; then
		echo "not ok - run $i: exit $rc, $t s, $slow"
		tail -20 "$W/out"
		exit 1
	fi
	echo "ok - run $i: $t s, $slow"
	i=$((i + 1))
done
echo "# $N runs in a row passed every must-case${hog:+ under a CPU hog on every core}"
