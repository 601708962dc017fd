#!/bin/sh
# A server stuck on its own pipes is seen as stuck at once (harness/pstall.c),
# not at the case's deadline: ncat -l -k -e /bin/cat relays each client
# through cat's pipes, and in echo.server.slow-reader it writes into cat's
# full input while cat writes into its full output, which only ncat reads.
# When it is stuck the verdict is a fail and the diagnosis must name the pipes.
# Skipped (ok, with a note) without ncat (Debian: ncat, .ci/install-deps).
# Usage: sh tests/stall-pipes.sh BUILD
set -u
BUILD=${1:-build}
if [ -z "${STALL_PIPES_BOUNDED:-}" ]; then
	STALL_PIPES_BOUNDED=1 exec timeout -k 10 200 sh "$0" "$@"
fi
NCAT=$(command -v ncat) || { echo "ok 1 - # SKIP ncat is not installed"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/stall-pipes.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
mkdir "$T/sub"
cat >"$T/sub/sockcheck.yaml" <<EOY
build: "true"
programs:
  echo_server:
    command: "$NCAT -l -k -e /bin/cat {port}"
EOY
# Whether ncat gets stuck is its own race (cat's pipes fill only when ncat
# falls behind; about 4 runs in 10 it relays all 4 MiB and the case passes,
# rightly). So: up to 8 runs; every failed run must name the pipes, and one
# must get stuck (all 8 passing: about 1 in 1,500 if 4 in 10 pass).
n=0
while [ $n -lt 8 ]; do
	n=$((n + 1))
	rm -rf "$T/r"
	"$BUILD/sockcheck" run --only echo.server.slow-reader --format json --report-dir "$T/r" \
		"$T/sub" >"$T/out" 2>&1
	python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["cases"][0]
text = json.dumps(c)
if c["verdict"] == "pass":
    sys.exit(2)          # ncat relayed it all this time
sys.exit(0 if c["verdict"] == "fail" and "stuck on its own pipes" in text and
         "cat (pid" in text else 1)' "$T/r/results.json"
	case $? in
	0)	echo "ok 1 - ncat -e /bin/cat in echo.server.slow-reader: stuck on its own pipes, said so (run $n)"
		exit 0 ;;
	2)	continue ;;
	*)	echo "not ok 1 - ncat -e /bin/cat in echo.server.slow-reader: failed, the pipes not named (run $n)"
		sed 's/^/#   /' "$T/out" | tail -n 30
		exit 1 ;;
	esac
done
echo "not ok 1 - ncat -e /bin/cat in echo.server.slow-reader: never stuck in $n runs"
exit 1
