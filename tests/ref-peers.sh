#!/bin/sh
# The reference peers against each other (and against OpenBSD nc): every
# fault flag is checked from the OTHER side's event log, so a flag that
# does nothing fails here. Loopback only (127.0.0.1, ::1), ports picked at
# random from a high range and checked free, every command under `timeout`.
# Usage: sh tests/ref-peers.sh BUILD      One `ok`/`not ok` line per check.
BUILD=${1:-build}
# the whole run is bounded too (it takes about 15 s)
if [ -z "${REF_PEERS_BOUNDED:-}" ]; then
	REF_PEERS_BOUNDED=1 exec timeout -k 10 110 sh "$0" "$@"
fi
R=$BUILD/reference
for p in echo_server echo_client file_server file_client; do
	[ -x "$R/$p" ] || { echo "not ok - $R/$p not built"; exit 1; }
done
command -v xxhsum >/dev/null 2>&1 ||
	{ echo "not ok - xxhsum not found (Debian package xxhash: sh .ci/install-deps)"; exit 1; }
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
NC=/usr/bin/nc
T=$(mktemp -d "${TMPDIR:-/tmp}/ref-peers.XXXXXX") || exit 1
PIDS=
FAILED=0
N=0

. "$(dirname "$0")/peers-lib.sh"

# cli TAG PROG ARGS...: run a reference client in the foreground, with
# --events T/TAG.ev; exit status in CRC. stdin from T/TAG.in when it exists.
cli() {
	tag=$1 prog=$2
	shift 2
	[ -f "$T/$tag.in" ] || : >"$T/$tag.in"
	timeout 60 "$R/$prog" --events "$T/$tag.ev" "$@" <"$T/$tag.in" >"$T/$tag.out" 2>"$T/$tag.err"
	CRC=$?
}

# the transfer digest (XXH3-128) by an independent tool: xxhsum -H2
digest() { xxhsum -q -H2 "$1" | cut -d" " -f1; }

# ---------------------------------------------------------------------------
# Plain file transfer: the conforming exchange, digests end to end.
srv fs0 file_server --size 1MiB --pattern binary --seed 3 PORT - || fatal
cli fc0 file_client 127.0.0.1 "$P" "$T/fc0.bin"
srv_wait
check "file transfer 1 MiB binary: both exit 0" '[ "$SRC" = 0 ] && [ "$CRC" = 0 ]' "$T/fs0.err" "$T/fc0.err"
check "file transfer: server's xxh128_out = client's xxh128_in = xxhsum -H2 of the output" \
	'd=$(digest "$T/fc0.bin"); [ "$(q "$T/fs0.ev" "one(\"summary\")[\"xxh128_out\"]")" = "$d" ] && [ "$(q "$T/fc0.ev" "one(\"summary\")[\"xxh128_in\"]")" = "$d" ]' "$T/fs0.ev"
check "file transfer: client saw EOF at 1048576, server got 'Thank you\\n' after EOF" \
	'qt "$T/fc0.ev" "one(\"eof\").get(\"off\") == 1048576" && qt "$T/fs0.ev" "one(\"reply\").get(\"text\") == \"Thank you\n\" and one(\"reply\")[\"before_eof\"] is False"' "$T/fc0.ev" "$T/fs0.ev"
check "file_server prints the reply on stdout" 'grep -qx "Thank you" "$T/fs0.out"' "$T/fs0.out"
check "every event line of both logs is JSON with t and ev; start and end present" \
	'for f in "$T/fs0.ev" "$T/fc0.ev"; do qt "$f" "all(\"t\" in e and \"ev\" in e for e in E) and E[0][\"ev\"] == \"start\" and E[-1][\"ev\"] == \"end\"" || exit 1; done' "$T/fs0.ev"

# --chunk 1 --gap-us 1000: the reader sees one byte per read (2000 bytes, ~2 s)
srv fs1 file_server --chunk 1 --gap-us 1000 --size 2000 --pattern text PORT - || fatal
cli fc1 file_client 127.0.0.1 "$P" "$T/fc1.bin"
srv_wait
# (the schedule is absolute from the connection's start: byte k leaves no
# earlier than k gaps after the peer's start event, however late the first
# write was logged on a busy machine)
check "--chunk 1 --gap-us 1000: server wrote 2000 pieces of 1 byte, each on its schedule (>= 1.999 s in all)" \
	'qt "$T/fs1.ev" "len(ev(\"write\")) == 2000 and max(e[\"n\"] for e in ev(\"write\")) == 1 and one(\"summary\")[\"bytes_out\"] == 2000 and all(e[\"t\"] - one(\"start\")[\"t\"] >= e[\"off\"] * 1000 for e in ev(\"write\"))"' "$T/fs1.ev"
check "--chunk 1 --gap-us 1000: the client made >= 500 reads, >= half the bytes came 1 to 4 at a time" \
	'qt "$T/fc1.ev" "len(reads()) >= 500 and sum(n for n in reads() if n <= 4) >= 1000 and sum(reads()) == 2000"' "$T/fc1.ev"

# --chunk 1024 --gap-us 1000 on 1 MiB (1 byte with a 1 ms gap would take 17 min)
srv fs2 file_server --chunk 1024 --gap-us 1000 --size 1MiB --pattern random --seed 5 PORT - || fatal
cli fc2 file_client 127.0.0.1 "$P" "$T/fc2.bin"
srv_wait
# (a piece can follow the one before at once: the schedule is absolute, an
# overslept gap is made up; but Nagle would merge ~40 pieces per delayed ACK)
check "--chunk 1024 --gap-us 1000 on 1 MiB: >= 300 reads, >= half the bytes in reads of <= 4 KiB (Nagle: ~5%), digests agree" \
	'qt "$T/fc2.ev" "len(reads()) >= 300 and sum(n for n in reads() if n <= 4096) >= 0.5 * 1048576 and sum(reads()) == 1048576" && [ "$(q "$T/fs2.ev" "one(\"summary\")[\"xxh128_out\"]")" = "$(digest "$T/fc2.bin")" ] && [ "$SRC" = 0 ] && [ "$CRC" = 0 ]' "$T/fc2.ev" "$T/fc2.err"

# echo_client --chunk: 100-byte pieces, each on its schedule. Counted from
# the client's writes: how many reads the server made depends on when it got
# a CPU (under load 24-26 it once read the pieces merged, < 300 reads); when
# each piece left does not (piece k no earlier than k gaps after the start).
srv es3 echo_server --max-clients 1 PORT || fatal
cli ec3 echo_client --chunk 100 --gap-us 500 --size 100KiB --pattern text 127.0.0.1 "$P"
srv_wait
check "echo_client --chunk 100 --gap-us 500: 1024 writes of 100 bytes, piece k >= k x 500 us after the start; echo_server read all 102400, echoed intact" \
	'qt "$T/ec3.ev" "len(ev(\"write\")) == 1024 and all(e[\"n\"] == 100 and e[\"t\"] - one(\"start\")[\"t\"] >= e[\"off\"] // 100 * 500 for e in ev(\"write\"))" && qt "$T/es3.ev" "sum(reads()) == 102400" && [ "$CRC" = 0 ] && [ "$SRC" = 0 ]' "$T/es3.ev" "$T/ec3.err"

# ---------------------------------------------------------------------------
# --reset-after / --close-after
srv fs4 file_server --reset-after 100000 --size 1MiB --pattern binary PORT - || fatal
cli fc4 file_client 127.0.0.1 "$P" "$T/fc4.bin"
srv_wait
check "file_server --reset-after 100000: server logged reset at off 100000" \
	'qt "$T/fs4.ev" "one(\"reset\").get(\"off\") == 100000"' "$T/fs4.ev"
check "file_server --reset-after: client got ECONNRESET, no EOF, <= 100000 bytes, exit 1" \
	'qt "$T/fc4.ev" "\"ECONNRESET\" in errs() and not ev(\"eof\") and one(\"summary\")[\"rst\"] is True and one(\"summary\")[\"bytes_in\"] <= 100000" && [ "$CRC" = 1 ]' "$T/fc4.ev" "$T/fc4.err"

srv es5 echo_server --max-clients 1 PORT || fatal
cli ec5 echo_client --reset-after 300000 --size 1MiB --pattern binary 127.0.0.1 "$P"
srv_wait
check "echo_client --reset-after 300000: client reset at 300000" \
	'qt "$T/ec5.ev" "one(\"reset\").get(\"off\") == 300000"' "$T/ec5.ev"
check "echo_client --reset-after: echo_server saw ECONNRESET" \
	'qt "$T/es5.ev" "\"ECONNRESET\" in errs() and one(\"summary\")[\"rst\"] is True"' "$T/es5.ev"

srv es6 echo_server --reset-after 5000 --max-clients 1 PORT || fatal
cli ec6 echo_client --size 64KiB --pattern text 127.0.0.1 "$P"
srv_wait
check "echo_server --reset-after 5000: echo_client saw ECONNRESET after <= 5000 bytes, exit 1" \
	'qt "$T/ec6.ev" "\"ECONNRESET\" in errs() and one(\"summary\")[\"bytes_in\"] <= 5000" && [ "$CRC" = 1 ]' "$T/ec6.ev" "$T/ec6.err"

srv fs7 file_server --close-after 12345 --size 1MiB --pattern zero PORT - || fatal
cli fc7 file_client 127.0.0.1 "$P" "$T/fc7.bin"
srv_wait
check "file_server --close-after 12345: client saw EOF at 12345 (no read error), file of 12345 bytes" \
	'qt "$T/fc7.ev" "one(\"eof\").get(\"off\") == 12345 and not ev(\"read_error\")" && [ "$(wc -c <"$T/fc7.bin")" -eq 12345 ] && qt "$T/fs7.ev" "one(\"close\").get(\"reason\") == \"close-after\""' "$T/fc7.ev" "$T/fs7.ev"

srv fs8 file_server --size 16MiB --pattern text PORT - || fatal
cli fc8 file_client --reset-after 50000 127.0.0.1 "$P" "$T/fc8.bin"
srv_wait
check "file_client --reset-after 50000: client read 50000 then reset" \
	'qt "$T/fc8.ev" "one(\"summary\")[\"bytes_in\"] == 50000 and ev(\"reset\")" && [ "$(wc -c <"$T/fc8.bin")" -eq 50000 ]' "$T/fc8.ev"
check "file_client --reset-after: file_server saw ECONNRESET (or EPIPE), sent < 16 MiB, exit 1" \
	'qt "$T/fs8.ev" "(\"ECONNRESET\" in errs() or \"EPIPE\" in errs()) and one(\"summary\")[\"bytes_out\"] < 16 << 20 and not ev(\"reply\")" && [ "$SRC" = 1 ]' "$T/fs8.ev" "$T/fs8.err"

# ---------------------------------------------------------------------------
# file_server --no-shutdown: all data, but no EOF before the client's deadline
srv fs9 file_server --no-shutdown --hold-ms 3000 --size 100KiB --pattern text PORT - || fatal
cli fc9 file_client --timeout-ms 1000 127.0.0.1 "$P" "$T/fc9.bin"
srv_wait
check "file_server --no-shutdown: client got all 102400 bytes, then timeout (eof), no EOF, exit 1" \
	'qt "$T/fc9.ev" "one(\"summary\")[\"bytes_in\"] == 102400 and one(\"timeout\").get(\"what\") == \"eof\" and not ev(\"eof\")" && [ "$CRC" = 1 ]' "$T/fc9.ev"
check "file_server --no-shutdown: no shutdown event; closed with reason hold" \
	'qt "$T/fs9.ev" "not ev(\"shutdown\") and one(\"close\").get(\"reason\") == \"hold\""' "$T/fs9.ev"

# with a client that waits longer, EOF comes only at the close, after the hold
srv fs10 file_server --no-shutdown --hold-ms 800 --size 1000 PORT - || fatal
cli fc10 file_client 127.0.0.1 "$P" "$T/fc10.bin"
srv_wait
check "file_server --no-shutdown --hold-ms 800: client's EOF >= 700 ms after its first read" \
	'qt "$T/fc10.ev" "ev(\"eof\") and one(\"eof\")[\"t\"] - ev(\"read\")[0][\"t\"] >= 700000"' "$T/fc10.ev"

# --close-instead: the reply meets an RST
srv fs11 file_server --close-instead --size 10000 PORT - || fatal
cli fc11 file_client 127.0.0.1 "$P" "$T/fc11.bin"
srv_wait
check "file_server --close-instead: server closed (reason close-instead), no shutdown" \
	'qt "$T/fs11.ev" "one(\"close\").get(\"reason\") == \"close-instead\" and not ev(\"shutdown\") and not ev(\"reply\")"' "$T/fs11.ev"
# (an RST that comes after the FIN gives EPIPE on Linux: the socket is in CLOSE_WAIT)
check "file_server --close-instead: client saw EOF, replied, and the reply met a reset" \
	'qt "$T/fc11.ev" "ev(\"eof\") and one(\"summary\")[\"bytes_out\"] == 10 and [x for x in errs() if x in (\"ECONNRESET\", \"EPIPE\")] and one(\"summary\")[\"rst\"] is True"' "$T/fc11.ev" "$T/fc11.err"

# --no-reply-wait: the server closes right after its shutdown. A client
# that replies late (300 ms after EOF) meets a reset; file_client replies
# at once, and its reply may be acknowledged before the close, so the
# reset is checked with a python client.
srv fs12 file_server --no-reply-wait --size 10000 PORT - || fatal
timeout 10 "$PY" -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
n = 0
while True:
    b = s.recv(65536)
    if not b:
        break
    n += len(b)
time.sleep(0.3)
try:
    s.sendall(b"Thank you\n")
    time.sleep(0.2)
    s.sendall(b"more")
    print(n, "no reset")
except (ConnectionResetError, BrokenPipeError):
    print(n, "reset")' "$P" >"$T/py12.out" 2>"$T/py12.err"
srv_wait
check "file_server --no-reply-wait: shutdown then close at once, no reply read, exit 0" \
	'qt "$T/fs12.ev" "ev(\"shutdown\") and not ev(\"reply\") and one(\"summary\")[\"bytes_in\"] == 0 and one(\"close\")[\"t\"] - one(\"shutdown\")[\"t\"] < 100000" && [ "$SRC" = 0 ]' "$T/fs12.ev"
check "file_server --no-reply-wait: a client replying 300 ms after EOF meets a reset" \
	'[ "$(cat "$T/py12.out")" = "10000 reset" ]' "$T/py12.out" "$T/py12.err"

# ---------------------------------------------------------------------------
# file_client replies, as file_server sees them
srv fs13 file_server --size 100KiB PORT - || fatal
cli fc13 file_client --no-reply 127.0.0.1 "$P" "$T/fc13.bin"
srv_wait
check "file_client --no-reply: file_server got EOF without a reply, exit 1" \
	'qt "$T/fs13.ev" "not ev(\"reply\") and ev(\"eof\") and one(\"summary\")[\"bytes_in\"] == 0" && [ "$SRC" = 1 ] && [ "$CRC" = 0 ] && [ ! -s "$T/fs13.out" ]' "$T/fs13.ev" "$T/fs13.err"

srv fs14 file_server --chunk 4096 --gap-us 200 --size 1MiB PORT - || fatal
cli fc14 file_client --reply-early 127.0.0.1 "$P" "$T/fc14.bin"
srv_wait
check "file_client --reply-early: file_server logged the reply with before_eof true, exit 1" \
	'qt "$T/fs14.ev" "one(\"reply\").get(\"before_eof\") is True and one(\"reply\")[\"text\"] == \"Thank you\n\"" && [ "$SRC" = 1 ]' "$T/fs14.ev" "$T/fs14.err"
check "file_client --reply-early: the reply was sent before EOF (client log)" \
	'qt "$T/fc14.ev" "ev(\"write\") and ev(\"eof\") and ev(\"write\")[0][\"t\"] < one(\"eof\")[\"t\"] and one(\"summary\")[\"bytes_out\"] == 10"' "$T/fc14.ev"

srv fs15 file_server --size 1000 PORT - || fatal
cli fc15 file_client --reply 'Thak you\n' 127.0.0.1 "$P" "$T/fc15.bin"
srv_wait
check "file_client --reply 'Thak you\\n': file_server got exactly that, printed it, exit 1" \
	'qt "$T/fs15.ev" "one(\"reply\").get(\"text\") == \"Thak you\n\" and one(\"reply\")[\"n\"] == 9" && grep -qx "Thak you" "$T/fs15.out" && [ "$SRC" = 1 ]' "$T/fs15.ev" "$T/fs15.out"

srv fs16 file_server --size 1000 PORT - || fatal
cli fc16 file_client --reply 'a\x00\xffb\t' 127.0.0.1 "$P" "$T/fc16.bin"
srv_wait
check "file_client --reply with \\x00 \\xff \\t: file_server's reply event carries every byte" \
	'qt "$T/fs16.ev" "dec(one(\"reply\").get(\"text\")) == b\"a\\x00\\xffb\\t\" and one(\"reply\")[\"n\"] == 5"' "$T/fs16.ev"

# file_client against nc: the reply seen raw by an independent program
P=$(freeport)
head -c 70000 /dev/urandom >"$T/nc17.src"
timeout 20 "$NC" -N -l 127.0.0.1 "$P" <"$T/nc17.src" >"$T/nc17.out" 2>"$T/nc17.err" &
NPID=$!
PIDS="$PIDS $NPID"
i=0
while [ $i -lt 100 ] && ! "$PY" -c 'import sys
sys.exit(0 if open("/proc/net/tcp").read().find(":%04X 00000000:0000 0A" % int(sys.argv[1])) >= 0 else 1)' "$P"; do
	sleep 0.05; i=$((i + 1))
done
cli fc17 file_client --reply 'Success!\n' 127.0.0.1 "$P" "$T/fc17.bin"
wait "$NPID"
check "file_client against nc -N -l: file intact, nc received 'Success!\\n' raw" \
	'[ "$(digest "$T/fc17.bin")" = "$(digest "$T/nc17.src")" ] && printf "Success!\n" | cmp -s - "$T/nc17.out" && [ "$CRC" = 0 ]' "$T/fc17.err" "$T/nc17.err"

# ---------------------------------------------------------------------------
# echo_server --mangle
srv es18 echo_server --mangle --max-clients 3 PORT || fatal
printf 'Hello, World 2024!\nabc xyz 09\n' >"$T/nc18.in"
timeout 10 "$NC" -N 127.0.0.1 "$P" <"$T/nc18.in" >"$T/nc18.out" 2>"$T/nc18.err"
check "echo_server --mangle via nc: same length, ROT13 letters, digits +5, rest unchanged" \
	'printf "Uryyb, Jbeyq 7579!\nnop klm 54\n" | cmp -s - "$T/nc18.out"' "$T/nc18.out" "$T/nc18.err"
printf 'line one 1\nLINE TWO 22\n' >"$T/ec18.in"
cli ec18 echo_client 127.0.0.1 "$P"
check "echo_server --mangle vs echo_client line mode: output differs, same length" \
	'! cmp -s "$T/ec18.in" "$T/ec18.out" && [ "$(wc -c <"$T/ec18.in")" -eq "$(wc -c <"$T/ec18.out")" ] && printf "yvar bar 6\nYVAR GJB 77\n" | cmp -s - "$T/ec18.out"' "$T/ec18.out" "$T/ec18.err"
cli ec18b echo_client --size 10000 --pattern text 127.0.0.1 "$P"
srv_wait
check "echo_server --mangle vs echo_client payload: mismatch event, all 10000 bytes back, exit 1" \
	'qt "$T/ec18b.ev" "ev(\"mismatch\") and one(\"summary\")[\"bytes_in\"] == 10000 and one(\"mismatch\")[\"off\"] < 100" && [ "$CRC" = 1 ]' "$T/ec18b.ev"

# ---------------------------------------------------------------------------
# echo_client payload mode: 8 MiB of binary with NULs round trips
srv es19 echo_server --max-clients 1 PORT || fatal
cli ec19 echo_client --size 8MiB --pattern binary --seed 7 127.0.0.1 "$P"
srv_wait
check "echo_client 8 MiB binary: exit 0, no mismatch, 8388608 out and in, digests equal" \
	'[ "$CRC" = 0 ] && [ "$SRC" = 0 ] && qt "$T/ec19.ev" "not ev(\"mismatch\") and one(\"summary\")[\"bytes_out\"] == 8388608 == one(\"summary\")[\"bytes_in\"] and one(\"summary\")[\"xxh128_out\"] == one(\"summary\")[\"xxh128_in\"]"' "$T/ec19.ev" "$T/ec19.err"
check "echo_client 8 MiB: echo_server's xxh128_in = xxh128_out = client's xxh128_out" \
	'd=$(q "$T/ec19.ev" "one(\"summary\")[\"xxh128_out\"]"); qt "$T/es19.ev" "one(\"summary\")[\"xxh128_in\"] == one(\"summary\")[\"xxh128_out\"] == \"$d\""' "$T/es19.ev"
# the same (pattern, seed, size) from file_server: same digest, and it holds NULs
srv fs19 file_server --size 8MiB --pattern binary --seed 7 PORT - || fatal
cli fc19 file_client 127.0.0.1 "$P" "$T/fc19.bin"
srv_wait
check "8 MiB binary seed 7 via file_server: same digest as echo_client's, >= 32768 NULs" \
	'[ "$(digest "$T/fc19.bin")" = "$(q "$T/ec19.ev" "one(\"summary\")[\"xxh128_out\"]")" ] && [ "$(tr -cd "\\000" <"$T/fc19.bin" | wc -c)" -ge 32768 ]' "$T/fc19.ev"

# echo_client line mode via nc-free path: plain echo, stdout = stdin
srv es20 echo_server --max-clients 1 PORT || fatal
printf 'first line\nsecond\n\nlast without newline' >"$T/ec20.in"
cli ec20 echo_client 127.0.0.1 "$P"
srv_wait
check "echo_client line mode against echo_server: stdout = stdin, exit 0" \
	'cmp -s "$T/ec20.in" "$T/ec20.out" && [ "$CRC" = 0 ]' "$T/ec20.out" "$T/ec20.err"

# ---------------------------------------------------------------------------
# IPv6 ::1
if "$PY" -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	srv es23 echo_server --bind ::1 --max-clients 1 PORT || fatal
	cli ec23 echo_client --size 1MiB --pattern random ::1 "$P"
	srv_wait
	check "IPv6: echo_server --bind ::1, echo_client ::1, 1 MiB round trip; accept from ::1" \
		'[ "$CRC" = 0 ] && [ "$SRC" = 0 ] && qt "$T/es23.ev" "one(\"accept\").get(\"addr\") == \"::1\" and one(\"listen\")[\"addr\"] == \"::1\""' "$T/es23.ev" "$T/ec23.err"
	srv fs24 file_server --max-clients 2 --size 100KiB PORT - || fatal
	cli fc24 file_client ::1 "$P" "$T/fc24.bin"
	CRC1=$CRC
	cli fc24b file_client 127.0.0.1 "$P" "$T/fc24b.bin"
	srv_wait
	check "IPv6: default file_server (dual stack) serves ::1 and 127.0.0.1" \
		'[ "$CRC1" = 0 ] && [ "$CRC" = 0 ] && [ "$SRC" = 0 ] && qt "$T/fs24.ev" "[e[\"addr\"] for e in ev(\"accept\")] in ([\"::1\", \"::ffff:127.0.0.1\"], [\"::1\", \"127.0.0.1\"])"' "$T/fs24.ev"
	srv es25 echo_server --bind ::1 --max-clients 1 PORT || fatal
	printf 'over IPv6\n' | timeout 10 "$NC" -N -6 ::1 "$P" >"$T/nc25.out" 2>"$T/nc25.err"
	srv_wait
	check "IPv6: nc -6 ::1 against echo_server --bind ::1" \
		'[ "$(cat "$T/nc25.out")" = "over IPv6" ] && [ "$SRC" = 0 ]' "$T/nc25.err" "$T/es25.ev"
else
	N=$((N + 1)); echo "ok $N - # SKIP IPv6 ::1 unavailable"
fi

# ---------------------------------------------------------------------------
# Other flags, each seen from the other side
srv es26 echo_server --unasked 100 --max-clients 1 PORT || fatal
cli ec26 echo_client --idle-ms 300 --expect-nothing 127.0.0.1 "$P"
srv_wait
check "echo_server --unasked 100: echo_client --idle-ms --expect-nothing saw 100 bytes, exit 1" \
	'qt "$T/ec26.ev" "one(\"idle\").get(\"n\") == 100" && [ "$CRC" = 1 ]' "$T/ec26.ev"
srv es27 echo_server --max-clients 1 PORT || fatal
cli ec27 echo_client --idle-ms 200 --expect-nothing 127.0.0.1 "$P"
srv_wait
check "echo_client --idle-ms --expect-nothing against a quiet server: idle n 0, exit 0" \
	'qt "$T/ec27.ev" "one(\"idle\").get(\"n\") == 0" && [ "$CRC" = 0 ]' "$T/ec27.ev"

srv es28 echo_server --no-read-ms 600 --max-clients 1 PORT || fatal
cli ec28 echo_client --size 1000 127.0.0.1 "$P"
srv_wait
check "echo_server --no-read-ms 600: the client's first echo byte came >= 550 ms after connect" \
	'qt "$T/ec28.ev" "ev(\"read\")[0][\"t\"] - one(\"connect\")[\"t\"] >= 550000" && [ "$CRC" = 0 ]' "$T/ec28.ev"

srv es29 echo_server --delay-accept-ms 500 --max-clients 1 PORT || fatal
cli ec29 echo_client --size 1000 127.0.0.1 "$P"
srv_wait
check "echo_server --delay-accept-ms 500: client connected at once, echo >= 450 ms later" \
	'qt "$T/ec29.ev" "ev(\"read\")[0][\"t\"] - one(\"connect\")[\"t\"] >= 450000" && [ "$CRC" = 0 ]' "$T/ec29.ev"

srv fs30 file_server --size 1000 PORT - || fatal
cli fc30 file_client --delay-connect-ms 500 127.0.0.1 "$P" "$T/fc30.bin"
srv_wait
check "file_client --delay-connect-ms 500: server accepted >= 450 ms after listening" \
	'qt "$T/fs30.ev" "one(\"accept\")[\"t\"] - one(\"listen\")[\"t\"] >= 450000"' "$T/fs30.ev"

srv fs31 file_server --size 200KiB PORT - || fatal
cli fc31 file_client --read-size 1000 127.0.0.1 "$P" "$T/fc31.bin"
srv_wait
check "file_client --read-size 1000: reads of <= 1000 bytes, >= 205 of them" \
	'qt "$T/fc31.ev" "max(reads()) <= 1000 and len(reads()) >= 205 and sum(reads()) == 204800" && [ "$CRC" = 0 ]' "$T/fc31.ev"

srv fs32 file_server --size 4MiB --reply-timeout-ms 3000 PORT - || fatal
cli fc32 file_client --rcvbuf 4096 --read-size 4096 --read-pause-us 200 127.0.0.1 "$P" "$T/fc32.bin"
srv_wait
check "file_client --rcvbuf 4096 --read-pause-us 200: server's writes took >= 100 ms (slow reader)" \
	'qt "$T/fs32.ev" "ev(\"shutdown\") and one(\"shutdown\")[\"t\"] - one(\"accept\")[\"t\"] >= 100000" && [ "$SRC" = 0 ] && [ "$CRC" = 0 ]' "$T/fs32.ev" "$T/fc32.ev"

srv es33 echo_server --max-clients 2 PORT || fatal
cli ec33a echo_client --size 100 127.0.0.1 "$P"
A=$CRC
cli ec33b echo_client --size 100 127.0.0.1 "$P"
srv_wait
check "echo_server --max-clients 2: serves two clients, then exits 0 on its own" \
	'[ "$A" = 0 ] && [ "$CRC" = 0 ] && [ "$SRC" = 0 ] && qt "$T/es33.ev" "len(ev(\"accept\")) == 2 and E[-1][\"ev\"] == \"end\""' "$T/es33.ev"

srv fs34 file_server --size 1000 --reply-timeout-ms 500 PORT - || fatal
timeout 10 "$PY" -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
n = 0
while True:
    b = s.recv(65536)
    if not b:
        break
    n += len(b)
print(n)
sys.stdout.flush()
time.sleep(2)' "$P" >"$T/nc34.out" 2>"$T/nc34.err" &
NPID=$!
PIDS="$PIDS $NPID"
srv_wait
kill "$NPID" 2>/dev/null
wait "$NPID" 2>/dev/null
check "file_server --reply-timeout-ms 500 against a silent client: timeout (reply), exit 1" \
	'qt "$T/fs34.ev" "one(\"timeout\").get(\"what\") == \"reply\" and one(\"timeout\")[\"ms\"] == 500" && [ "$SRC" = 1 ] && [ "$(cat "$T/nc34.out")" = 1000 ]' "$T/fs34.ev" "$T/nc34.err"

srv es35 echo_server --max-clients 1 PORT || fatal
cli ec35 echo_client --hold-ms 400 --size 100 127.0.0.1 "$P"
srv_wait
check "echo_client --hold-ms 400: echo_server's EOF came >= 350 ms after the echo" \
	'qt "$T/es35.ev" "one(\"eof\")[\"t\"] - ev(\"write\")[-1][\"t\"] >= 350000"' "$T/es35.ev"

P=$(freeport)
cli ec36 echo_client --size 10 127.0.0.1 "$P"
check "echo_client to a closed port: connect_error ECONNREFUSED, exit 1, message on stderr" \
	'qt "$T/ec36.ev" "one(\"connect_error\").get(\"error\") == \"ECONNREFUSED\"" && [ "$CRC" = 1 ] && grep -q "$P" "$T/ec36.err"' "$T/ec36.ev" "$T/ec36.err"

srv es37 echo_server --timeout-ms 300 --max-clients 1 PORT || fatal
cli ec37 echo_client --idle-ms 600 127.0.0.1 "$P"
srv_wait
check "echo_server --timeout-ms 300 with an idle client: server logged timeout, closed" \
	'qt "$T/es37.ev" "ev(\"timeout\") and one(\"timeout\")[\"ms\"] == 300" && qt "$T/ec37.ev" "ev(\"eof\")"' "$T/es37.ev" "$T/ec37.ev"

# ---------------------------------------------------------------------------
# Real files: empty and 64 MiB
: >"$T/empty"
srv fs21 file_server PORT "$T/empty" || fatal
cli fc21 file_client 127.0.0.1 "$P" "$T/fc21.bin"
srv_wait
E0=99aa06d3014798d86001c324468d497f
check "empty file: both exit 0, output empty, EOF at 0, digests are XXH3-128 of nothing" \
	'[ "$SRC" = 0 ] && [ "$CRC" = 0 ] && [ ! -s "$T/fc21.bin" ] && [ "$(digest "$T/empty")" = $E0 ] && qt "$T/fs21.ev" "one(\"summary\")[\"xxh128_out\"] == \"$E0\" and one(\"summary\")[\"bytes_out\"] == 0" && qt "$T/fc21.ev" "one(\"eof\").get(\"off\") == 0 and one(\"summary\")[\"xxh128_in\"] == \"$E0\""' "$T/fs21.ev" "$T/fc21.ev"

head -c 64M /dev/urandom >"$T/big"
srv fs22 file_server PORT "$T/big" || fatal
cli fc22 file_client 127.0.0.1 "$P" "$T/fc22.bin"
srv_wait
BD=$(digest "$T/big")
check "64 MiB file: both exit 0; summaries' digests = xxhsum -H2 of the file and of the copy" \
	'[ "$SRC" = 0 ] && [ "$CRC" = 0 ] && [ "$(digest "$T/fc22.bin")" = "$BD" ] && qt "$T/fs22.ev" "one(\"summary\")[\"xxh128_out\"] == \"$BD\" and one(\"summary\")[\"bytes_out\"] == 67108864" && qt "$T/fc22.ev" "one(\"summary\")[\"xxh128_in\"] == \"$BD\" and one(\"eof\").get(\"off\") == 67108864"' "$T/fs22.ev" "$T/fc22.err"
rm -f "$T/big" "$T/fc22.bin" "$T/fc19.bin"

# ---------------------------------------------------------------------------
# Bad input: exit status 2 and a message naming the problem
# bad PROG 'expected text in stderr' ARGS...
bad() {
	prog=$1 want=$2
	shift 2
	timeout 10 "$R/$prog" "$@" </dev/null >"$T/bad.out" 2>"$T/bad.err"
	rc=$?
	if [ "$rc" = 2 ] && grep -qF -- "$want" "$T/bad.err"; then
		ok "$prog $*: exit 2, stderr names '$want'"
	else
		notok "$prog $*: exit $rc (want 2), stderr should name '$want'" "$T/bad.err"
	fi
}
P=$(freeport)
bad echo_server "70000" 70000
bad echo_server "abc" abc
bad echo_server "needs PORT"
bad echo_server "--bogus" --bogus "$P"
bad echo_server "--chunk" --chunk -5 "$P"
bad echo_server "300.1.1.1" --bind 300.1.1.1 "$P"
bad echo_server "--gap-us" --gap-us 100 "$P"
bad echo_client "999.1.1.1" 999.1.1.1 "$P"
bad echo_client "localhost" localhost "$P"
bad echo_client "65536" 127.0.0.1 65536
bad echo_client "'0'" 127.0.0.1 0
bad echo_client "--size" --size -1 127.0.0.1 "$P"
bad echo_client "--size" --size 1XB 127.0.0.1 "$P"
bad echo_client "--pattern" --pattern stripes 127.0.0.1 "$P"
bad echo_client "--mangle" --mangle 127.0.0.1 "$P"
bad echo_client "IP and PORT" 127.0.0.1
bad file_server "/nonexistent/file.bin" "$P" /nonexistent/file.bin
bad file_server "needs --size" "$P" -
bad file_server "--size" --size -5 "$P" -
bad file_server "--mangle" --mangle "$P" -
bad file_server "PORT and FILE" "$P"
bad file_server "-1" -- -1 /etc/hostname
bad file_client "::g" ::g "$P" "$T/x"
bad file_client "99999" 127.0.0.1 99999 "$T/x"
bad file_client "--reply" --reply 'bad\q' 127.0.0.1 "$P" "$T/x"
bad file_client "--timeout-ms" --timeout-ms 1s 127.0.0.1 "$P" "$T/x"
bad file_client "--events" --events /nonexistent/dir/ev.jsonl 127.0.0.1 "$P" "$T/x"
bad file_client "OUTFILE" 127.0.0.1 "$P"

for prog in echo_server echo_client file_server file_client; do
	check "$prog --help: usage on stdout, exit 0" \
		'timeout 5 "$R/$prog" --help >"$T/help.out" 2>&1 && grep -q "usage: $prog" "$T/help.out"' "$T/help.out"
done

echo "# $((N - FAILED)) of $N checks passed"
[ "$FAILED" -eq 0 ]
