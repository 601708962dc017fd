#!/bin/sh
# Fault injection (harness/preload/inject.c) end to end:
#  - the library caps, interrupts and fails calls as configured, only in the
#    named program and only on sockets (checked directly with LD_PRELOAD);
#  - with --memcheck the faults still reach the program (valgrind's launcher
#    loads the library but stays inactive);
#  - a statically linked program gets "skip" with the reason, never a pass;
#  - a failing case says what was injected;
#  - an injected EPIPE raises SIGPIPE as the kernel does (not under SIG_IGN
#    or MSG_NOSIGNAL); reads_fail fails every read of one connection only.
set -u
BUILD=${1:-build}
LIB=$(cd "$BUILD" && pwd)/lib/libscinject.so
tmp=$(mktemp -d /tmp/sockcheck-inject.XXXXXX)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $2" "$1"; }

[ -f "$LIB" ] || { echo "not ok - $LIB was not built"; exit 1; }

# 1. Directly: a 1 MiB echo through a server whose sends are capped at 7 bytes.
srcdir=$tmp/src
mkdir -p "$srcdir"
cp fixtures/correct/*.c fixtures/correct/Makefile "$srcdir"/
make -s -C "$srcdir" >/dev/null 2>&1 || bad "fixture build"
port=$((20000 + $$ % 20000))
: > "$tmp/side.log"
(cd "$srcdir" && SCINJECT="write_max=7" SCINJECT_TARGET=echo_server SCINJECT_FD=9 \
	LD_PRELOAD="$LIB" exec ./echo_server $port 9>>"$tmp/side.log" >/dev/null) &
spid=$!
sleep 0.5
if timeout 30 "$BUILD/reference/echo_client" --events "$tmp/ec.events" --size 1MiB \
	--pattern binary --seed 5 127.0.0.1 $port 2>/dev/null; then
	ok "direct: 1 MiB echoed whole through 7-byte sends"
else
	bad "direct: 1 MiB echo through 7-byte sends"
fi
kill $spid 2>/dev/null
wait $spid 2>/dev/null
grep -q "loaded pid=.* name=echo_server active=1" "$tmp/side.log" && grep -q "fired write_max send 7" "$tmp/side.log" \
	&& ok "direct: the side channel says loaded, active, fired" \
	|| bad "direct: side channel: $(cat "$tmp/side.log")"
# The count of capped calls, from a program that ends normally (its exit
# writes them): a 64 KiB file served through 7-byte writes takes over 9000.
head -c 65536 /dev/urandom > "$srcdir/data"
cp "$srcdir/file_server.c" "$srcdir/file_server.c.src"
cp "$srcdir/data" "$srcdir/file_server.c"
: > "$tmp/side3.log"
(cd "$srcdir" && SCINJECT="write_max=7" SCINJECT_TARGET=file_server SCINJECT_FD=9 \
	LD_PRELOAD="$LIB" exec ./file_server $((port + 1)) 9>>"$tmp/side3.log" >/dev/null) &
spid=$!
sleep 0.5
timeout 30 "$BUILD/reference/file_client" 127.0.0.1 $((port + 1)) "$tmp/got" 2>/dev/null
wait $spid
n=$(sed -n 's/.*write_max=\([0-9]*\).*/\1/p' "$tmp/side3.log" | head -n 1)
if cmp -s "$tmp/got" "$srcdir/data" && [ "${n:-0}" -ge 9000 ]; then
	ok "direct: 64 KiB served whole through $n capped writes"
else
	bad "direct: capped writes '${n:-none}', file $(cmp -s "$tmp/got" "$srcdir/data" && echo same || echo differs)"
fi

# 2. Another program name: the library stays inactive.
: > "$tmp/side2.log"
SCINJECT="write_max=1" SCINJECT_TARGET=not_this_one SCINJECT_FD=9 LD_PRELOAD="$LIB" \
	sh -c 'echo hello' 9>>"$tmp/side2.log" >/dev/null
grep -q "name=sh active=0" "$tmp/side2.log" && ok "other programs: inactive" \
	|| bad "other programs: $(cat "$tmp/side2.log")"

# 3. The suite's injection cases under memcheck: faults reach the program.
if command -v valgrind >/dev/null 2>&1; then
	"$BUILD/sockcheck" run --memcheck --only 'echo.server.short-writes,file.client.eintr' \
		--report-dir "$tmp/mc" --format json fixtures/correct >/dev/null 2>&1
	v=$(json "$tmp/mc/results.json" 'print(" ".join(c["verdict"] for c in d["cases"]))')
	[ "$v" = "pass pass" ] && grep -q "name=echo_server active=1" \
		"$tmp/mc/work/cases/echo.server.short-writes/inject.log" \
		&& ok "memcheck: injection active under valgrind, cases pass" \
		|| bad "memcheck: verdicts '$v'"
else
	echo "ok - memcheck: skipped, valgrind not installed"
fi

# 4. A statically linked submission: skipped with the reason.
st=$tmp/static
mkdir -p "$st"
cp fixtures/correct/*.c "$st"/
printf 'all:\n\tfor p in echo_server echo_client file_server file_client; do cc -static -O0 -o $$p $$p.c || exit 1; done\n' > "$st/Makefile"
"$BUILD/sockcheck" run --only 'echo.server.short-writes,echo.server.one-message' \
	--report-dir "$tmp/st" --format json "$st" >/dev/null 2>&1
r=$(json "$tmp/st/results.json" 'print(" ".join(c["id"]+"="+c["verdict"] for c in d["cases"]))')
why=$(json "$tmp/st/results.json" 'print([c["summary"] for c in d["cases"] if c["id"]=="echo.server.short-writes"][0])')
case "$r $why" in
*"echo.server.one-message=pass"*"echo.server.short-writes=skip"*"could not take effect"*)
	ok "static binary: injection case skipped ($why)" ;;
*) bad "static binary: $r / $why" ;;
esac

# 5. A mutant that ignores short sends: the failure says what was injected.
mu=$tmp/mutant
mkdir -p "$mu"
cp fixtures/correct/*.c fixtures/correct/Makefile "$mu"/
patch -s -p1 -d "$mu" < fixtures/mutants/ignores-short-send/bug.patch
"$BUILD/sockcheck" run --only 'echo.server.short-writes' --report-dir "$tmp/mu" --format json "$mu" >/dev/null 2>&1
d=$(json "$tmp/mu/results.json" 'c=d["cases"][0]; print(c["verdict"], c.get("diagnosis") or "")')
case "$d" in
fail*"every write()/send() on a socket accepted at most 7 bytes"*) ok "mutant: $d" ;;
*) bad "mutant: '$d'" ;;
esac
# 6. EPIPE with SIGPIPE, and reads_fail, on a probe program of our own.
cat > "$tmp/probe.c" <<'EOF2'
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
int
main(int argc, char **argv)
{
	int sv[2], l, c, a;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	char b[8];
	if (strcmp(argv[1], "fork") == 0) {	/* a child per "client", one send() each */
		signal(SIGPIPE, SIG_IGN);
		for (int i = 1; i <= 3; i++) {
			socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
			if (fork() == 0) {
				ssize_t n = send(sv[0], "x", 1, 0);
				printf("child %d send %zd\n", i, n);
				return 0;
			}
			wait(NULL);
			close(sv[0]);
			close(sv[1]);
		}
		return 0;
	}
	if (strncmp(argv[1], "eintr-", 6) == 0) {	/* what a program does after an EINTR */
		const char *m = argv[1] + 6;
		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		write(sv[1], "abcdef", 6);	/* the 1st write: read-* has data */
		if (strcmp(m, "write-same") == 0 || strcmp(m, "write-other") == 0) {
			if (write(sv[0], "hello", 5) < 0)
				write(sv[0], strcmp(m, "write-same") == 0 ? "hello" : "world", 5);
		} else if (strcmp(m, "write-close") == 0) {
			if (write(sv[0], "hello", 5) < 0)
				close(sv[0]);
		} else {
			ssize_t n = read(sv[0], b, sizeof(b));
			if (strcmp(m, "read-again") == 0 && n < 0)
				n = read(sv[0], b, sizeof(b));
			else if (strcmp(m, "read-used") == 0)
				write(sv[0], b, (size_t)n);	/* -1 taken for a count */
		}
		return 0;
	}
	if (strcmp(argv[1], "reads") != 0) {
		if (strcmp(argv[1], "ign") == 0)
			signal(SIGPIPE, SIG_IGN);
		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		ssize_t n = send(sv[0], "x", 1, strcmp(argv[1], "nosignal") == 0 ? MSG_NOSIGNAL : 0);
		printf("send %zd %s\n", n, n < 0 ? strerror(errno) : "");
		return 0;
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	bind(l, (struct sockaddr *)&sa, sizeof(sa));
	listen(l, 1);
	getsockname(l, (struct sockaddr *)&sa, &len);
	c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&sa, sizeof(sa));		/* connection 1 */
	a = accept(l, NULL, NULL);				/* connection 2 */
	write(a, "y", 1);
	write(c, "z", 1);
	for (int i = 0; i < 3; i++) {
		ssize_t n = recv(c, b, sizeof(b), 0);
		printf("conn1 %zd %s\n", n, n < 0 ? strerror(errno) : "");
	}
	ssize_t n = read(a, b, sizeof(b));
	printf("conn2 %zd\n", n);
	(void)argc;
	return 0;
}
EOF2
if cc -o "$tmp/probe" "$tmp/probe.c" 2>"$tmp/probe.err"; then
	pr() { SCINJECT="$1" SCINJECT_TARGET=probe LD_PRELOAD="$LIB" "$tmp/probe" "$2" 2>/dev/null; }
	out=$(pr "fail=send:1:EPIPE" default); st=$?
	[ $st -eq $((128 + 13)) ] && [ -z "$out" ] && ok "EPIPE: SIGPIPE kills a program that keeps its default" \
		|| bad "EPIPE default: status $st, '$out'"
	out=$(pr "fail=send:1:EPIPE" ign)
	[ "$out" = "send -1 Broken pipe" ] && ok "EPIPE: under SIG_IGN the send fails, nothing more" \
		|| bad "EPIPE ign: '$out'"
	out=$(pr "fail=send:1:EPIPE" nosignal)
	[ "$out" = "send -1 Broken pipe" ] && ok "EPIPE: with MSG_NOSIGNAL the send fails, nothing more" \
		|| bad "EPIPE nosignal: '$out'"
	out=$(pr "reads_fail=1:ECONNRESET" reads | tr '\n' '|')
	[ "$out" = "conn1 -1 Connection reset by peer|conn1 -1 Connection reset by peer|conn1 -1 Connection reset by peer|conn2 1|" ] \
		&& ok "reads_fail: every read of connection 1 fails, connection 2 reads" \
		|| bad "reads_fail: '$out'"
	# the Kth call is the program's: a child fork()ed per client does not
	# start counting again (each child's first send() failed once)
	out=$(pr "fail=send:2:EPIPE" fork | tr '\n' '|')
	[ "$out" = "child 1 send 1|child 2 send -1|child 3 send 1|" ] \
		&& ok "fork: the 2nd send() of the program fails, in the 2nd child only" \
		|| bad "fork: '$out'"
	# an injected EINTR is retried only by the same call again (the same
	# bytes for a write); the preload says so on its side channel
	for m in write-same:fail=write:2:EINTR:0 write-other:fail=write:2:EINTR:1 \
	    write-close:fail=write:2:EINTR:1 read-again:fail=read:1:EINTR:0 \
	    read-used:fail=read:1:EINTR:1; do
		mode=${m%%:*} rest=${m#*:} want=${m##*:}
		spec=${rest%:*}
		: > "$tmp/eintr.log"
		SCINJECT="$spec" SCINJECT_TARGET=probe SCINJECT_FD=9 LD_PRELOAD="$LIB" \
			"$tmp/probe" "eintr-$mode" 9>>"$tmp/eintr.log" >/dev/null 2>&1
		got=$(grep -c "^unretried " "$tmp/eintr.log")
		[ "$got" = "$want" ] && grep -q "^fired fail" "$tmp/eintr.log" \
			&& ok "EINTR then $mode: $got unretried" \
			|| bad "EINTR then $mode: $got unretried, want $want: $(cat "$tmp/eintr.log")"
	done
else
	bad "probe build: $(cat "$tmp/probe.err")"
fi
exit $fail
