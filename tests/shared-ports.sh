#!/bin/sh
# Without a network namespace (--no-netns) the cases share the machine's
# ports, and the machine's state is never the program's fault. A server with
# its port fixed in the source (fixtures/variants/fs-fixed-port-argv-file, on
# a port of its own here) and that port left in TIME-WAIT by a program that
# did not set SO_REUSEADDR: its bind() fails with EADDRINUSE whatever sockcheck
# does, and the case is an error that names the port, why and what to do,
# not a failure ("never listened"). Then, the TIME-WAIT of sockcheck's own
# cases: run back to back, they all pass (SO_REUSEADDR from the preload
# library; each case left the port in TIME-WAIT for the next).
# Usage: sh tests/shared-ports.sh [BUILD_DIR]
set -u
BUILD=${1:-build}
SC=$(cd "$BUILD" && pwd)/sockcheck
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sockcheck-ports.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
port=$((20000 + $$ % 20000))
mkdir -p "$tmp/sub"
cp fixtures/variants/fs-fixed-port-argv-file/file_server.c \
    fixtures/variants/fs-fixed-port-argv-file/Makefile "$tmp/sub/"
sed -i "s/^#define PORT 9090\$/#define PORT $port/" "$tmp/sub/file_server.c"
grep -q "^#define PORT $port\$" "$tmp/sub/file_server.c" || { echo "not ok - the port did not change"; exit 1; }
verdicts() {
	python3 -c 'import json,sys
for c in json.load(open(sys.argv[1]))["cases"]:
    print(c["id"], c["verdict"], c.get("summary") or "")' "$1"
}

# how it is run, as the convention finder finds it (the finder itself waits
# out a TIME-WAIT that is not sockcheck's): the case alone is tried first
printf 'programs:\n  file_server:\n    command: "./file_server {file}"\n    port: %s\n' "$port" \
    >"$tmp/sub/sockcheck.yaml"

# 1. TIME-WAIT on the port from a program without SO_REUSEADDR (it closes first)
python3 - "$port" <<'PY' || { echo "not ok - could not leave the port in TIME-WAIT"; exit 1; }
import socket, sys
port = int(sys.argv[1])
s = socket.socket()
s.bind(("127.0.0.1", port))
s.listen(1)
c = socket.create_connection(("127.0.0.1", port))
a, _ = s.accept()
a.close()          # the server closes first: its side goes to TIME-WAIT
c.recv(1)
c.close()
s.close()
PY
"$SC" run --no-netns --no-finder --only 'file.server.text' --report-dir "$tmp/tw" --format json \
    "$tmp/sub" >/dev/null 2>&1
got=$(verdicts "$tmp/tw/results.json")
case $got in
"file.server.text error could not run the case here: port $port was in use"*"EADDRINUSE"*"TIME-WAIT"*"sockcheck doctor"*)
	echo "ok - a port left in TIME-WAIT by another program: an error naming it, not a failure" ;;
*)	echo "not ok - a port left in TIME-WAIT by another program: $got"; fail=1 ;;
esac

# 2. sockcheck's own cases back to back, on another port (the first one's
# TIME-WAIT lasts a minute): each leaves it in TIME-WAIT for the next
port=$((port + 1))
sed -i "s/^#define PORT .*/#define PORT $port/" "$tmp/sub/file_server.c"
sed -i "s/^    port: .*/    port: $port/" "$tmp/sub/sockcheck.yaml"
"$SC" run --no-netns --only 'file.server.text,file.server.empty-file,file.server.binary-nul' \
    --report-dir "$tmp/b2b" --format json "$tmp/sub" >/dev/null 2>&1
got=$(verdicts "$tmp/b2b/results.json" | cut -d' ' -f1,2 | tr '\n' ' ')
case $got in
"file.server.binary-nul pass file.server.empty-file pass file.server.text pass ")
	echo "ok - fixed-port cases back to back without namespaces: $got" ;;
*)	echo "not ok - fixed-port cases back to back without namespaces: $got"; fail=1 ;;
esac
exit $fail
