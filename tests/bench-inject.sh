#!/bin/sh
# make bench: the overhead of the fault-injection library on a 256 MiB
# transfer. The correct fixture's file_server serves the file to the
# reference file_client three times each, alternating: without the library,
# with it loaded but injecting nothing (the cost of the wrappers: an fstat
# per call), and capping every write at 64 KiB. Figures: BUILD/bench/inject.txt.
set -u
BUILD=$(cd "${1:-build}" && pwd)
LIB=$BUILD/lib/libscinject.so
out=$BUILD/bench/inject.txt
mkdir -p "$BUILD/bench"
tmp=$(mktemp -d /tmp/sockcheck-bench-inject.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
cp fixtures/correct/file_server.c fixtures/correct/Makefile "$tmp"/
make -s -C "$tmp" file_server >/dev/null 2>&1 || { echo "bench-inject: build failed" >&2; exit 1; }
# the program serves file_server.c: once built, that name holds the data
head -c 268435456 /dev/urandom > "$tmp/file_server.c"
port=$((30000 + $$ % 20000))

# one transfer; prints seconds
run() {
	mode=$1
	port=$((port + 1))
	(
		cd "$tmp"
		case $mode in
		none) exec ./file_server $port ;;
		idle) SCINJECT="calls=none" SCINJECT_TARGET=file_server LD_PRELOAD="$LIB" exec ./file_server $port ;;
		cap) SCINJECT="write_max=65536" SCINJECT_TARGET=file_server LD_PRELOAD="$LIB" exec ./file_server $port ;;
		esac
	) >/dev/null 2>&1 &
	spid=$!
	sleep 0.3
	start=$(date +%s.%N)
	timeout 120 "$BUILD/reference/file_client" 127.0.0.1 $port "$tmp/out.dat" 2>/dev/null
	wait $spid
	end=$(date +%s.%N)
	cmp -s "$tmp/out.dat" "$tmp/file_server.c" || echo "bench-inject: $mode: received file differs" >&2
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }'
}

n=0 none="" idle="" cap=""
while [ $n -lt 3 ]; do
	none="$none $(run none)"
	idle="$idle $(run idle)"
	cap="$cap $(run cap)"
	n=$((n + 1))
done
med() { echo "$@" | tr ' ' '\n' | grep . | sort -n | sed -n 2p; }
mn=$(med $none) mi=$(med $idle) mc=$(med $cap)
{
	echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, $(uname -r)"
	echo "256 MiB, fixture file_server -> reference file_client, seconds:"
	echo "  without the library: $none (median $mn)"
	echo "  library, no faults:  $idle (median $mi)"
	echo "  library, write_max=64KiB: $cap (median $mc)"
	awk -v a="$mn" -v b="$mi" -v c="$mc" 'BEGIN { printf "  overhead: %.1f%% loaded idle, %.1f%% capping\n", (b/a-1)*100, (c/a-1)*100 }'
} | tee -a "$out"
