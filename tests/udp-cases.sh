#!/bin/sh
# The udp.* cases end to end: the whole UDP suite on the correct fixture
# (its time is printed as a figure, not asserted), and protocol mismatch:
# a UDP program given as a TCP one (the finder's line, fnd.c) and the
# reverse (run_finish.c, in the finder's words) are skipped with one line
# naming it, not failed case by case.
# Usage: sh tests/udp-cases.sh BUILD
set -u
BUILD=${1:-build}
if [ -z "${UDP_CASES_BOUNDED:-}" ]; then
	UDP_CASES_BOUNDED=1 exec timeout -k 10 300 sh "$0" "$@"
fi
SC=$BUILD/sockcheck
T=$(mktemp -d "${TMPDIR:-/tmp}/udp-cases.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
N=0
FAILED=0
ok() { N=$((N + 1)); echo "ok $N - $1"; }
notok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $1"; [ -f "${2:-}" ] && sed 's/^/#   /' "$2" | tail -n 20; }

start=$(date +%s.%N)
"$SC" run --only 'udp.*' --format json --report-dir "$T/correct" fixtures/correct >"$T/correct.out" 2>&1
rc=$?
end=$(date +%s.%N)
if [ "$rc" = 0 ] && python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
ids = [c["id"] for c in r["cases"]]
bad = [c["id"] for c in r["cases"] if c["verdict"] != "pass"]
sys.exit(1 if bad or len(ids) < 18 or not all(i.startswith("udp.") for i in ids) else 0)' "$T/correct/results.json"; then
	ok "the correct fixture passes every udp.* case (server and client, ::1 included)"
else
	notok "the correct fixture passes every udp.* case (exit $rc)" "$T/correct.out"
fi
echo "# figure: the UDP suite on fixtures/correct took $(echo "$end - $start" | bc) s"

# a UDP echo server and client given as the TCP ones, a TCP server as the UDP one
mkdir -p "$T/mixed"
cp fixtures/correct/udp_echo_server.c "$T/mixed/echo_server.c"
cp fixtures/correct/udp_echo_client.c "$T/mixed/echo_client.c"
cp fixtures/correct/echo_server.c "$T/mixed/udp_echo_server.c"
cp fixtures/correct/echo_client.c "$T/mixed/udp_echo_client.c"
printf 'all: echo_server echo_client udp_echo_server udp_echo_client\n%%: %%.c\n\tcc -o $@ $<\n' >"$T/mixed/Makefile"
"$SC" run --only 'echo.server.one-message,echo.client.basic-lines,udp.server.one-datagram,udp.client.basic-lines' \
	--format json --report-dir "$T/mixed-r" "$T/mixed" >"$T/mixed.out" 2>&1
q() { python3 -c '
import json, sys
r = {c["id"]: c for c in json.load(open(sys.argv[1]))["cases"]}
c = r[sys.argv[2]]
sys.exit(0 if c["verdict"] == "skip" and sys.argv[3] in c["summary"] else 1)' "$T/mixed-r/results.json" "$1" "$2"; }
for c in "echo.server.one-message|echo_server speaks UDP" \
    "echo.client.basic-lines|echo_client speaks UDP" \
    "udp.server.one-datagram|udp_echo_server speaks TCP (it used a stream socket) where UDP is expected" \
    "udp.client.basic-lines|udp_echo_client speaks TCP (it used a stream socket) where UDP is expected"; do
	id=${c%%|*} want=${c#*|}
	if q "$id" "$want"; then
		ok "$id: skipped, '$want'"
	else
		notok "$id: skipped, '$want'" "$T/mixed.out"
	fi
done
# a client that hard-codes an IPv6 server address other than ::1 (profile
# host): the case's loopback gets that address, so its datagrams reach the
# reference server inside the case (inside a network namespace only)
mkdir -p "$T/v6host"
cp fixtures/correct/udp_echo_client.c "$T/v6host/"
printf 'udp_echo_client: udp_echo_client.c\n\tcc -o $@ $<\n' >"$T/v6host/Makefile"
printf 'programs:\n  udp_echo_client:\n    host: "fd00::17"\n' >"$T/v6host/sockcheck.yaml"
"$SC" run --only 'udp.client.basic-lines' --format json --report-dir "$T/v6host-r" "$T/v6host" \
	>"$T/v6host.out" 2>&1
v=$(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["cases"][0]
print(c["verdict"], c.get("summary", "")[:80])' "$T/v6host-r/results.json" 2>/dev/null)
case $v in
pass*) ok "a client sending to fd00::17 (its host) reaches the reference server in the case" ;;
skip*namespace*) ok "# SKIP fd00::17 needs a network namespace: $v" ;;
*) notok "a client sending to fd00::17 reaches the reference server (got: $v)" "$T/v6host.out" ;;
esac
echo "# $((N - FAILED)) of $N checks passed"
[ "$FAILED" -eq 0 ]
