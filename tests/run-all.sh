#!/bin/sh
# Runs every test of `make check`: the Criterion binaries in BUILD/tests,
# then every tests/*.sh (each bounded in time, given the build directory).
# Prints one line per test program, with its time, and exits non-zero if
# any failed.
BUILD=${1:-build}
failed=0
total=0
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	total=$((total + 1))
	t0=$(date +%s)
	if timeout 600 "$t" --jobs 2 >"$t.log" 2>&1; then
		echo "ok - $(basename "$t") ($(($(date +%s) - t0)) s)"
	else
		echo "not ok - $(basename "$t") ($(($(date +%s) - t0)) s, log: $t.log)"
		tail -n 30 "$t.log"
		failed=$((failed + 1))
	fi
done
for s in tests/*.sh; do
	# load tools (make stress, make textbook-load) run on demand, not in make check;
	# *-lib.sh are sourced by tests, not tests themselves; mkclass.sh makes a class
	# (for class.sh and make bench)
	case $s in tests/run-all.sh|tests/mkclass.sh|tests/demo.sh|tests/bench*.sh|tests/stress.sh|tests/cpu-hog.sh|tests/textbook-load.sh|tests/*-lib.sh) continue ;; esac
	[ -f "$s" ] || continue
	total=$((total + 1))
	log="$BUILD/tests/$(basename "$s" .sh).log"
	mkdir -p "$BUILD/tests"
	t0=$(date +%s)
	if timeout 900 sh "$s" "$BUILD" >"$log" 2>&1; then
		echo "ok - $s ($(($(date +%s) - t0)) s)"
	else
		echo "not ok - $s ($(($(date +%s) - t0)) s, log: $log)"
		tail -n 40 "$log"
		failed=$((failed + 1))
	fi
done
echo "$((total - failed)) of $total test programs passed"
[ "$failed" -eq 0 ]
