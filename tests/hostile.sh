#!/bin/sh
# The hostile-input corpus (issue 6): malformed scenarios and profiles, and
# submissions that fork-bomb, print for ever, sleep, ignore SIGTERM,
# daemonise, close stdout, exit early, write huge files, try to damage
# things outside their working copy, clash on a fixed port... Each must get
# a clear verdict or error, the run must end within its deadlines, and
# nothing may be left behind: processes (tests/hostile/runwrap.py is a child
# subreaper and sees every orphan), temporary files (sockcheck runs with a
# private, empty /tmp when root), changes to the submission.
#
# Usage: sh tests/hostile.sh BUILD_DIR   (~1.5 min; ~2.5 min while runs hang,
# each of which is killed 5 s after its limit)
# HOSTILE_ONLY='GLOB ...' runs only the groups whose name matches (yaml, profile,
# missing, noexec, build*, forkbomb, spew, garbage, ..., sigint, deadlock);
# HOSTILE_KEEP=1 keeps the reports and copies (the directory is printed).
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
SC="$BUILD/sockcheck"
H="$TOP/tests/hostile"
PY=python3
[ -x "$SC" ] || { echo "no $SC: build first"; exit 1; }
command -v $PY >/dev/null || { echo "python3 is needed"; exit 1; }
mkdir -p "$BUILD/tests"
# the student programs run as nobody below it: in /tmp, not under the
# checkout, which may lie under a directory nobody else can enter (a 0700 home)
W=$(mktemp -d "${TMPDIR:-/tmp}/sockcheck-hostile.XXXXXX") || exit 1
chmod 755 "$W"
if [ -n "${HOSTILE_KEEP:-}" ]; then trap 'echo "# kept $W"' EXIT; else trap 'rm -rf "$W"' EXIT; fi
trap 'exit 130' INT TERM
T_START=$(date +%s.%N)
fails=0
passes=0
FAILED=""

say() { printf '%s\n' "$*"; }
ok() { passes=$((passes + 1)); say "ok - $*"; }
bad() { fails=$((fails + 1)); FAILED="$FAILED
  $1"; say "not ok - $*"; }
# want NAME: run this group of checks? (HOSTILE_ONLY)
want() {
	[ -z "${HOSTILE_ONLY:-}" ] && return 0
	set -f
	for g in $HOSTILE_ONLY; do
		# shellcheck disable=SC2254
		case $1 in $g) set +f; return 0 ;; esac
	done
	set +f
	return 1
}
# fcmp A OP B: floating-point comparison
fcmp() { $PY -c "import sys; sys.exit(0 if $1 $2 $3 else 1)"; }
since() { $PY -c "print(round($(date +%s.%N) - $1, 2))"; }

# tree_hash DIR: one digest of every path, type, mode, owner and content below DIR
tree_hash() {
	(cd "$1" && find . -printf '%p %y %m %u %l\n' | LC_ALL=C sort &&
	    find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum) | sha256sum | cut -c1-16
}

# prep NAME: a copy of tests/hostile/subs/NAME in $W/sub-NAME with hx.h and
# the placeholders filled in; sets SUB, MARKER, VICTIM, HOSTPORT
prep() {
	SUB="$W/sub-$1"
	MARKER="$W/markers/$1"
	VICTIM="$W/victims/$1/precious.txt"
	# the victim from a case's working copy ($W/rep-NAME/work/cases/ID/work)
	VICTIMREL="../../../../../victims/$1/precious.txt"
	rm -rf "$SUB"
	cp -R "$H/subs/$1" "$SUB"
	cp "$H/src/hx.h" "$H/src/hxrecv.h" "$SUB/"
	mkdir -p "$W/markers" "$W/victims/$1"
	rm -f "$MARKER"
	chmod 1777 "$W/markers"
	chmod 755 "$W/victims" "$W/victims/$1"
	echo "nobody may change this file" >"$VICTIM"
	chmod 644 "$VICTIM"
	HOSTPORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	FIXPORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	for f in "$SUB/sockcheck.yaml" "$SUB/Makefile"; do
		[ -f "$f" ] || continue
		sed -i -e "s|@MARKER@|$MARKER|g" -e "s|@SUBDIR@|$SUB|g" -e "s|@VICTIM@|$VICTIM|g" \
		    -e "s|@VICTIMREL@|$VICTIMREL|g" \
		    -e "s|@HOSTPORT@|$HOSTPORT|g" -e "s|@FIXPORT@|$FIXPORT|g" "$f"
	done
	chmod -R go-w "$SUB"
	chmod 755 "$SUB"
	SUB_HASH=$(tree_hash "$SUB")
	VICTIM_HASH=$(tree_hash "$W/victims/$1")
	sleep 0.01
	touch "$W/stamp-$1"
}

# sc NAME LIMIT [WRAPPER_OPTS] -- SOCKCHECK_ARGS: a `sockcheck run` (report in
# $W/rep-NAME) under runwrap.py, killed if it is still running 5 s after LIMIT
# seconds; loads rc elapsed timed_out leftovers tmp_left marker_moving sample
sc() {
	name=$1
	LIMIT=$2
	shift 2
	REP="$W/rep-$name"
	rm -rf "$REP"
	wopts=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		wopts="$wopts $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	set -- --report-dir "$REP" --format json "$@"
	[ -n "${NOREPORT:-}" ] && shift 4	# the default: a temporary directory in /tmp
	# shellcheck disable=SC2086
	$PY "$H/runwrap.py" --out "$W/$name.wrap" --stdout "$W/$name.out" --stderr "$W/$name.err" \
	    --private-tmp --keep "$TOP" --keep "$BUILD" --keep "$W" --timeout "$($PY -c "print($LIMIT + 5)")" $wopts -- "$SC" run "$@"
	rc=-1 elapsed=0 timed_out=0 leftovers='' tmp_left='' marker_moving=0 sample=-1 private_tmp=0 signal_at=-1
	# shellcheck disable=SC1090
	. "$W/$name.wrap"
	say "# $name: exit $rc in $elapsed s${leftovers:+; left: $leftovers}"
}

# jc NAME EXPR...: assertions on $REP/results.json (tests/hostile/jcheck.py)
jc() {
	n=$1
	shift
	if out=$($PY "$H/jcheck.py" "$REP/results.json" "$@" 2>&1); then
		ok "$n"
	else
		bad "$n"
		say "$out"
		sed 's/^/    stderr: /' "$W/$name.err" | head -n 15
	fi
}

# after NAME [RCS]: what every run must satisfy (within the LIMIT given to sc)
after() {
	n=$1 max=$LIMIT rcs=${2:-"0 1"}
	[ "$timed_out" = 0 ] || { bad "$n: sockcheck did not end by itself (killed after $elapsed s)"; return; }
	case " $rcs " in
	*" $rc "*) ok "$n: exit status $rc" ;;
	*) bad "$n: exit status $rc, expected one of: $rcs"; sed 's/^/    stderr: /' "$W/$name.err" | head -n 20 ;;
	esac
	if fcmp "$elapsed" "<=" "$max"; then ok "$n: ended in $elapsed s (limit $max)"
	else bad "$n: took $elapsed s (limit $max)"; fi
	if grep -q 'Sanitizer\|runtime error:' "$W/$name.err"; then
		bad "$n: sanitizer report"
		grep -A 12 'Sanitizer\|runtime error:' "$W/$name.err" | head -n 30 | sed 's/^/    /'
	fi
	if [ -z "$leftovers" ]; then ok "$n: no process left"
	else bad "$n: processes left after the run: $leftovers"; fi
	if [ "$private_tmp" = 1 ]; then
		if [ -z "$tmp_left" ]; then ok "$n: nothing left in /tmp"
		else bad "$n: left in /tmp: $tmp_left"; fi
	fi
	if [ -n "${SUB:-}" ] && [ -d "$SUB" ]; then
		v=$(basename "$SUB" | sed 's/^sub-//')
		if [ "$(tree_hash "$SUB")" = "$SUB_HASH" ]; then ok "$n: submission unchanged"
		else bad "$n: the submission directory changed: $(find "$SUB" -newer "$W/stamp-$v" | sed "s|$W/||" | head -n 3 | tr '\n' ' ')"; fi
		if [ "$(tree_hash "$W/victims/$v")" = "$VICTIM_HASH" ]; then ok "$n: files outside unchanged"
		else bad "$n: a file outside the submission changed: $(stat -c '%n: owner %u, mode %a, %s bytes' "$W/victims/$v/precious.txt" 2>&1 | sed "s|$W/||")"; fi
	fi
	case $rcs in *2*) ;; *)
		[ -n "${NOREPORT:-}" ] && return
		if [ -f "$REP/results.json" ]; then ok "$n: results.json written"
		else bad "$n: no results.json"; fi ;;
	esac
}

###########################################################################
# 1. Malformed scenario files: `sockcheck validate` exits 2 with
#    file:line:col: message, never crashes, never hangs.
###########################################################################
if want yaml; then
	Y="$W/yaml"
	mkdir -p "$Y"
	cp "$H"/yaml/*.yaml "$Y/"
	# generated ones: too big or too binary to keep in git
	$PY - "$Y" <<'EOF'
import random, sys
d = sys.argv[1]
def w(name, data):
    with open("%s/%s" % (d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
head = "title: t\nprotocol: echo\nrole: server\nhint: h\n"
w("gen-deep-flow.yaml", head + "input: " + "[" * 100000 + "]" * 100000 + "\n")
w("gen-deep-map.yaml", head + "".join("%sk%d:\n" % (" " * i, i) for i in range(3000)) + " " * 3000 + "x: 1\n")
w("gen-deep-flow-map.yaml", head + "expect: " + "{a: " * 50000 + "1" + "}" * 50000 + "\n")
r = random.Random(6)
w("gen-garbage.yaml", bytes(r.randrange(256) for _ in range(8192)))
w("gen-garbage-after-head.yaml", head.encode() + bytes(r.randrange(256) for _ in range(4096)))
w("gen-nul.yaml", "title: t\0\nprotocol: echo\nrole: server\nhint: h\n")
w("gen-long-line.yaml", head.replace("title: t", "title: " + "x" * (4 << 20)) + "bogus: 1\n")
w("gen-long-key.yaml", head + "k" * (1 << 20) + ": 1\n")
w("gen-many-keys.yaml", head + "".join("k%d: %d\n" % (i, i) for i in range(60000)))
w("any-gen-long-list.yaml", head + "stdin:\n  lines: [" + ",".join(["a"] * 200000) + "]\n")
w("gen-laughs.yaml", head + "".join(
    "l%d: &l%d [%s]\n" % (i, i, ",".join(["*l%d" % (i - 1)] * 10) if i else "lol")
    for i in range(12)) + "input: *l11\n")
w("gen-invalid-utf8.yaml", b"title: \xff\xfe\xc3\x28\nprotocol: echo\nrole: server\nhint: h\n")
w("any-gen-utf16.yaml", (head).encode("utf-16"))
w("gen-crlf-tab.yaml", head.replace("\n", "\r\n") + "expect:\r\n\tdata: true\r\n")
EOF
	# the message must name the file and a line:col (files that cannot be
	# read or parsed at all at least name the file)
	for f in "$Y"/*.yaml "$Y/does-not-exist.yaml" "$Y"; do
		b=$(basename "$f")
		t=$(date +%s.%N)
		timeout -k 1 8 "$SC" validate "$f" >"$W/v.out" 2>"$W/v.err"
		vrc=$?
		dt=$(since "$t")
		fcmp "$dt" "<" 5 || bad "validate $b: took $dt s (exit $vrc)"
		if grep -q 'Sanitizer\|runtime error:' "$W/v.err"; then
			bad "validate $b: sanitizer report"
			grep -A 12 'Sanitizer\|runtime error:' "$W/v.err" | head -n 30 | sed 's/^/    /'
		fi
		case $b in
		valid-*)
			[ "$vrc" -eq 0 ] && ok "validate $b: the control validates" ||
			    bad "validate $b: the valid control exited $vrc: $(head -c 300 "$W/v.err")"
			continue ;;
		any-*)	# odd but valid YAML: either verdict, but no crash and no hang
			case $vrc in 0|2) ok "validate $b: exit $vrc" ;;
			*) bad "validate $b: exit $vrc: $(head -c 300 "$W/v.err")" ;; esac
			continue ;;
		esac
		if [ "$vrc" -ne 2 ]; then
			bad "validate $b: exit $vrc (expected 2)${vrc:+ }$(head -c 300 "$W/v.err")"
			continue
		fi
		case $b in
		does-not-exist.yaml|yaml) pat="$f" ;;
		*) pat="$f:[0-9][0-9]*:[0-9][0-9]*: " ;;
		esac
		if grep -q "^sockcheck: $pat" "$W/v.err"; then
			ok "validate $b: exit 2, $(head -n 1 "$W/v.err" | cut -c1-150 | sed "s|$Y/||")"
		else
			bad "validate $b: no 'file:line:col: message': $(head -c 300 "$W/v.err")"
		fi
		[ -s "$W/v.out" ] && bad "validate $b: output on stdout: $(head -c 200 "$W/v.out")"
		# the excerpt of a huge line must be cut
		sz=$(wc -c <"$W/v.err")
		[ "$sz" -lt 8192 ] || bad "validate $b: $sz bytes of error message"
	done
	# SIGINT ends a validate that waits (here on a FIFO nobody writes)
	mkfifo "$Y/fifo.yaml"
	$PY "$H/runwrap.py" --out "$W/vfifo.wrap" --timeout 5 --signal INT@0.5 -- "$SC" validate "$Y/fifo.yaml"
	rc=-1 elapsed=0 timed_out=0
	. "$W/vfifo.wrap"
	if [ "$timed_out" = 0 ] && fcmp "$elapsed" "<" 1.5; then ok "validate FIFO: SIGINT ends it (exit $rc after $elapsed s)"
	else bad "validate FIFO: still running ${elapsed} s after SIGINT at 0.5 s (the handler only sets a flag that validate never reads)"; fi
	rm -f "$Y/fifo.yaml"
	# and under valgrind (memory errors, leaks), when installed; ASan builds
	# (make SANITIZE=1 BUILD=build-asan) get the same checks from the loop above
	if command -v valgrind >/dev/null && ! nm "$SC" 2>/dev/null | grep -q __asan_init; then
		vg_bad=0
		# one valgrind for all of them (validate takes many files): quick enough
		set --
		for f in "$Y"/*.yaml; do
			case $(basename "$f") in gen-deep*|gen-many-keys*|any-gen-long-list*|valid-*) continue ;; esac
			set -- "$@" "$f"
		done
		timeout -k 1 120 valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite "$SC" validate "$@" >/dev/null 2>"$W/vg.err"
		vrc=$?
		if [ "$vrc" -ne 2 ] || grep -q '^==[0-9]*==' "$W/vg.err"; then
			vg_bad=1
			bad "valgrind validate of $# malformed files: exit $vrc"
			grep '^==[0-9]*==' "$W/vg.err" | head -n 30 | sed 's/^/    /'
		fi
		timeout -k 1 60 valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite "$SC" validate "$Y"/valid-*.yaml >/dev/null 2>"$W/vg.err" ||
		    { vg_bad=1; bad "valgrind validate of the valid control"; head -n 30 "$W/vg.err"; }
		[ $vg_bad = 0 ] && ok "valgrind: validate of the malformed files: no memory errors, no leaks"
	fi
fi

###########################################################################
# 2. Malformed profiles (sockcheck.yaml): `sockcheck run` exits 2 with
#    file:line:col: message before running anything.
###########################################################################
if want profile; then
	P="$W/profiles"
	mkdir -p "$P"
	$PY - "$P" "$H/profiles" <<'EOF'
import os, random, shutil, sys
d, src = sys.argv[1], sys.argv[2]
def w(name, data):
    os.makedirs("%s/%s" % (d, name), exist_ok=True)
    with open("%s/%s/sockcheck.yaml" % (d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
for f in sorted(os.listdir(src)):
    if f.endswith(".yaml"):
        with open(os.path.join(src, f), "rb") as g:
            w(f[:-5], g.read())
w("gen-deep", "programs: " + "[" * 100000 + "]" * 100000 + "\n")
w("gen-garbage", bytes(random.Random(7).randrange(256) for _ in range(8192)))
w("gen-laughs", "".join("l%d: &l%d [%s]\n" % (i, i, ",".join(["*l%d" % (i - 1)] * 10) if i else "lol")
                        for i in range(12)) + "reply: *l11\n")
w("gen-long-command", "programs:\n  echo_server:\n    command: ./" + "a" * 100000 + " {port}\n")
w("any-gen-many-words", "programs:\n  echo_server:\n    command: ./x" + " w" * 200000 + "\n")
EOF
	for pd in "$P"/*/; do
		pd=${pd%/}
		b=$(basename "$pd")
		t=$(date +%s.%N)
		timeout -k 1 8 "$SC" run --only echo.server.one-message --report-dir "$W/prep-$b" "$pd" \
		    >"$W/p.out" 2>"$W/p.err"
		prc=$?
		dt=$(since "$t")
		fcmp "$dt" "<" 5 || bad "profile $b: took $dt s"
		grep -q 'Sanitizer\|runtime error:' "$W/p.err" && bad "profile $b: sanitizer report: $(grep -m1 -A5 'Sanitizer\|runtime error:' "$W/p.err")"
		case $b in
		any-*)	# valid, if odd: any verdict, but no crash and no hang
			case $prc in 0|1|2) ok "profile $b: exit $prc" ;;
			*) bad "profile $b: exit $prc: $(head -c 300 "$W/p.err")" ;; esac
			continue ;;
		gen-long-command)
			# a 100000-byte program name: refused by the loader, or run as it
			# is, but never silently cut to another name
			if [ "$prc" -ne 2 ] && ! $PY "$H/jcheck.py" "$W/prep-$b/results.json" \
			    "len(stu('echo.server.one-message')['argv'][0]) == 100002" >/dev/null; then
				bad "profile $b: exit $prc and the program name was cut to $($PY -c "import json; print(len(json.load(open('$W/prep-$b/results.json'))['cases'][0]['processes'][0]['argv'][0]))") bytes: the command template's words are silently truncated"
			else
				ok "profile $b: exit $prc, the long name not cut"
			fi
			continue ;;
		esac
		if [ "$prc" -eq 2 ] && grep -q "^sockcheck: $pd/sockcheck.yaml:[0-9][0-9]*:[0-9][0-9]*: " "$W/p.err"; then
			ok "profile $b: exit 2, $(grep -m1 '^sockcheck: ' "$W/p.err" | cut -c1-150 | sed "s|$pd/||")"
		else
			bad "profile $b: exit $prc, expected 2 and 'sockcheck.yaml:line:col: message': $(head -c 300 "$W/p.err")"
		fi
		[ -e "$W/prep-$b/results.json" ] && bad "profile $b: a run happened anyway"
	done
fi

###########################################################################
# 3. Submissions that cannot run: missing, not executable, build fails,
#    build hangs, build leaves a daemon.
###########################################################################
if want missing; then
	prep missing
	sc missing 5 -- --only echo.server.one-message "$SUB"
	after missing
	jc "missing: a failure (the submission's, not an error of sockcheck) naming the missing program" \
	    "case('echo.server.one-message')['verdict'] == 'fail'" \
	    "has('echo.server.one-message', r'hxmissing.*(no such file|not found|missing)')"
fi
if want noexec; then
	prep noexec
	chmod 644 "$SUB/hxnoexec"
	SUB_HASH=$(tree_hash "$SUB")
	sc noexec 5 -- --only echo.server.one-message "$SUB"
	after noexec
	jc "noexec: a failure (the submission's, not an error of sockcheck) naming the non-executable program" \
	    "case('echo.server.one-message')['verdict'] == 'fail'" \
	    "has('echo.server.one-message', r'hxnoexec.*(permission denied|not executable)')"
fi
if want buildfail; then
	prep buildfail
	sc buildfail 10 -- --only echo.server.one-message "$SUB"
	after buildfail
	jc "buildfail: a failure (the submission's, not an error of sockcheck) saying the build failed, with the log" \
	    "case('echo.server.one-message')['verdict'] == 'fail'" \
	    "has('echo.server.one-message', r'build failed')"
	grep -q "error" "$W/buildfail.err" && ok "buildfail: the compiler's error is shown" ||
	    bad "buildfail: the compiler's error is not on stderr"
fi
if want buildhang; then
	prep buildhang
	sc buildhang 5 -- --only echo.server.one-message "$SUB"
	after buildhang
	jc "buildhang: a failure (the submission's, not an error of sockcheck) saying the build did not finish" \
	    "case('echo.server.one-message')['verdict'] == 'fail'" \
	    "has('echo.server.one-message', r'build')"
	grep -q "stopped after 2 s" "$W/buildhang.err" && ok "buildhang: the user is told the build was stopped" ||
	    bad "buildhang: stderr does not say the build was stopped after 2 s"
	grep -q "stopped after 2 s" "$REP/work/build.log" 2>/dev/null &&
	    ok "buildhang: the build log says it was stopped" || bad "buildhang: build.log does not say it was stopped"
fi
if want buildhostile && [ "$(id -u)" != 0 ]; then
	say "# skip buildhostile: not root, so the build runs as the caller, who owns the submission and its processes"
elif want buildhostile; then
	# the build runs the submission's own Makefile: it must not be able to
	# leave processes behind, delete files outside or change the submission
	prep buildhostile
	sc buildhostile 10 --marker "$MARKER" -- --only echo.server.one-message "$SUB"
	after buildhostile
	[ -e "$MARKER" ] && ok "buildhostile: the build's daemon ran" || bad "buildhostile: the build's daemon never ran"
	[ "$marker_moving" = 0 ] && ok "buildhostile: its marker stopped changing" ||
	    bad "buildhostile: a process started by the build still runs after sockcheck ended (marker keeps changing)"
fi

###########################################################################
# 4. Programs that misbehave at run time.
###########################################################################
if want forkbomb && [ "$(id -u)" != 0 ]; then
	say "# skip forkbomb: not root, so RLIMIT_NPROC would count the caller's own processes"
elif want forkbomb; then
	# the bomb's case (never listens) runs beside four file.client cases of a
	# correct client: the bomb must be contained and must not starve them
	prep forkbomb
	cp fixtures/correct/file_client.c "$SUB/"
	SUB_HASH=$(tree_hash "$SUB")
	sc forkbomb 15 --sample hxbomb@2.5 -- --jobs 2 \
	    --only 'echo.server.one-message,file.client.text,file.client.binary-nul,file.client.empty-file,file.client.bursts-with-pauses' "$SUB"
	after forkbomb
	say "# forkbomb: $sample hxbomb processes at 2.5 s"
	if [ "$sample" -ge 1 ] && [ "$sample" -le 80 ]; then ok "forkbomb: contained ($sample processes)"
	else bad "forkbomb: $sample processes at 2.5 s (expected 1..80: RLIMIT_NPROC 64)"; fi
	jc "forkbomb: error for the bomb, the correct client's cases pass beside it" \
	    "case('echo.server.one-message')['verdict'] in ('error', 'fail')" \
	    "has('echo.server.one-message', r'listen')" \
	    "case('file.client.text')['verdict'] == 'pass'" \
	    "case('file.client.binary-nul')['verdict'] == 'pass'" \
	    "case('file.client.empty-file')['verdict'] == 'pass'" \
	    "case('file.client.bursts-with-pauses')['verdict'] == 'pass'"
fi
if want spew; then
	prep spew
	sc spew 10 -- --only echo.server.one-message "$SUB"
	after spew
	jc "spew: error (never listened), output capped with head and tail" \
	    "case('echo.server.one-message')['verdict'] in ('error', 'fail')" \
	    "has('echo.server.one-message', r'listen')" \
	    "stu('echo.server.one-message')['stdout']['total'] > 1000000" \
	    "len(stu('echo.server.one-message')['stdout']['head']) <= 65536" \
	    "len(stu('echo.server.one-message')['stdout']['tail'] or '') <= 16384" \
	    "stu('echo.server.one-message')['stdout']['tail']" \
	    "stu('echo.server.one-message')['stderr']['total'] > 10000"
	sz=$(wc -c <"$REP/results.json")
	[ "$sz" -lt 1000000 ] && ok "spew: results.json is $sz bytes" || bad "spew: results.json is $sz bytes"
fi
if want sleeper; then
	prep sleeper
	sc sleeper 10 -- --only echo.server.one-message "$SUB"
	after sleeper
	jc "sleeper: error saying it never listened" \
	    "case('echo.server.one-message')['verdict'] in ('error', 'fail')" \
	    "has('echo.server.one-message', r'listen')"
fi
if want noterm; then
	prep noterm
	sc noterm 8 -- --only 'echo.server.one-message,echo.server.several-messages' "$SUB"
	after noterm
	jc "noterm: served, then SIGKILLed" \
	    "case('echo.server.one-message')['verdict'] == 'pass'" \
	    "stu('echo.server.one-message')['signal'] == 9" \
	    "case('echo.server.one-message')['seconds'] < 3"
	# the same under a parent that is a child subreaper and reaps only at the
	# end (as some CI runners and process supervisors do): the program, its
	# launcher killed with it, is re-parented there, and the PID namespace's
	# teardown waits for it to be reaped; sockcheck must not wait for ever
	prep noterm
	sc noterm-noreap 8 --no-reap -- --only 'echo.server.one-message' "$SUB"
	after noterm-noreap
fi
if want daemon && [ "$(id -u)" != 0 ]; then
	say "# skip daemon: not root, so no PID namespace and no uid of the case's own find a daemon that left its process group"
elif want daemon; then
	for mode in netns loopback; do
		prep daemon
		nn=""
		[ $mode = loopback ] && nn=--no-netns
		sc daemon-$mode 8 --marker "$MARKER" -- $nn --only echo.server.one-message "$SUB"
		after daemon-$mode
		[ -e "$MARKER" ] && ok "daemon-$mode: the daemon ran" || bad "daemon-$mode: the daemon never ran"
		[ "$marker_moving" = 0 ] && ok "daemon-$mode: the daemon is dead after the run" ||
		    bad "daemon-$mode: a double-forked daemon of the student survived the run (marker keeps changing)"
		jc "daemon-$mode: case ran ($mode)" \
		    "case('echo.server.one-message')['isolation'] == '$mode'" \
		    "case('echo.server.one-message')['verdict'] in ('pass', 'error', 'fail')"
	done
fi
if want closeout; then
	prep closeout
	sc closeout 8 -- --only 'echo.server.one-message,echo.server.several-messages' "$SUB"
	after closeout
	jc "closeout: a server without stdout still passes" \
	    "case('echo.server.one-message')['verdict'] == 'pass'" \
	    "case('echo.server.several-messages')['verdict'] == 'pass'"
fi
if want exitearly; then
	prep exitearly
	sc exitearly 5 -- --only echo.server.one-message "$SUB"
	after exitearly
	jc "exitearly: error naming the early exit and its status" \
	    "case('echo.server.one-message')['verdict'] in ('error', 'fail')" \
	    "has('echo.server.one-message', r'(exit|status).*3|3.*(exit|status)')" \
	    "'pretending the port is taken' in stu('echo.server.one-message')['stderr']['head']"
fi
if want fsize; then
	prep fsize
	sc fsize 10 -- --only file.client.text "$SUB"
	after fsize
	jc "fsize: the runaway writer is stopped at the file size cap and the report says so" \
	    "case('file.client.text')['verdict'] in ('error', 'fail')" \
	    "stu('file.client.text')['signal'] == 25" \
	    "has('file.client.text', r'SIGXFSZ|file size|too (big|large)')"
	f=$(find "$REP" -name receive.dat 2>/dev/null | head -n 1)
	s=$(stat -c %s "$f" 2>/dev/null || echo 0)
	say "# fsize: receive.dat is $s bytes"
	[ "$s" -le 134217728 ] && ok "fsize: receive.dat capped at $s bytes" || bad "fsize: receive.dat is $s bytes"
fi
if want garbage; then
	# a file client writing 4 GiB of garbage into receive.dat (and 64 MiB to
	# stdout) and
	# an echo client spinning on a dead socket while it fills a log file:
	# whatever they write, the submission's report stays under its cap
	# (50 MB), large files cut to head, tail and digest (NAME.trimmed)
	prep garbage
	sc garbage 60 -- --jobs 2 --only 'file.client.*,echo.client.basic-lines,echo.client.long-line' "$SUB"
	after garbage
	jc "garbage: the writer's and the spinner's cases fail" \
	    "case('file.client.text')['verdict'] in ('error', 'fail')" \
	    "case('echo.client.basic-lines')['verdict'] in ('error', 'fail')" \
	    "stu('file.client.text')['stdout']['total'] > 1000000"
	sz=$(du -sb "$REP" | cut -f1)
	say "# garbage: the report is $sz bytes"
	[ "$sz" -lt 50000000 ] && ok "garbage: report of $sz bytes, under 50 MB" ||
	    bad "garbage: report of $sz bytes (cap 50 MB)"
	n=$(find "$REP" -name '*.trimmed' | wc -l)
	[ "$n" -ge 1 ] && ok "garbage: $n large files cut, digests kept" ||
	    bad "garbage: no file was cut (no NAME.trimmed)"
fi
if want escape && [ "$(id -u)" != 0 ]; then
	say "# skip escape: not root, so the student programs run as the caller and can"
	say "# change whatever the caller can (there is no uid to drop to)"
elif want escape; then
	for mode in netns loopback; do
		prep escape
		nn=""
		[ $mode = loopback ] && nn=--no-netns
		sc escape-$mode 8 --hold-port "$HOSTPORT" -- $nn --only 'echo.server.one-message' "$SUB"
		after escape-$mode
		esc='ESCAPED: (none allowed)'
		[ $mode = loopback ] && esc='ESCAPED: connect'	# loopback mode shares the host's lo
		jc "escape-$mode: every attempt outside the working copy was blocked" \
		    "'blocked: running as root' in stu('echo.server.one-message')['stdout']['head']" \
		    "'blocked: unlink the submission' in stu('echo.server.one-message')['stdout']['head']" \
		    "[l for l in stu('echo.server.one-message')['stdout']['head'].splitlines() if l.startswith('ESCAPED') and not l.startswith('$esc')] == []"
		if [ -e "$REP/work/build.log" ] && [ -f "$REP/work/build/hxescape" ]; then ok "escape-$mode: build copy intact"
		else bad "escape-$mode: the build copy or its log was changed"; fi
	done
fi
if want fixedport; then
	for mode in netns loopback; do
		prep fixedport
		nn=""
		[ $mode = loopback ] && nn=--no-netns
		sc fixedport-$mode 15 -- $nn --jobs 4 --only 'echo.server.one-message,echo.server.several-messages,echo.server.binary-nul,echo.server.one-byte-chunks' "$SUB"
		after fixedport-$mode
		jc "fixedport-$mode: four cases in parallel on one fixed port all pass" \
		    "all(c['verdict'] == 'pass' for c in cases)" "len(cases) == 4" \
		    "all(c['port'] == $FIXPORT for c in cases)"
	done
	# the fixed port taken by someone else (loopback mode only: a namespace has its own)
	prep fixedport
	sc fixedport-taken 15 --hold-port "$FIXPORT" -- --no-netns --only 'echo.server.one-message' "$SUB"
	after fixedport-taken
	# sockcheck names the port in use before starting the program
	jc "fixedport-taken: an error naming the port in use, no pass against the other listener" \
	    "case('echo.server.one-message')['verdict'] == 'error'" \
	    "has('echo.server.one-message', r'port $FIXPORT.*already in use')" \
	    "case('echo.server.one-message')['seconds'] < 8"
fi
if want devzero; then
	prep devzero
	sc devzero 12 -- --only 'file.client.text' "$SUB"
	after devzero
	jc "devzero: receive.dat left as a link to /dev/zero: a failure, not a hang" \
	    "case('file.client.text')['verdict'] in ('error', 'fail')" \
	    "case('file.client.text')['seconds'] < 12"
fi
if want fifo; then
	prep fifo
	sc fifo 12 -- --only 'file.client.text' "$SUB"
	after fifo
	jc "fifo: receive.dat left as a FIFO: a failure, not a hang" \
	    "case('file.client.text')['verdict'] in ('error', 'fail')" \
	    "case('file.client.text')['seconds'] < 12"
fi
if want dotdot; then
	prep dotdot
	sc dotdot 10 -- --only 'file.server.text' "$SUB"
	after dotdot "0 1 2"
fi
if want symlinkfile; then
	prep symlinkfile
	ln -s "$VICTIM" "$SUB/served.txt"
	SUB_HASH=$(tree_hash "$SUB")
	sc symlinkfile 10 -- --only 'file.server.text' "$SUB"
	after symlinkfile
fi

###########################################################################
# 5. Without --report-dir the work goes to a temporary directory in /tmp:
#    gone afterwards, also after hostile working copies and interruptions.
###########################################################################
if want tmpdir && [ "$(id -u)" = 0 ]; then
	NOREPORT=1
	prep escape	# leaves links to the submission and a private dir in its copy
	sc tmpdir-escape 8 --hold-port "$HOSTPORT" -- --only 'echo.server.one-message' "$SUB"
	after tmpdir-escape
	prep fsize	# a failing case with a 64 MiB file
	sc tmpdir-fsize 10 -- --only 'file.client.text' "$SUB"
	after tmpdir-fsize
	prep sleeper
	sc tmpdir-sigint 4 --signal INT@1 -- --only 'echo.server.*' "$SUB"
	after tmpdir-sigint "1 130"
	NOREPORT=
fi

###########################################################################
# 6. Signals to sockcheck: SIGINT/SIGTERM end a run within ~2 s, partial
#    results written, unfinished cases marked, nothing left.
###########################################################################
if want sigint; then
	ncases=$("$SC" list --only 'echo.server.*' | wc -l)
	for sig in INT TERM; do
		prep sleeper
		sc sig$sig 5.5 --signal $sig@2.5 -- --jobs 2 --only 'echo.server.*' "$SUB"
		after sig$sig "1 130 143"
		say "# sig$sig: signal at $signal_at s, exit at $elapsed s"
		took=$($PY -c "print(round($elapsed - $signal_at, 2))")
		if fcmp "$took" "<=" 2; then ok "sig$sig: ended $took s after SIG$sig"
		else bad "sig$sig: took $took s after SIG$sig"; fi
		jc "sig$sig: partial results, run marked interrupted, unfinished cases marked" \
		    "d['interrupted'] is True" "len(cases) == $ncases" \
		    "any(re.search('interrupt|not run', c['summary'], re.I) for c in cases)" \
		    "all(c['verdict'] == 'error' for c in cases if re.search('interrupt|not run', c['summary'], re.I))" \
		    "all(c['verdict'] != 'pass' for c in cases)"
	done
	# during a build that hangs
	prep buildhang
	sed -i 's/build_timeout: 2/build_timeout: 60/' "$SUB/sockcheck.yaml"
	SUB_HASH=$(tree_hash "$SUB")
	sc sigint-build 4 --signal INT@1 -- --only echo.server.one-message "$SUB"
	after sigint-build "1 2 130"
fi

###########################################################################
# 7. Figures: a deadlock (the no-shutdown mutant) to its verdict.
###########################################################################
if want deadlock; then
	SUB="$W/sub-no-shutdown"
	rm -rf "$SUB"
	cp -R fixtures/correct "$SUB"
	(cd "$SUB" && rm -f echo_server echo_client file_server file_client receive.dat &&
	    patch -s -p1 <"$TOP/fixtures/mutants/no-shutdown/bug.patch")
	SUB_HASH=$(tree_hash "$SUB")
	mkdir -p "$W/victims/no-shutdown"
	VICTIM_HASH=$(tree_hash "$W/victims/no-shutdown")
	sc deadlock 8 -- --only 'file.server.half-close-thank-you' "$SUB"
	after deadlock
	secs=$($PY -c "import json; print(round(json.load(open('$REP/results.json'))['cases'][0]['seconds'], 2))")
	# the stall starts at the peer's last wire event (t: microseconds since the peer started)
	stall=$($PY - "$REP/results.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))["cases"][0]
st = [p for p in c["processes"] if p["role"] == "student"][0]
peer = [p for p in c["processes"] if p["role"].startswith("peer")][0]
last = max(json.loads(l)["t"] for l in open(peer["events"]) if l.strip())
print(round(c["seconds"] - (st["seconds"] - peer["seconds"]) - last / 1e6, 2))
EOF
)
	DEADLOCK_SECS="$secs s, $stall s after the stall"
	say "# deadlock: file.server.half-close-thank-you (no-shutdown) verdict after $secs s, $stall s after the last byte moved (deadline 10 s)"
	if fcmp "$stall" "<" 1; then ok "deadlock: verdict $stall s after the stall"
	else bad "deadlock: verdict $stall s after the stall (well under a second wanted)"; fi
	jc "deadlock: diagnosed well before the deadline, naming the missing shutdown" \
	    "case('file.server.half-close-thank-you')['verdict'] == 'fail'" \
	    "case('file.server.half-close-thank-you')['seconds'] < 5" \
	    "has('file.server.half-close-thank-you', r'shutdown')"
fi

T_TOTAL=$(since "$T_START")
say "# hostile corpus: $passes checks passed, $fails failed, in $T_TOTAL s${DEADLOCK_SECS:+; deadlock to verdict: $DEADLOCK_SECS}"
if [ "$fails" -gt 0 ]; then
	say "# failed:$FAILED"
	exit 1
fi
exit 0
