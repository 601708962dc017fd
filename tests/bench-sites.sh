#!/bin/sh
# make bench: what recording call sites costs (the preload library's
# SCINJECT_SITES, harness/preload/sites.c; cite.c after a failed case).
#  1. per call: 2 million write()s of one byte to /dev/null from one site,
#     without the library, and with it recording sites (nanoseconds per call);
#  2. the fixtures suite: the whole suite on fixtures/correct and the
#     file.server cases of the no-shutdown mutant (failed cases: their lines
#     are looked up), with sites and without (SOCKCHECK_NO_SITES=1: the
#     library is then loaded only where it was before), alternating, three
#     runs each, medians.
# Figures: BUILD/bench/sites.txt (never asserted).
set -u
BUILD=$(cd "${1:-build}" && pwd)
LIB=$BUILD/lib/libscinject.so
out=$BUILD/bench/sites.txt
mkdir -p "$BUILD/bench"
tmp=$(mktemp -d /tmp/sockcheck-bench-sites.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

cat > "$tmp/calls.c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
int
main(void)
{
	struct timespec a, b;
	int fd = open("/dev/null", O_WRONLY);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 2000000; i++)
		write(fd, "x", 1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 2e6);
	return 0;
}
EOF
cc -O2 -g -o "$tmp/calls" "$tmp/calls.c" || { echo "bench-sites: cc failed" >&2; exit 1; }
per_call() {
	if [ "$1" = sites ]; then
		SCINJECT_SITES=1 SCINJECT_FD=9 LD_PRELOAD="$LIB" "$tmp/calls" 9>>"$tmp/side.log"
	else
		"$tmp/calls"
	fi
}

suite() {
	start=$(date +%s.%N)
	timeout 1200 "$BUILD/sockcheck" run --jobs 2 "$@" >/dev/null 2>&1
	end=$(date +%s.%N)
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}
mkdir "$tmp/mutant"
cp fixtures/correct/*.c fixtures/correct/Makefile "$tmp/mutant/"
patch -s -p1 -d "$tmp/mutant" < fixtures/mutants/no-shutdown/bug.patch

med() { echo "$@" | tr ' ' '\n' | grep . | sort -n | sed -n 2p; }
c0="" c1="" s0="" s1="" m0="" m1=""
n=0
while [ $n -lt 3 ]; do
	c0="$c0 $(per_call none)"
	c1="$c1 $(per_call sites)"
	s0="$s0 $(SOCKCHECK_NO_SITES=1 suite fixtures/correct)"
	s1="$s1 $(suite fixtures/correct)"
	m0="$m0 $(SOCKCHECK_NO_SITES=1 suite --only 'file.server.*' "$tmp/mutant")"
	m1="$m1 $(suite --only 'file.server.*' "$tmp/mutant")"
	n=$((n + 1))
done
{
	echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, $(uname -r)"
	echo "write() of 1 byte to /dev/null, ns per call:"
	echo "  without the library: $c0 (median $(med $c0))"
	echo "  recording sites:     $c1 (median $(med $c1))"
	echo "suite on fixtures/correct, --jobs 2, seconds:"
	echo "  without sites: $s0 (median $(med $s0))"
	echo "  with sites:    $s1 (median $(med $s1))"
	echo "file.server.* on the no-shutdown mutant (failed cases cite their line), --jobs 2, seconds:"
	echo "  without sites: $m0 (median $(med $m0))"
	echo "  with sites:    $m1 (median $(med $m1))"
	awk -v a="$(med $s0)" -v b="$(med $s1)" -v c="$(med $m0)" -v d="$(med $m1)" \
	    'BEGIN { printf "  cost: %+.1f%% on the correct fixture, %+.1f%% on the mutant\n", (b/a-1)*100, (d/c-1)*100 }'
} | tee -a "$out"
