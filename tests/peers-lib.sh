# Shared by tests/ref-peers.sh (TCP) and tests/udp-peers.sh (UDP): sourced,
# not run. The caller sets BUILD's R (the reference programs), T (scratch),
# PY (python3), PIDS, N and FAILED, then sources this file. It gives:
#   cleanup (trap on EXIT: kills PIDS, removes T), q/qt (event-log queries),
#   ok/notok/check/fatal (TAP lines), freeport [tcp|udp], wait_for,
#   srv TAG PROG ARGS... (a reference server on a free port), srv_stop,
#   srv_wait.

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

# Event-log queries: q LOG EXPR prints EXPR over the events E of LOG;
# qt LOG EXPR succeeds when EXPR is true. ev(name, key=value...) filters,
# one(...) is the first match or {}; reads() the sizes of the `read`
# events, errs() the errors of read_error/write_error, dec(s) the bytes a
# string of the log stands for (reference/jsonio.h). Every line must be
# valid JSON.
PYQ='import json, sys
E = []
with open(sys.argv[1], encoding="utf-8") as f:
    for l in f:
        if l.strip():
            E.append(json.loads(l))
def ev(name, **kw):
    return [e for e in E if e["ev"] == name and all(e.get(k) == v for k, v in kw.items())]
def one(name, **kw):
    r = ev(name, **kw)
    return r[0] if r else {}
def reads(): return [e["n"] for e in ev("read")]
def errs(): return [e.get("error") for e in E if e["ev"] in ("read_error", "write_error")]
def dec(s):
    return b"".join(bytes([ord(c) & 0xFF]) if 0x10FF80 <= ord(c) <= 0x10FFFF
                    else c.encode("utf-8") for c in s)
r = eval(sys.argv[2])
if sys.argv[3:] == ["test"]:
    sys.exit(0 if r else 1)
print(r)'
q() { timeout 30 "$PY" -c "$PYQ" "$1" "$2"; }
qt() { timeout 30 "$PY" -c "$PYQ" "$1" "$2" test; }

ok() { N=$((N + 1)); printf "ok %d - %s\n" "$N" "$1"; }
notok() {
	N=$((N + 1)); FAILED=$((FAILED + 1)); printf "not ok %d - %s\n" "$N" "$1"
	shift
	for f; do
		[ -f "$f" ] && { echo "# --- $f"; tail -n 15 "$f" | sed 's/^/#   /'; }
	done
}
# check DESC 'shell condition' [files to show on failure...]
check() {
	_desc=$1 _cond=$2
	shift 2
	if eval "$_cond"; then ok "$_desc"; else notok "$_desc" "$@"; fi
}
# a server that would not start: the rest can't run
fatal() {
	notok "could not start the server ($tag: $prog)" "$T/$tag.err"
	echo "# $((N - FAILED)) of $N checks passed; stopped"
	exit 1
}

# freeport [tcp|udp]: a free port from 20000-60999 (both families, checked by binding).
freeport() {
	timeout 10 "$PY" -c 'import random, socket, sys
t = socket.SOCK_DGRAM if sys.argv[1:] == ["udp"] else socket.SOCK_STREAM
for _ in range(200):
    p = random.randint(20000, 60999)
    try:
        s = socket.socket(socket.AF_INET6, t); s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", p)); s.close()
    except OSError:
        try:
            s = socket.socket(socket.AF_INET, t); s.bind(("0.0.0.0", p)); s.close()
        except OSError:
            continue
    print(p); break' "${1:-tcp}"
}

# wait_for FILE PATTERN: up to 5 s for PATTERN to appear in FILE.
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# srv TAG PROG ARGS...: start a reference server in the background with
# --events T/TAG.ev, on a free port (UDP for udp_* programs) that replaces
# the word PORT in ARGS (and is left in $P), and wait for its `listen`
# event; a port taken meanwhile by someone else is replaced. Sets SPID.
# Output: T/TAG.out, T/TAG.err.
srv() {
	tag=$1 prog=$2
	shift 2
	for try in 1 2 3 4 5; do
		case $prog in udp_*) P=$(freeport udp) ;; *) P=$(freeport) ;; esac
		(
			n=$#
			for a; do
				[ "$a" = PORT ] && a=$P
				set -- "$@" "$a"
			done
			shift "$n"
			exec timeout 60 "$R/$prog" --events "$T/$tag.ev" "$@" >"$T/$tag.out" 2>"$T/$tag.err"
		) &
		SPID=$!
		PIDS="$PIDS $SPID"
		wait_for "$T/$tag.ev" '"ev":"listen"' && return 0
		if kill -0 "$SPID" 2>/dev/null || ! grep -q "cannot listen\|cannot bind" "$T/$tag.err"; then
			echo "# $prog did not start listening: $(cat "$T/$tag.err")"
			return 1
		fi
		wait "$SPID"
	done
	return 1
}
# srv_stop: stop the server, its status in SRC; srv_wait: wait for its own end.
srv_stop() { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; SRC=$?; }
srv_wait() { wait "$SPID"; SRC=$?; }
