#!/bin/sh
# A server stuck on its own pipes is seen as stuck at once (harness/pstall.c),
# not at the case's deadline: ncat -l -k -e /bin/cat relays each client
# through cat's pipes, and in echo.server.slow-reader it writes into cat's
# full input while cat writes into its full output, which only ncat reads.
# The verdict is a fail either way; the diagnosis must name the pipes.
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
"$BUILD/sockcheck" run --only echo.server.slow-reader --format json --report-dir "$T/r" \
	"$T/sub" >"$T/out" 2>&1
if python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["cases"][0]
text = json.dumps(c)
sys.exit(0 if c["verdict"] == "fail" and "stuck on its own pipes" in text and
         "cat (pid" in text else 1)' "$T/r/results.json"; then
	echo "ok 1 - ncat -e /bin/cat in echo.server.slow-reader: stuck on its own pipes, said so"
else
	echo "not ok 1 - ncat -e /bin/cat in echo.server.slow-reader: the pipes not named"
	sed 's/^/#   /' "$T/out" | tail -n 30
	exit 1
fi
