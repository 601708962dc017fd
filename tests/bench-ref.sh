#!/bin/sh
# bench-ref: the reference file_server/file_client pair against OpenBSD
# netcat moving one 1 GiB file over 127.0.0.1: wall time (both sides ended),
# MiB/s, peak RSS of each side; every received file is compared with the
# original. Then memory constancy: the reference pair's RSS with a 64 MiB
# file against a 1 GiB one. Figures go to BUILD/bench/reference.txt (the
# newest run; never asserted: machines are noisy, compare ratios).
#
# Usage: sh tests/bench-ref.sh [BUILD]
# Environment: BENCH_REPS (3), BENCH_MIB (1024), BENCH_SMALL_MIB (64),
# BENCH_RSS (time, python or proc: how peak RSS is taken; default the first
# available), BENCH_TMP (a directory for the files, default $TMPDIR or /tmp).
set -u
BUILD=${1:-build}
REPS=${BENCH_REPS:-3}
MIB=${BENCH_MIB:-1024}
SMALL_MIB=${BENCH_SMALL_MIB:-64}
REF=$BUILD/reference
OUTF=$BUILD/bench/reference.txt
NC=${BENCH_NC:-/usr/bin/nc}

die() { echo "bench-ref: $*" >&2; exit 1; }
if [ ! -x "$REF/file_server" ] || [ ! -x "$REF/file_client" ]; then
	die "no $REF/file_server or file_client (make first)"
fi
command -v xxhsum >/dev/null 2>&1 || die "xxhsum not found (Debian package xxhash: sh .ci/install-deps)"
have_nc=1
if [ ! -x "$NC" ] || ! "$NC" -h 2>&1 | grep -q 'OpenBSD netcat'; then
	echo "bench-ref: $NC is not OpenBSD netcat: the nc runs are skipped" >&2
	have_nc=0
fi
mkdir -p "$BUILD/bench"
BUILD_ABS=$(cd "$BUILD" && pwd)
REF=$BUILD_ABS/reference
OUTF=$BUILD_ABS/bench/reference.txt

TMP=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/bench-ref.XXXXXX") || die "mktemp failed"
PIDS=
# A measured command runs in a subshell, under a wrapper (time, python3):
# end the whole tree, by pid, children first collected so none is missed.
descendants() { # PID: its descendants' pids, one a line
	# shellcheck disable=SC2013  # the file is one line of pids
	for d_c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
		echo "$d_c"
		descendants "$d_c"
	done
}
kill_tree() { # PID
	kt_all="$1 $(descendants "$1")"
	for kt_p in $kt_all; do
		kill "$kt_p" 2>/dev/null
	done
}
# shellcheck disable=SC2317  # called by the trap
cleanup() {
	for p in $PIDS; do kill_tree "$p"; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- how peak RSS and CPU time are measured: GNU time, else python3, else
# VmHWM sampling (BENCH_RSS=time|python|proc forces one). rss_run OUT CMD...
# runs CMD and writes "PEAK_RSS_KiB CPU_SECONDS" (user + system; n/a when
# unknown) into OUT.
RSS_WANT=${BENCH_RSS:-}
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1 &&
    { [ -z "$RSS_WANT" ] || [ "$RSS_WANT" = time ]; }; then
	RSS_HOW="GNU time -v (Maximum resident set size; User + System time)"
	rss_run() {
		rr_o=$1; shift
		/usr/bin/time -v -o "$rr_o.time" "$@"
		rr_rc=$?
		awk -F': *' '/Maximum resident set size/ { k = $2 }
		    /User time \(seconds\)/ { u = $2 } /System time \(seconds\)/ { s = $2 }
		    END { printf "%s %.2f\n", k, u + s }' "$rr_o.time" >"$rr_o"
		return $rr_rc
	}
elif command -v python3 >/dev/null 2>&1 && { [ -z "$RSS_WANT" ] || [ "$RSS_WANT" = python ]; }; then
	# ru_maxrss of a child counts the python process it was forked from:
	# only a figure above python's own says something; VmHWM polled too.
	RSS_HOW="python3: /proc/PID/status VmHWM polled (or ru_maxrss when above python's own); wait4 CPU time"
	rss_run() {
		rr_o=$1; shift
		python3 -c '
import os, resource, subprocess, sys, time
p = subprocess.Popen(sys.argv[2:])
hwm = 0
while True:
    pid, st, ru = os.wait4(p.pid, os.WNOHANG)
    if pid:
        break
    try:
        with open("/proc/%d/status" % p.pid) as f:
            for l in f:
                if l.startswith("VmHWM:"):
                    hwm = max(hwm, int(l.split()[1]))
    except (OSError, ValueError):
        pass
    time.sleep(0.002)
if ru.ru_maxrss > resource.getrusage(resource.RUSAGE_SELF).ru_maxrss:
    hwm = max(hwm, ru.ru_maxrss)
with open(sys.argv[1], "w") as f:
    f.write("%d %.2f\n" % (hwm, ru.ru_utime + ru.ru_stime))
sys.exit(os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st))' "$rr_o" "$@"
	}
else
	RSS_HOW="/proc/PID/status VmHWM sampled every 10 ms (a lower bound); no CPU time"
	rss_run() {
		rr_o=$1; shift
		exec 3<&0	# an asynchronous list would get /dev/null as its input
		"$@" <&3 3<&- &
		rr_p=$!
		exec 3<&-
		rr_hwm=0
		while kill -0 "$rr_p" 2>/dev/null; do
			rr_h=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$rr_p/status" 2>/dev/null)
			[ -n "$rr_h" ] && rr_hwm=$rr_h
			sleep 0.01
		done
		wait "$rr_p"
		rr_rc=$?
		echo "$rr_hwm n/a" >"$rr_o"
		return $rr_rc
	}
fi

now_ns() { date +%s%N; }

# Wait until something listens on TCP PORT (any address), up to 5 s.
wait_listen() {
	wl_hex=$(printf '%04X' "$1")
	wl_n=0
	while [ $wl_n -lt 500 ]; do
		if cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		    grep -q "^ *[0-9]*: [0-9A-F]*:$wl_hex [0-9A-F]*:[0-9A-F]* 0A "; then
			return 0
		fi
		sleep 0.01
		wl_n=$((wl_n + 1))
	done
	return 1
}

# A port nobody uses now: derived from our pid, then stepped.
PORT_NEXT=$((20000 + $$ % 20000))
next_port() {
	while :; do
		PORT_NEXT=$((PORT_NEXT + 1))
		[ $PORT_NEXT -gt 60000 ] && PORT_NEXT=20001
		np_hex=$(printf '%04X' $PORT_NEXT)
		if ! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -q ":$np_hex "; then
			PORT=$PORT_NEXT
			return
		fi
	done
}

# The payload: real bytes (never a sparse file), from /dev/urandom.
make_file() { # PATH MIB
	head -c $(($2 * 1048576)) /dev/urandom >"$1" || die "cannot write $1"
	[ "$(wc -c <"$1")" -eq $(($2 * 1048576)) ] || die "$1: short"
}

# One transfer. KIND: ref (the peers as the harness runs them, with --events:
# XXH3-128 of every byte on both sides), raw (the same peers without an event
# log, so without digests: as a student runs them by hand) or nc. Sets RUN_NS, RUN_SRV_KB, RUN_CLI_KB (peak
# RSS), RUN_SRV_CPU, RUN_CLI_CPU (seconds) and RUN_OK.
run_one() { # KIND FILE
	kind=$1 file=$2 out=$TMP/out
	rm -f "$out" "$TMP/srv.rss" "$TMP/cli.rss" "$TMP/srv.ev" "$TMP/cli.ev"
	next_port
	t0=$(now_ns)
	if [ "$kind" = ref ]; then
		rss_run "$TMP/srv.rss" "$REF/file_server" --events "$TMP/srv.ev" --bind 127.0.0.1 \
		    "$PORT" "$file" >"$TMP/srv.out" 2>"$TMP/srv.err" &
	elif [ "$kind" = raw ]; then
		rss_run "$TMP/srv.rss" "$REF/file_server" --bind 127.0.0.1 \
		    "$PORT" "$file" >"$TMP/srv.out" 2>"$TMP/srv.err" &
	else
		rss_run "$TMP/srv.rss" "$NC" -N -l 127.0.0.1 "$PORT" <"$file" \
		    >"$TMP/srv.out" 2>"$TMP/srv.err" &
	fi
	sp=$!
	PIDS=$sp
	if ! wait_listen "$PORT"; then
		echo "bench-ref: $kind server did not listen on $PORT" >&2
		kill_tree "$sp"
		wait "$sp"
		PIDS=
		RUN_OK=0
		return
	fi
	if [ "$kind" = ref ]; then
		rss_run "$TMP/cli.rss" "$REF/file_client" --events "$TMP/cli.ev" 127.0.0.1 "$PORT" \
		    "$out" </dev/null >/dev/null 2>"$TMP/cli.err"
	elif [ "$kind" = raw ]; then
		rss_run "$TMP/cli.rss" "$REF/file_client" 127.0.0.1 "$PORT" \
		    "$out" </dev/null >/dev/null 2>"$TMP/cli.err"
	else
		rss_run "$TMP/cli.rss" "$NC" -d -w 60 127.0.0.1 "$PORT" >"$out" 2>"$TMP/cli.err"
	fi
	crc=$?
	wait "$sp"
	src=$?
	t1=$(now_ns)
	PIDS=
	RUN_NS=$((t1 - t0))
	read -r RUN_SRV_KB RUN_SRV_CPU <"$TMP/srv.rss" 2>/dev/null || RUN_SRV_KB=n/a RUN_SRV_CPU=n/a
	read -r RUN_CLI_KB RUN_CLI_CPU <"$TMP/cli.rss" 2>/dev/null || RUN_CLI_KB=n/a RUN_CLI_CPU=n/a
	RUN_OK=1
	if [ $crc -ne 0 ] || [ $src -ne 0 ]; then
		echo "bench-ref: $kind: exit server $src, client $crc" >&2
		sed 's/^/  server: /' "$TMP/srv.err" >&2
		sed 's/^/  client: /' "$TMP/cli.err" >&2
		RUN_OK=0
	fi
	if ! cmp -s "$file" "$out"; then
		echo "bench-ref: $kind: the received file differs from the original" >&2
		RUN_OK=0
	fi
	if [ "$kind" = ref ]; then
		[ "$(cat "$TMP/srv.out")" = "Thank you" ] || {
			echo "bench-ref: ref: file_server did not print the reply" >&2
			RUN_OK=0
		}
		# the digests in the peers' summaries must be the file's
		for side in srv cli; do
			key=xxh128_out
			[ $side = cli ] && key=xxh128_in
			d=$(sed -n "s/.*\"ev\":\"summary\".*\"$key\":\"\([0-9a-f]*\)\".*/\1/p" "$TMP/$side.ev")
			if [ "$d" != "$FILE_DIGEST" ]; then
				echo "bench-ref: ref: $side $key '$d' is not the file's $FILE_DIGEST" >&2
				RUN_OK=0
			fi
		done
	fi
	rm -f "$out"
}

mibs() { # NS MIB -> MiB/s
	awk -v ns="$1" -v m="$2" 'BEGIN { printf "%.1f", m / (ns / 1e9) }'
}
median() { # numbers on stdin (others ignored) -> median
	grep -E '^[0-9]+(\.[0-9]+)?$' | sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "n/a"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# One line of the per-run table.
row() { # RUN KIND
	awk -v i="$1" -v k="$2" -v ns="$RUN_NS" -v r="$(mibs "$RUN_NS" "$RUN_MIB")" \
	    -v s="$RUN_SRV_KB" -v c="$RUN_CLI_KB" -v sc="$RUN_SRV_CPU" -v cc="$RUN_CLI_CPU" \
	    -v m="$RUN_MIB" -v l="$(cut -d' ' -f1 /proc/loadavg)" -v ok="$RUN_OK" 'BEGIN {
		printf "%3s %-4s %5d %8.3f %8s %10s %10s %8s %8s %6s  %s\n", i, k, m, ns / 1e9, r, s, c,
		    sc, cc, l, ok ? "yes" : "NO" }'
}

BIG=$TMP/payload-$MIB
SMALL=$TMP/payload-$SMALL_MIB
echo "bench-ref: writing a $MIB MiB file of random bytes in $TMP" >&2
make_file "$BIG" "$MIB"
FILE_DIGEST=$(xxhsum -q -H2 "$BIG" | cut -d' ' -f1)
cat "$BIG" >/dev/null	# in the page cache for every run alike

REPORT=$TMP/report
{
	echo "# bench-ref: reference file_server/file_client vs OpenBSD nc over 127.0.0.1"
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "machine: $(nproc) cores, $(uname -srm), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
	echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "file: $MIB MiB from /dev/urandom, XXH3-128 $FILE_DIGEST (xxhsum -H2)"
	echo "netcat: $("$NC" -h 2>&1 | head -n 1): nc -N -l 127.0.0.1 PORT <FILE, nc -d -w 60 127.0.0.1 PORT >OUT"
	echo "reference: file_server --events LOG --bind 127.0.0.1 PORT FILE, file_client --events LOG 127.0.0.1 PORT OUT"
	echo "  (with the event log, as the harness runs them; each side takes the XXH3-128 of the stream)"
	echo "measured: wall time from the server's start to both sides' end; peak RSS and CPU"
	echo "  (user + system) of each side by $RSS_HOW"
	echo "checked: every received file (cmp), the reply, the digests in both event logs"
	echo
	echo "run kind   MiB  seconds    MiB/s srv_RSS_KiB cli_RSS_KiB srv_CPU_s cli_CPU_s load1  ok"
} >"$REPORT"
head -n 1 "$REPORT" >&2
tail -n 1 "$REPORT" >&2

fail=0
: >"$TMP/res"
RUN_MIB=$MIB
n=1
while [ $n -le "$REPS" ]; do
	# alternate the order: ref first on odd runs, nc first on even ones
	if [ $((n % 2)) -eq 1 ]; then order="ref raw nc"; else order="nc raw ref"; fi
	for kind in $order; do
		[ "$kind" = nc ] && [ $have_nc -eq 0 ] && continue
		run_one "$kind" "$BIG"
		[ $RUN_OK -eq 1 ] || fail=1
		row "$n" "$kind" | tee -a "$REPORT" >&2
		[ $RUN_OK -eq 1 ] && echo "$kind $(mibs "$RUN_NS" "$MIB") $RUN_SRV_KB $RUN_CLI_KB" \
		    "$RUN_SRV_CPU $RUN_CLI_CPU" >>"$TMP/res"
	done
	n=$((n + 1))
done

col() { awk -v k="$1" -v c="$2" '$1 == k { print $c }' "$3" | median; }
REF_MIBS=$(col ref 2 "$TMP/res")
NC_MIBS=$(col nc 2 "$TMP/res")
REF_SRV=$(col ref 3 "$TMP/res")
REF_CLI=$(col ref 4 "$TMP/res")
NC_SRV=$(col nc 3 "$TMP/res")
NC_CLI=$(col nc 4 "$TMP/res")
REF_SCPU=$(col ref 5 "$TMP/res")
REF_CCPU=$(col ref 6 "$TMP/res")
NC_SCPU=$(col nc 5 "$TMP/res")
NC_CCPU=$(col nc 6 "$TMP/res")
RATIO=$(awk -v a="$REF_MIBS" -v b="$NC_MIBS" 'BEGIN {
	if (b + 0 > 0 && a + 0 > 0) printf "%.2f", a / b; else print "n/a" }')
RAW_MIBS=$(col raw 2 "$TMP/res")
RAW_RATIO=$(awk -v a="$RAW_MIBS" -v b="$NC_MIBS" 'BEGIN {
	if (b + 0 > 0 && a + 0 > 0) printf "%.2f", a / b; else print "n/a" }')

# Memory constancy: the same pair with a small file; RSS must not grow with the size.
echo "bench-ref: memory constancy, $SMALL_MIB MiB vs $MIB MiB" >&2
make_file "$SMALL" "$SMALL_MIB"
SAVED_DIGEST=$FILE_DIGEST
FILE_DIGEST=$(xxhsum -q -H2 "$SMALL" | cut -d' ' -f1)
RUN_MIB=$SMALL_MIB
: >"$TMP/small"
n=1
while [ $n -le "$REPS" ]; do
	run_one ref "$SMALL"
	[ $RUN_OK -eq 1 ] || fail=1
	row "m$n" ref | tee -a "$REPORT" >&2
	[ $RUN_OK -eq 1 ] && echo "ref $RUN_SRV_KB $RUN_CLI_KB" >>"$TMP/small"
	n=$((n + 1))
done
FILE_DIGEST=$SAVED_DIGEST
SM_SRV=$(col ref 2 "$TMP/small")
SM_CLI=$(col ref 3 "$TMP/small")
GROWTH=$(awk -v a="$SM_SRV" -v b="$REF_SRV" -v c="$SM_CLI" -v d="$REF_CLI" 'BEGIN {
	if (a + 0 > 0 && c + 0 > 0) printf "server %+d KiB, client %+d KiB", b - a, d - c; else print "n/a" }')

{
	echo
	echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "median MiB/s: reference $REF_MIBS, nc $NC_MIBS; ratio reference/nc $RATIO"
	echo "median MiB/s without event logs (no digests): reference $RAW_MIBS; ratio to nc $RAW_RATIO"
	echo "median peak RSS KiB: reference server $REF_SRV, client $REF_CLI; nc server $NC_SRV, client $NC_CLI"
	echo "median CPU seconds: reference server $REF_SCPU, client $REF_CCPU; nc server $NC_SCPU, client $NC_CCPU"
	echo "memory constancy (reference, median peak RSS KiB): $SMALL_MIB MiB file: server $SM_SRV," \
	    "client $SM_CLI; $MIB MiB file: server $REF_SRV, client $REF_CLI ($GROWTH)"
	[ $fail -eq 0 ] || echo "SOME RUNS FAILED (see above)"
} >>"$REPORT"
cp "$REPORT" "$OUTF"
tail -n 6 "$REPORT" >&2
echo "bench-ref: reference $REF_MIBS MiB/s with --events (ratio $RATIO), $RAW_MIBS without" \
    "(ratio $RAW_RATIO), nc $NC_MIBS MiB/s; peak RSS KiB" \
    "server/client: reference $REF_SRV/$REF_CLI, nc $NC_SRV/$NC_CLI; reference at $SMALL_MIB MiB" \
    "$SM_SRV/$SM_CLI; full figures: $OUTF"
exit $fail
