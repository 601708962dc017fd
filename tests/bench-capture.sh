#!/bin/sh
# The packet capture's cost (issue 16: at most 10 % of the suite's time):
# the suite on fixtures/correct with the capture and with --no-capture,
# alternated ROUNDS times in one go (the machine's load drifts; each pair
# sees about the same), the ratio of the sums, and what the captures of the
# large cases weigh. Appended to BUILD/bench/capture.txt. As root only (no
# namespace, no capture).
set -u
BUILD=${1:-build}
ROUNDS=${ROUNDS:-3}
JOBS=${JOBS:-2}
SC=$BUILD/sockcheck
mkdir -p "$BUILD/bench"
out=$BUILD/bench/capture.txt
if [ "$(id -u)" -ne 0 ]; then
	echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) skipped: the capture needs root" | tee -a "$out"
	exit 0
fi
tmp=$(mktemp -d /tmp/sockcheck-bench-capture.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

# one RUN_NAME [options]: the suite's wall time in seconds on stdout
one() {
	name=$1
	shift
	start=$(date +%s.%N)
	timeout 1200 "$SC" run --jobs "$JOBS" --report-dir "$tmp/$name" "$@" fixtures/correct \
	    >"$tmp/$name.log" 2>&1
	end=$(date +%s.%N)
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }'
}

{
	echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
	on_sum=0
	off_sum=0
	i=1
	while [ $i -le "$ROUNDS" ]; do
		# the order alternates too, so that neither always runs first
		if [ $((i % 2)) -eq 1 ]; then
			t_on=$(one on$i)
			t_off=$(one off$i --no-capture)
		else
			t_off=$(one off$i --no-capture)
			t_on=$(one on$i)
		fi
		echo "round $i: capture $t_on s, --no-capture $t_off s"
		on_sum=$(awk -v a="$on_sum" -v b="$t_on" 'BEGIN { print a + b }')
		off_sum=$(awk -v a="$off_sum" -v b="$t_off" 'BEGIN { print a + b }')
		i=$((i + 1))
	done
	awk -v on="$on_sum" -v off="$off_sum" -v n="$ROUNDS" -v j="$JOBS" 'BEGIN {
		printf "suite on fixtures/correct, --jobs %s, %d rounds: capture %.1f s, --no-capture %.1f s, overhead %+.1f %%\n",
		    j, n, on, off, (on / off - 1) * 100 }'
	# what the captures of the last captured run weigh
	python3 - "$tmp/on$ROUNDS/results.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
tot = {"seen": 0, "kept": 0, "omitted": 0, "dropped": 0}
size = 0
n = 0
for c in d["cases"]:
    k = c["capture"]
    if k["file"] is None:
        continue
    n += 1
    size += k["bytes"]
    for f in tot:
        tot[f] += k["packets"][f]
    if "large" in c["id"] or k["bytes"] > 100000:
        p = k["packets"]
        print("  %s: %d bytes, %d packets seen, %d kept, %d omitted, %d dropped" %
              (c["id"], k["bytes"], p["seen"], p["kept"], p["omitted"], p["dropped"]))
print("captures of %d cases: %d bytes in all; packets %d seen, %d kept, %d omitted, %d dropped" %
      (n, size, tot["seen"], tot["kept"], tot["omitted"], tot["dropped"]))
PY
} | tee -a "$out"
