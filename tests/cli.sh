#!/bin/sh
# The command-line conventions of sockcheck: `sockcheck COMMAND --help`
# prints that command's help only (on stdout, exit 0); an unknown option or
# a missing value is one line naming it plus "try 'sockcheck COMMAND --help'"
# on stderr, exit 2, nothing on stdout; --version; colour only on a terminal
# and never with NO_COLOR set. Usage: sh tests/cli.sh BUILD_DIR
set -u
BUILD=${1:-build}
SC=$BUILD/sockcheck
tmp=$(mktemp -d /tmp/sockcheck-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
n=0
fail() { echo "not ok - $*"; fails=$((fails + 1)); }
ok() { n=$((n + 1)); }
# run CMD...: stdout in $tmp/out, stderr in $tmp/err, status in $rc
run() { rc=0; timeout 20 "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?; }

# every command the general help lists (a new one is checked as it lands),
# and at least these
commands=$("$SC" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' | tr '\n' ' ')
for c in run list validate explain payload grade merge gradescope-bundle; do
	case " $commands " in *" $c "*) ;; *) fail "sockcheck --help does not list $c" ;; esac
done

# 1. per-command help: its own usage line, no other command's
for c in $commands; do
	run "$SC" "$c" --help
	[ "$rc" -eq 0 ] || fail "$c --help: exit $rc"
	[ "$(head -n 1 "$tmp/out" | cut -d' ' -f1-3)" = "usage: sockcheck $c" ] ||
	    fail "$c --help: first line is '$(head -n 1 "$tmp/out")'"
	[ "$(grep -c '^usage:' "$tmp/out")" -eq 1 ] || fail "$c --help: more than one usage line"
	for o in $commands; do
		[ "$o" = "$c" ] && continue
		grep -q "sockcheck $o\( \|\$\)" "$tmp/out" && fail "$c --help shows sockcheck $o too"
	done
	[ -s "$tmp/err" ] && fail "$c --help: something on stderr: $(cat "$tmp/err")"
	cp "$tmp/out" "$tmp/help.$c"
	run "$SC" "$c" -h
	cmp -s "$tmp/out" "$tmp/help.$c" || fail "$c -h differs from $c --help"
	run "$SC" help "$c"
	cmp -s "$tmp/out" "$tmp/help.$c" || fail "help $c differs from $c --help"
	ok
done
# the options of run are in run's help and not in list's
grep -q -- '--memcheck' "$tmp/help.run" || fail "run --help lacks --memcheck"
grep -q -- '--memcheck' "$tmp/help.list" && fail "list --help shows run's --memcheck"
grep -q -- '--shard' "$tmp/help.grade" || fail "grade --help lacks --shard"
grep -q -- '--shard' "$tmp/help.run" && fail "run --help shows grade's --shard"
# the general help lists every command
run "$SC" --help
[ "$rc" -eq 0 ] || fail "--help: exit $rc"
for c in $commands; do
	grep -q "^  $c  " "$tmp/out" || fail "--help does not list $c"
	grep -q "sockcheck $c" "$tmp/out" || fail "--help has no synopsis of $c"
done
ok

# 2. unknown options and missing values: one line, the pointer, exit 2
check_usage() { # EXPECTED_FIRST_LINE HELP_CMD ARGS...
	want=$1 help=$2
	shift 2
	run "$SC" "$@"
	[ "$rc" -eq 2 ] || fail "$*: exit $rc, expected 2"
	[ -s "$tmp/out" ] && fail "$*: something on stdout"
	[ "$(wc -l < "$tmp/err")" -eq 2 ] || fail "$*: stderr is not two lines: $(cat "$tmp/err")"
	[ "$(head -n 1 "$tmp/err")" = "$want" ] ||
	    fail "$*: '$(head -n 1 "$tmp/err")', expected '$want'"
	[ "$(tail -n 1 "$tmp/err")" = "try '$help --help'" ] ||
	    fail "$*: last line '$(tail -n 1 "$tmp/err")'"
	ok
}
for c in $commands; do
	check_usage "sockcheck $c: unknown option '--frobnicate'" "sockcheck $c" "$c" --frobnicate
	check_usage "sockcheck $c: unknown option '-Z'" "sockcheck $c" "$c" -Z
done
check_usage "sockcheck run: option '--suite' needs a value" "sockcheck run" run --suite
check_usage "sockcheck grade: option '--out' needs a value" "sockcheck grade" grade --out
check_usage "sockcheck list: option '--only' needs a value" "sockcheck list" list --only
check_usage "sockcheck run: option '--keep' takes no value" "sockcheck run" run --keep=yes
check_usage "sockcheck run: --jobs: 'many' is not a number from 1 to 256" "sockcheck run" \
    run --jobs many
check_usage "sockcheck payload: unknown pattern 'plaid' (text, binary, random, zero)" \
    "sockcheck payload" payload --pattern plaid
check_usage "sockcheck validate: needs at least one FILE" "sockcheck validate" validate
check_usage "sockcheck: unknown option '--frobnicate'" "sockcheck" --frobnicate
check_usage "sockcheck: unknown command 'frobnicate'" "sockcheck" frobnicate
check_usage "sockcheck: unknown command 'frobnicate'" "sockcheck" help frobnicate
# options still work in their --name=value form
run "$SC" list --suite=scenarios --only=echo.server.one-message
[ "$rc" -eq 0 ] && grep -q '^echo.server.one-message ' "$tmp/out" ||
    fail "list --suite=DIR --only=GLOB: exit $rc: $(cat "$tmp/out" "$tmp/err")"
ok

# 3. --version
# the version, then the isolation this machine gives (sockcheck doctor says more)
run "$SC" --version
[ "$rc" -eq 0 ] && [ "$(head -n 1 "$tmp/out")" = "sockcheck $(cat VERSION)" ] &&
    sed -n 2p "$tmp/out" | grep -Eq '^isolation: (network namespaces \(as root\)|user namespaces \(unprivileged\)|none \(the machine.s loopback, shared\)): .' &&
    [ "$(wc -l <"$tmp/out")" -eq 2 ] ||
    fail "--version: exit $rc: $(cat "$tmp/out")"
ok

# 4. colour: on a terminal (script(1) gives one), not with NO_COLOR, not on a pipe.
# A submission without programs: every case is a skip, printed in yellow.
mkdir -p "$tmp/empty"
sgr=$(printf '\033\\[[0-9;]*m')
tty_run() { # ENV... : the run's terminal output in $tmp/tty
	timeout 60 script -qec "env $* $SC run --only 'echo.server.one-message' $tmp/empty" \
	    /dev/null >"$tmp/tty" 2>&1 </dev/null
}
if command -v script >/dev/null 2>&1; then
	tty_run TERM=xterm
	grep -q "${sgr}SKIP" "$tmp/tty" || fail "no colour on a terminal: $(od -c "$tmp/tty" | head -n 5)"
	tty_run TERM=xterm NO_COLOR=1
	grep -q "$sgr" "$tmp/tty" && fail "colour on a terminal with NO_COLOR=1"
	grep -q "SKIP" "$tmp/tty" || fail "NO_COLOR run printed no report: $(cat "$tmp/tty")"
	tty_run TERM=xterm NO_COLOR=
	grep -q "${sgr}SKIP" "$tmp/tty" || fail "an empty NO_COLOR turned colour off (no-color.org: only when not empty)"
	tty_run TERM=dumb
	grep -q "$sgr" "$tmp/tty" && fail "colour on TERM=dumb"
	ok
else
	fail "script(1) is not installed (bsdutils): the terminal test did not run"
fi
run env -u NO_COLOR TERM=xterm "$SC" run --only 'echo.server.one-message' "$tmp/empty"
grep -q "$sgr" "$tmp/out" && fail "colour on a pipe"
grep -q "SKIP" "$tmp/out" || fail "pipe run printed no report: $(cat "$tmp/out" "$tmp/err")"
ok

# 5. the score line says what the maximum counts: nothing ran here
run "$SC" run --only 'echo.server.one-message,echo.server.several-messages' \
    --report-dir "$tmp/rep" --format md "$tmp/empty"
pts=$("$SC" list --only 'echo.server.one-message,echo.server.several-messages' | awk '{ s += $3 } END { print s }')
[ "$(tail -n 1 "$tmp/out")" = "score 0/0 for the programs present (none); $pts points in skipped cases" ] ||
    fail "terminal score line: '$(tail -n 1 "$tmp/out")' ($pts points skipped)"
grep -qx "\*\*Score 0/0 for the programs present (none); $pts points in skipped cases\*\*" \
    "$tmp/rep/summary.md" || fail "summary.md has no score line: $(head -n 5 "$tmp/rep/summary.md")"
ok

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "ok: $n checks of the command-line conventions"
