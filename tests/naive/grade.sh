#!/bin/sh
# tests/naive/grade.sh SUBMISSION [PROGRAM...]: the grading script a course writes
# by hand (build, run, diff), the yardstick of tests/bench-speed.sh: how long
# sockcheck takes against it on the same submissions. It builds the
# submission with make, then for each program named (default all six) starts
# it against nc/ncat on a loopback port, with the fixed sleeps such scripts
# use, and diffs what came out. It checks far less than sockcheck (one
# exchange per program, no partial reads, no half-close, no hang detection):
# only its time matters here. Prints "PROGRAM pass|fail" lines; exit 0.
set -u
SUB=$1
shift
PROGS=${*:-echo_server echo_client file_server file_client udp_echo_server udp_echo_client}
W=$(mktemp -d "${TMPDIR:-/tmp}/naive-grade.XXXXXX") || exit 2
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
cp -r "$SUB/." "$W/s"
cd "$W/s" || exit 2
make >/dev/null 2>&1
# a port per run: several graders may share the machine
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
verdict() { if [ "$2" = 0 ]; then echo "$1 pass"; else echo "$1 fail"; fi; }
head -c 4096 /dev/urandom | base64 >"$W/data.txt"

for p in $PROGS; do
	[ -x "./$p" ] || { echo "$p fail (not built)"; continue; }
	P=$(port)
	case $p in
	echo_server)
		./echo_server "$P" >/dev/null 2>&1 &
		srv=$!
		sleep 0.5
		timeout 5 nc -N 127.0.0.1 "$P" <"$W/data.txt" >"$W/out" 2>/dev/null
		cmp -s "$W/out" "$W/data.txt"
		verdict "$p" $?
		kill $srv 2>/dev/null ;;
	echo_client)
		ncat -l 127.0.0.1 "$P" -e /bin/cat >/dev/null 2>&1 &
		srv=$!
		sleep 0.5
		printf 'hello\nworld\n' | timeout 5 ./echo_client 127.0.0.1 "$P" >"$W/out" 2>/dev/null
		grep -q world "$W/out"
		verdict "$p" $?
		kill $srv 2>/dev/null ;;
	file_server)
		cp "$W/data.txt" file_server.c
		./file_server "$P" >/dev/null 2>&1 &
		srv=$!
		sleep 0.5
		(printf 'Thank you\n'; sleep 0.5) | timeout 5 nc 127.0.0.1 "$P" >"$W/out" 2>/dev/null
		cmp -s "$W/out" "$W/data.txt"
		verdict "$p" $?
		kill $srv 2>/dev/null ;;
	file_client)
		ncat -l 127.0.0.1 "$P" --send-only <"$W/data.txt" >/dev/null 2>&1 &
		srv=$!
		sleep 0.5
		rm -f receive.dat
		timeout 5 ./file_client 127.0.0.1 "$P" >/dev/null 2>&1
		cmp -s receive.dat "$W/data.txt"
		verdict "$p" $?
		kill $srv 2>/dev/null ;;
	udp_echo_server)
		./udp_echo_server "$P" >/dev/null 2>&1 &
		srv=$!
		sleep 0.5
		printf 'hello\n' | timeout 5 nc -u -w 1 127.0.0.1 "$P" >"$W/out" 2>/dev/null
		grep -q hello "$W/out"
		verdict "$p" $?
		kill $srv 2>/dev/null ;;
	udp_echo_client)
		ncat -u -l 127.0.0.1 "$P" -e /bin/cat >/dev/null 2>&1 &
		srv=$!
		sleep 0.5
		printf 'hello\nworld\n' | timeout 5 ./udp_echo_client 127.0.0.1 "$P" >"$W/out" 2>/dev/null
		grep -q world "$W/out"
		verdict "$p" $?
		kill $srv 2>/dev/null ;;
	esac
done
exit 0
