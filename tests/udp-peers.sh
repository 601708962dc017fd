#!/bin/sh
# The UDP reference peers (udp_echo_server, udp_echo_client) against each
# other, against OpenBSD nc -u and against socat: every fault flag is
# checked from the OTHER side's event log, so a flag that does nothing
# fails here. Loopback only (127.0.0.1, ::1), free ports picked at random,
# every command under `timeout`.
# Usage: sh tests/udp-peers.sh BUILD      One `ok`/`not ok` line per check.
BUILD=${1:-build}
if [ -z "${UDP_PEERS_BOUNDED:-}" ]; then
	UDP_PEERS_BOUNDED=1 exec timeout -k 10 120 sh "$0" "$@"
fi
R=$BUILD/reference
for p in udp_echo_server udp_echo_client; do
	[ -x "$R/$p" ] || { echo "not ok - $R/$p not built"; exit 1; }
done
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
NC=/usr/bin/nc
SOCAT=$(command -v socat)
T=$(mktemp -d "${TMPDIR:-/tmp}/udp-peers.XXXXXX") || exit 1
PIDS=
FAILED=0
N=0

. "$(dirname "$0")/peers-lib.sh"

# cli TAG ARGS...: udp_echo_client in the foreground; exit status in CRC.
cli() {
	tag=$1
	shift
	timeout 30 "$R/udp_echo_client" --events "$T/$tag.ev" "$@" >"$T/$tag.out" 2>"$T/$tag.err" </dev/null
	CRC=$?
}

# ---------------------------------------------------------------------------
# Plain exchanges
srv s1 udp_echo_server PORT || fatal
cli c1 --sizes 0,1,29,30,31,1023,1024,1025,65507 127.0.0.1 "$P"
check "every size comes back whole (0 to 65507 bytes), from the server's port; exit 0" \
	'[ "$CRC" = 0 ] && qt "$T/c1.ev" "len(ev(\"reply\", same=True, from_ok=True)) == 9 and [e[\"n\"] for e in ev(\"reply\")] == [0,1,29,30,31,1023,1024,1025,65507]"' "$T/c1.ev" "$T/c1.err"
check "the server logs each datagram in and out with sizes and addresses" \
	'qt "$T/s1.ev" "[e[\"n\"] for e in ev(\"dgram_in\")] == [0,1,29,30,31,1023,1024,1025,65507] and all(e[\"to\"] == \"127.0.0.1\" and e[\"kind\"] == \"reply\" for e in ev(\"dgram_out\")) and one(\"listen\")[\"proto\"] == \"udp\""' "$T/s1.ev"
printf 'one line\nand another\n' | timeout 10 "$R/udp_echo_client" 127.0.0.1 "$P" >"$T/c2.out" 2>"$T/c2.err"
check "line mode: each line one datagram, each reply printed" \
	'[ "$(cat "$T/c2.out")" = "$(printf "one line\nand another")" ]' "$T/c2.err"
cli c3 --sizes 100x3 --burst --connect 127.0.0.1 "$P"
check "--burst --connect: three sent first, three replies in order" \
	'[ "$CRC" = 0 ] && qt "$T/c3.ev" "len(ev(\"reply\", same=True)) == 3 and one(\"connect\")[\"proto\"] == \"udp\" and [e[\"ev\"] for e in E if e[\"ev\"] in (\"dgram_out\", \"reply\")][:3] == [\"dgram_out\"] * 3"' "$T/c3.ev"
cli c4 --sizes 10x2 --no-reply-wait 127.0.0.1 "$P"
check "--no-reply-wait: sent, nothing awaited, exit 0" \
	'[ "$CRC" = 0 ] && qt "$T/c4.ev" "len(ev(\"dgram_out\")) == 2 and not ev(\"reply\") and not ev(\"lost\")"' "$T/c4.ev"
srv_stop

# ---------------------------------------------------------------------------
# Fault flags of the server, each seen by the client
srv s5 udp_echo_server --drop 2 PORT || fatal
cli c5 --reply-timeout-ms 300 --sizes 50x3 127.0.0.1 "$P"
check "--drop 2: the client sees datagram 2 lost, the others answered; exit 1" \
	'[ "$CRC" = 1 ] && qt "$T/c5.ev" "[e[\"i\"] for e in ev(\"lost\")] == [2] and len(ev(\"reply\", same=True)) == 2" && qt "$T/s5.ev" "one(\"dgram_drop\")[\"i\"] == 2"' "$T/c5.ev" "$T/s5.ev"
srv_stop
srv s6 udp_echo_server --duplicate 1 PORT || fatal
cli c6 --sizes 40,40 --reply-timeout-ms 300 127.0.0.1 "$P"
check "--duplicate 1: the second reply the client sees is the first one again" \
	'[ "$CRC" = 1 ] && qt "$T/c6.ev" "one(\"reply\", i=1)[\"same\"] and not one(\"reply\", i=2)[\"same\"]" && qt "$T/s6.ev" "len(ev(\"dgram_out\", kind=\"duplicate\")) == 1"' "$T/c6.ev"
srv_stop
srv s7 udp_echo_server --reorder 1 PORT || fatal
cli c7 --sizes 10,20 --burst 127.0.0.1 "$P"
check "--reorder 1: the reply to datagram 2 arrives first" \
	'[ "$CRC" = 1 ] && qt "$T/c7.ev" "[e[\"n\"] for e in ev(\"dgram_in\")] == [20, 10]"' "$T/c7.ev" "$T/s7.ev"
srv_stop
srv s8 udp_echo_server --delay-ms 400 PORT || fatal
cli c8 --sizes 10 --reply-timeout-ms 150 127.0.0.1 "$P"
CRC8=$CRC
cli c8b --sizes 10 --reply-timeout-ms 2000 127.0.0.1 "$P"
# (measured by the client from just before its send to the kernel's arrival
# stamp of the reply: neither depends on when the client got a CPU; the log
# times did: a client preempted between its send and the dgram_out event
# logged less than 400 ms, and one starved before its poll() saw the late
# reply as in time)
check "--delay-ms 400: lost for a 150 ms timeout, answered after >= 400 ms for 2000 ms" \
	'[ "$CRC8" = 1 ] && [ "$CRC" = 0 ] && qt "$T/c8.ev" "one(\"lost\", i=1)[\"ms\"] == 150 and not ev(\"reply\")" && qt "$T/c8b.ev" "one(\"reply\", i=1)[\"after_us\"] >= 400000 and one(\"reply\", i=1)[\"same\"]"' "$T/c8.ev" "$T/c8b.ev"
srv_stop
srv s9 udp_echo_server --truncate 30 PORT || fatal
cli c9 --sizes 100 127.0.0.1 "$P"
check "--truncate 30: a reply of 30 of 100 bytes, a prefix of what was sent" \
	'[ "$CRC" = 1 ] && qt "$T/c9.ev" "one(\"reply\")[\"n\"] == 30 and one(\"reply\")[\"prefix\"] and not one(\"reply\")[\"same\"]"' "$T/c9.ev"
srv_stop
srv s10 udp_echo_server --mangle PORT || fatal
cli c10 --sizes 64 127.0.0.1 "$P"
check "--mangle: same length, different bytes" \
	'[ "$CRC" = 1 ] && qt "$T/c10.ev" "one(\"reply\")[\"n\"] == 64 and one(\"reply\")[\"diff_off\"] >= 0"' "$T/c10.ev"
srv_stop
srv s11 udp_echo_server --other-port PORT || fatal
cli c11 --sizes 10 127.0.0.1 "$P"
CRC11=$CRC
cli c11b --sizes 10 --connect --reply-timeout-ms 300 127.0.0.1 "$P"
check "--other-port: the reply comes from another port; a connect()ed client never sees it" \
	'[ "$CRC11" = 1 ] && qt "$T/c11.ev" "one(\"reply\")[\"same\"] and not one(\"reply\")[\"from_ok\"] and one(\"dgram_in\")[\"port\"] != $P" && [ "$CRC" = 1 ] && qt "$T/c11b.ev" "len(ev(\"lost\")) == 1"' "$T/c11.ev" "$T/c11b.ev"
srv_stop
srv s12 udp_echo_server --unasked 2 PORT || fatal
cli c12 --sizes 10 --reply-timeout-ms 300 127.0.0.1 "$P"
check "--unasked 2: two datagrams nobody asked for arrive before the reply" \
	'[ "$CRC" = 1 ] && qt "$T/s12.ev" "len(ev(\"dgram_out\", kind=\"unasked\")) == 2" && qt "$T/c12.ev" "not one(\"reply\")[\"same\"]"' "$T/c12.ev" "$T/s12.ev"
srv_stop
srv s12b udp_echo_server --catch-tcp PORT || fatal
printf 'a TCP client\n' | timeout 10 "$NC" -N 127.0.0.1 "$P" >"$T/nc12b.out" 2>"$T/nc12b.err"
cli c12b --sizes 10 127.0.0.1 "$P"
check "--catch-tcp: a TCP client on the same port is logged (tcp_accept) and let go; UDP still served" \
	'[ "$CRC" = 0 ] && qt "$T/s12b.ev" "len(ev(\"tcp_accept\")) == 1 and one(\"tcp_accept\")[\"addr\"] in (\"127.0.0.1\", \"::ffff:127.0.0.1\")"' "$T/s12b.ev" "$T/nc12b.err"
srv_stop
srv s13 udp_echo_server --max-datagrams 3 PORT || fatal
cli c13 --sizes 5x3 127.0.0.1 "$P"
srv_wait
check "--max-datagrams 3: three answered, then the server exits 0" \
	'[ "$CRC" = 0 ] && [ "$SRC" = 0 ] && qt "$T/s13.ev" "one(\"end\")[\"status\"] == 0"' "$T/s13.err"

# ---------------------------------------------------------------------------
# Other programs: OpenBSD nc -u and socat
srv s14 udp_echo_server PORT || fatal
printf 'hello over udp\n' | timeout 10 "$NC" -u -w 1 127.0.0.1 "$P" >"$T/nc14.out" 2>"$T/nc14.err"
check "nc -u against udp_echo_server: the line comes back" \
	'[ "$(cat "$T/nc14.out")" = "hello over udp" ] && qt "$T/s14.ev" "one(\"dgram_in\")[\"n\"] == 15"' "$T/nc14.err" "$T/s14.ev"
if [ -n "$SOCAT" ]; then
	printf 'hello socat\n' | timeout 10 "$SOCAT" -t 1 - "UDP:127.0.0.1:$P" >"$T/so15.out" 2>"$T/so15.err"
	check "socat UDP: against udp_echo_server: the line comes back" \
		'[ "$(cat "$T/so15.out")" = "hello socat" ]' "$T/so15.err"
fi
srv_stop
P=$(freeport udp)
timeout 10 "$NC" -u -l 127.0.0.1 "$P" >"$T/nc16.out" 2>"$T/nc16.err" &
NPID=$!
PIDS="$PIDS $NPID"
sleep 0.3
cli c16 --sizes 12 --no-reply-wait 127.0.0.1 "$P"
sleep 0.3
kill "$NPID" 2>/dev/null
wait "$NPID" 2>/dev/null
check "udp_echo_client --no-reply-wait to nc -u -l: nc received the 12 bytes" \
	'[ "$CRC" = 0 ] && [ "$(wc -c <"$T/nc16.out")" -eq 12 ]' "$T/nc16.err"
if [ -n "$SOCAT" ]; then
	P=$(freeport udp)
	timeout 20 "$SOCAT" "UDP-LISTEN:$P,fork,reuseaddr" EXEC:cat >"$T/so17.out" 2>"$T/so17.err" &
	SO=$!
	PIDS="$PIDS $SO"
	sleep 0.3
	cli c17 --sizes 5,500,5000 127.0.0.1 "$P"
	kill "$SO" 2>/dev/null
	check "udp_echo_client against a socat UDP echo: every datagram verified" \
		'[ "$CRC" = 0 ] && qt "$T/c17.ev" "len(ev(\"reply\", same=True, from_ok=True)) == 3"' "$T/c17.ev" "$T/so17.err"
fi

# ---------------------------------------------------------------------------
# IPv6 ::1
if "$PY" -c 'import socket; s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' 2>/dev/null; then
	srv s18 udp_echo_server --bind ::1 PORT || fatal
	cli c18 --sizes 10,65000 ::1 "$P"
	check "IPv6: udp_echo_server --bind ::1, udp_echo_client ::1; datagrams from ::1" \
		'[ "$CRC" = 0 ] && qt "$T/s18.ev" "one(\"dgram_in\")[\"from\"] == \"::1\" and one(\"listen\")[\"addr\"] == \"::1\""' "$T/s18.ev" "$T/c18.err"
	cli c18b --sizes 10 --reply-timeout-ms 300 127.0.0.1 "$P"
	check "IPv6: a server bound to ::1 only does not answer 127.0.0.1" '[ "$CRC" = 1 ]' "$T/c18b.ev"
	srv_stop
	srv s19 udp_echo_server PORT || fatal
	cli c19 --sizes 10 ::1 "$P"
	CRC19=$CRC
	cli c19b --sizes 10 127.0.0.1 "$P"
	printf 'nc over v6\n' | timeout 10 "$NC" -6 -u -w 1 ::1 "$P" >"$T/nc19.out" 2>"$T/nc19.err"
	check "IPv6: the default (dual-stack) server answers ::1, 127.0.0.1 and nc -6 -u" \
		'[ "$CRC19" = 0 ] && [ "$CRC" = 0 ] && [ "$(cat "$T/nc19.out")" = "nc over v6" ] && qt "$T/s19.ev" "[e[\"from\"] for e in ev(\"dgram_in\")] == [\"::1\", \"127.0.0.1\", \"::1\"]"' "$T/s19.ev"
	srv_stop
else
	N=$((N + 1)); echo "ok $N - # SKIP IPv6 ::1 unavailable"
fi

# ---------------------------------------------------------------------------
# Bad usage: exit 2 and a message naming the problem
bad() {
	prog=$1 want=$2
	shift 2
	timeout 5 "$R/$prog" "$@" >/dev/null 2>"$T/bad.err"
	rc=$?
	if [ "$rc" = 2 ] && grep -q -- "$want" "$T/bad.err"; then
		ok "$prog $*: exit 2, names '$want'"
	else
		notok "$prog $*: exit $rc (want 2), stderr should name '$want'" "$T/bad.err"
	fi
}
P=$(freeport udp)
bad udp_echo_server "needs PORT"
bad udp_echo_server "70000" 70000
bad udp_echo_server "--chunk" --chunk 5 "$P"
bad udp_echo_server "--truncate" --truncate 70000 "$P"
bad udp_echo_server "300.1.1.1" --bind 300.1.1.1 "$P"
bad udp_echo_client "--sizes" --sizes 70000 127.0.0.1 "$P"
bad udp_echo_client "--sizes" --sizes 10, 127.0.0.1 "$P"
bad udp_echo_client "--sizes" --sizes 10x0 127.0.0.1 "$P"
bad udp_echo_client "--drop" --drop 1 127.0.0.1 "$P"
bad udp_echo_client "localhost" localhost "$P"
bad udp_echo_client "IP and PORT" 127.0.0.1
for prog in udp_echo_server udp_echo_client; do
	check "$prog --help: usage on stdout, exit 0" \
		'timeout 5 "$R/$prog" --help >"$T/help.out" 2>&1 && grep -q "usage: $prog" "$T/help.out"' "$T/help.out"
done

echo "# $((N - FAILED)) of $N checks passed"
[ "$FAILED" -eq 0 ]
