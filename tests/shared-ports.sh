#!/bin/sh
# Without a network namespace (--no-netns) the cases share the machine's
# ports, and the machine's state is never the program's fault. A server with
# its port fixed in the source (fixtures/variants/fs-fixed-port-argv-file, on
# a port of its own here) and that port left in TIME-WAIT by a program that
# did not set SO_REUSEADDR: its bind() fails with EADDRINUSE whatever sockcheck
# does, and the case is an error that names the port, why and what to do,
# not a failure ("never listened"). Then, the TIME-WAIT of sockcheck's own
# cases: run back to back, they all pass (SO_REUSEADDR from the preload
# library; each case left the port in TIME-WAIT for the next). And a client
# with a remote address fixed in the source (fixtures/variants/uc-lab-address,
# 192.168.56.101), which a case's namespace would give that address: without
# one, its datagrams to that address (the one the finder saw) go to the
# case's reference server on 127.0.0.1 instead, said in the report, and it
# gets root's verdicts (no skips); the library's routing checked directly
# (the reply reads as coming from the address the client used; any other
# address outside loopback is unreachable). Last, the same fixed-port server linked
# statically: no library enters it (no SO_REUSEADDR), so each case's
# TIME-WAIT would fail the next case's bind(); the runner waits it out
# (said once at the top) and the cases get root's verdicts.
# Usage: sh tests/shared-ports.sh [BUILD_DIR]
set -u
BUILD=${1:-build}
SC=$(cd "$BUILD" && pwd)/sockcheck
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sockcheck-ports.XXXXXX")
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT INT TERM
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

# 3. a remote address fixed in a client: redirected, every case as under root
cp -R fixtures/variants/uc-lab-address "$tmp/lab"
"$SC" run --no-netns --only 'udp.client.*' --report-dir "$tmp/lab-r" --format json \
    "$tmp/lab" >"$tmp/lab.out" 2>&1
got=$(verdicts "$tmp/lab-r/results.json" | cut -d' ' -f1,2 | tr '\n' ' ')
want=$(python3 -c 'import sys, yaml
v = yaml.safe_load(open(sys.argv[1]))["verdicts"]
print(" ".join("%s %s" % (k, v[k]) for k in sorted(v)) + " ")' fixtures/variants/uc-lab-address/fixture.yaml)
if [ "$got" = "$want" ]; then
	echo "ok - a remote address fixed in a client, without namespaces: root's verdicts"
else
	echo "not ok - a remote address fixed in a client, without namespaces:"
	echo "  got:  $got"
	echo "  want: $want"
	fail=1
fi
if grep -q 'sendto 192.168.56.101:[0-9]* redirected to 127.0.0.1:[0-9]*: no namespace' "$tmp/lab.out" &&
    python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
red = [c["redirected"] for c in r["cases"] if c.get("redirected")]
sys.exit(0 if red and all("192.168.56.101" in x and "127.0.0.1" in x for x in red) else 1)' \
    "$tmp/lab-r/results.json"; then
	echo "ok - the report says where the datagrams to 192.168.56.101 went"
else
	echo "not ok - the report does not say where the datagrams to 192.168.56.101 went:"
	head -n 5 "$tmp/lab.out"
	fail=1
fi

# the library itself (harness/preload/route.c): a datagram to the redirected
# address reaches 127.0.0.1, the reply reads as coming from that address,
# any other address outside loopback is unreachable, as in a namespace
port=$((port + 1))
got=$(SCINJECT_SHARED=1 SCINJECT_REDIRECT=192.168.56.101=127.0.0.1 SCINJECT_FD=9 \
    SCINJECT_TARGET=python3 LD_PRELOAD="$(dirname "$SC")/lib/libscinject.so" \
    python3 - "$port" 9>"$tmp/route.log" <<'PY' 2>&1
import errno, socket, sys
port = int(sys.argv[1])
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(("127.0.0.1", port))
srv.settimeout(2)
cl = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
cl.settimeout(2)
cl.sendto(b"hi", ("192.168.56.101", port))
data, peer = srv.recvfrom(100)
srv.sendto(data, peer)
data, frm = cl.recvfrom(100)
print(data.decode(), frm[0], frm[1] == port, end=" ")
try:
    cl.sendto(b"x", ("10.9.9.9", port))
    print("sent")
except OSError as e:
    print(errno.errorcode[e.errno])
PY
)
if [ "$got" = "hi 192.168.56.101 True ENETUNREACH" ] &&
    grep -q "^redirect sendto [0-9]* 192.168.56.101 $port 127.0.0.1\$" "$tmp/route.log" &&
    grep -q "^unreachable sendto [0-9]* $port 10.9.9.9\$" "$tmp/route.log"; then
	echo "ok - the library redirects the address it is told, and nothing else leaves loopback"
else
	echo "not ok - the library's routing: $got"
	grep -v '^open' "$tmp/route.log" | head -n 5
	fail=1
fi

# 4. a statically linked fixed-port server: cases back to back (one wait)
port=$((port + 1))
sed -i "s/^#define PORT .*/#define PORT $port/" "$tmp/sub/file_server.c"
sed -i "s/^    port: .*/    port: $port/" "$tmp/sub/sockcheck.yaml"
printf 'build: "cc -static -g -O0 -o file_server file_server.c"\n' >>"$tmp/sub/sockcheck.yaml"
"$SC" run --no-netns --only 'file.server.text,file.server.binary-nul' \
    --report-dir "$tmp/st" --format json "$tmp/sub" >"$tmp/st.out" 2>&1
got=$(verdicts "$tmp/st/results.json" | cut -d' ' -f1,2 | tr '\n' ' ')
if ! file -L "$tmp/st/work/build/file_server" 2>/dev/null | grep -q 'statically linked' &&
    ! grep -rq 'statically linked' "$tmp/st.out"; then
	echo "not ok - the server was not linked statically: $(head -n 3 "$tmp/st.out")"
	fail=1
elif [ "$got" = "file.server.binary-nul pass file.server.text pass " ] &&
    grep -q '^isolation: .*statically linked.*TIME-WAIT' "$tmp/st.out"; then
	echo "ok - a statically linked fixed-port server, cases back to back: $got(TIME-WAIT waited out, said at the top)"
else
	echo "not ok - a statically linked fixed-port server, cases back to back: $got"
	grep -v '^SKIP' "$tmp/st.out" | head -n 12
	fail=1
fi
exit $fail
