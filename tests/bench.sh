#!/bin/sh
# make bench: speed and memory figures, each appended to a file in
# BUILD/bench/ (never asserted: machines are noisy; compare ratios).
set -u
BUILD=${1:-build}
mkdir -p "$BUILD/bench"
for b in tests/bench-*.sh; do
	[ -f "$b" ] || continue
	echo "== $b"
	timeout 5400 sh "$b" "$BUILD" || echo "bench: $b failed (exit $?)" >&2
done
# The whole suite on the correct fixture, with and without memcheck, and on
# the textbook one (BUF_SIZE 30), quiet and with a busy loop on every core.
suite_time() {
	start=$(date +%s.%N)
	fx=${FIXTURE:-fixtures/correct}
	timeout 1200 "$BUILD/sockcheck" run "$@" "$fx" >/dev/null 2>&1
	rc=$?
	end=$(date +%s.%N)
	echo "$(awk -v s="$start" -v e="$end" "BEGIN{printf \"%.1f\", e-s}") s (exit $rc)"
}
{
	echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores"
	echo "suite on fixtures/correct, --jobs 1: $(suite_time --jobs 1)"
	echo "suite on fixtures/correct, --jobs 2: $(suite_time --jobs 2)"
	echo "suite on fixtures/correct, --memcheck --jobs 2: $(suite_time --memcheck --jobs 2)"
	echo "suite on fixtures/textbook, --jobs 2: $(FIXTURE=fixtures/textbook suite_time --jobs 2)"
	sh tests/cpu-hog.sh 600 &
	hog=$!
	echo "suite on fixtures/textbook, --jobs 2, CPU hog on every core: $(FIXTURE=fixtures/textbook suite_time --jobs 2)"
	kill $hog
	echo "udp.* cases on fixtures/correct, --jobs 2: $(suite_time --only 'udp.*' --jobs 2)"
	# the two cases always run under valgrind (memcheck: true), against the
	# same two without it: what memcheck by default costs the suite
	mc='echo.server.leak-per-client,echo.client.memcheck-session'
	echo "$mc on fixtures/correct, --jobs 1: $(suite_time --only "$mc" --jobs 1); --no-memcheck: $(suite_time --only "$mc" --jobs 1 --no-memcheck)"
} | tee -a "$BUILD/bench/suite.txt"
# make mutants is too slow for make bench: its last score, if it ran
if [ -f "$BUILD/bench/mutants.txt" ]; then
	echo "== last make mutants (build/bench/mutants.txt)"
	awk '/^# /{n=NR} {l[NR]=$0} END{for(i=n;i<=NR;i++) print l[i]}' "$BUILD/bench/mutants.txt"
fi
