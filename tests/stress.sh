#!/bin/sh
# make stress (not part of make check): the harness under load.
#
# While a CPU hog spins on every core:
#   1. STRESS_CASES cases (default 10000) of the correct fixture, --jobs
#      STRESS_JOBS (default 8), as `run --repeat N --no-retry`: no case may
#      end in an error (a harness fault: a fork that failed, a reference peer
#      that did not start, ...; nothing is run a second time to hide one) and
#      no case may be flaky (every run of a case gives the same verdict);
#   2. the self-test: the correct fixture and every mutant with its declared
#      verdicts (tests/selftest.sh), and the memcheck fixtures
#      (tests/memcheck-fixtures.sh): every verdict must hold.
# STRESS_SELFTEST=0 skips step 2 (to measure step 1 alone); the logs are kept
# when a check fails (or with STRESS_KEEP=1): the flaky cases' logs are those
# of a run that did not pass.
# Prints the figures (cases, errors, flaky, flake rate, time) and exits 1 on
# any failure. The full size takes about half an hour on 2 cores.
set -u
BUILD=${1:-build}
CASES=${STRESS_CASES:-10000}
JOBS=${STRESS_JOBS:-8}
SC=$(cd "$BUILD" && pwd)/sockcheck
tmp=$(mktemp -d /tmp/sockcheck-stress.XXXXXX)
chmod 755 "$tmp"
hogs=""
fail=0
cleanup() {
	for p in $hogs; do kill "$p" 2>/dev/null; done
	if [ "$fail" = 0 ] && [ -z "${STRESS_KEEP:-}" ]; then
		rm -rf "$tmp"
	else
		echo "# logs kept in $tmp (the run's report: $tmp/r)"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
for i in $(seq "$ncpu"); do
	sh -c 'while :; do :; done' &
	hogs="$hogs $!"
done
echo "# a CPU hog on each of $ncpu cores"

# 1. the correct fixture, CASES cases, every run judged
ncases=$("$SC" list | wc -l)
[ "$ncases" -gt 0 ] || { echo "not ok - sockcheck list found no cases"; fail=1; exit 1; }
repeat=$(( (CASES + ncases - 1) / ncases ))
echo "# $ncases cases x $repeat runs = $((ncases * repeat)) cases, --jobs $JOBS"
t0=$(date +%s)
"$SC" run --repeat "$repeat" --jobs "$JOBS" --no-retry --report-dir "$tmp/r" \
	fixtures/correct >"$tmp/run.out" 2>&1
rc=$?
t1=$(date +%s)
if [ ! -f "$tmp/r/results.json" ]; then
	echo "not ok - the stress run wrote no results.json (exit $rc)"
	tail -20 "$tmp/run.out"
	fail=1
	exit 1
fi
python3 - "$tmp/r/results.json" "$((t1 - t0))" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
secs = int(sys.argv[2])
runs = sum(c["runs"] for c in d["cases"])
errors = sum(c["verdicts"]["error"] for c in d["cases"])
flaky = [c for c in d["cases"] if c["flaky"]]
want = d["repeat"] * len(d["cases"])
# a flake: a run that ended in an error, or whose verdict is not its case's usual one
flakes = 0
for c in d["cases"]:
    v = c["verdicts"]
    usual = max(v, key=lambda k: v[k])
    flakes += c["runs"] - v[usual] if usual != "error" else c["runs"]
print("# %d cases run in %d s: %d harness errors, %d flaky cases, %d flakes; flake rate %d/%d"
      % (runs, secs, errors, len(flaky), flakes, flakes, runs))
bad = 0
if runs != want or d["interrupted"]:
    print("not ok - %d of %d cases ran" % (runs, want)); bad = 1
else:
    print("ok - all %d cases ran" % runs)
if errors:
    print("not ok - %d harness errors (0 allowed):" % errors); bad = 1
    for c in d["cases"]:
        if c["verdicts"]["error"]:
            print("    %s: error in %d of %d runs: %s" % (c["id"], c["verdicts"]["error"], c["runs"],
                  c["summary"] if c["verdict"] == "error" else (c["other"] or {}).get("summary")))
else:
    print("ok - no harness errors")
if flaky:
    print("not ok - %d flaky cases:" % len(flaky)); bad = 1
    for c in flaky:
        counts = ", ".join("%s %d" % (v, n) for v, n in c["verdicts"].items() if n)
        print("    %s (%s): %s: %s / %s: %s" % (c["id"], counts, c["verdict"], c["summary"],
              c["other"]["verdict"], c["other"]["summary"]))
else:
    print("ok - every case gave the same verdict in all its runs")
sys.exit(bad)
PY

# 2. the self-test and the memcheck fixtures, under the same load
if [ "${STRESS_SELFTEST:-1}" != 0 ]; then
	for t in tests/selftest.sh tests/memcheck-fixtures.sh; do
		if sh "$t" "$BUILD" >"$tmp/$(basename "$t").log" 2>&1; then
			echo "ok - $t under load"
		else
			echo "not ok - $t under load:"
			grep -v '^ok' "$tmp/$(basename "$t").log" | head -30 | sed 's/^/    /'
			fail=1
		fi
	done
fi
exit $fail
