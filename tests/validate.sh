#!/bin/sh
# The CLI around the scenario loader: `sockcheck validate`, `list`, --help,
# --version and usage errors. Usage: sh tests/validate.sh BUILD_DIR
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
cd "$(dirname "$0")/.." || exit 1	# scenarios/ and VERSION are relative to the top
SC="$BUILD/sockcheck"
fails=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/validate.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# run CMD...: stdout to $tmp/out, stderr to $tmp/err, status to $rc
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

expect_rc() {
	want=$1
	shift
	run "$@"
	[ "$rc" -eq "$want" ] || { fail "$* exited $rc, expected $want"; sed 's/^/    /' "$tmp/err"; }
}

[ -x "$SC" ] || { echo "no $SC: build first"; exit 1; }

# 1. Every scenario of the suite validates, one by one and all at once.
n=0
files=$(find scenarios -name '*.yaml' | sort)
for f in $files; do
	n=$((n + 1))
	run "$SC" validate "$f"
	[ "$rc" -eq 0 ] || { fail "validate $f exited $rc"; sed 's/^/    /' "$tmp/err"; continue; }
	grep -q "^$f: ok (" "$tmp/out" || fail "validate $f: no ok line: $(cat "$tmp/out")"
done
[ "$n" -ge 40 ] || fail "only $n scenario files found"
# shellcheck disable=SC2086
run "$SC" validate $files
[ "$rc" -eq 0 ] || fail "validate of all files exited $rc"
[ "$(grep -c ': ok (' "$tmp/out")" -eq "$n" ] || fail "validate of all files: not $n ok lines"
# the id printed comes from protocol, role and the file name
run "$SC" validate scenarios/file/client/text.yaml
grep -q '(file.client.text)' "$tmp/out" || fail "validate prints the id: $(cat "$tmp/out")"

# 2. A broken file: exit 2, file:line:col: message, the line and a caret.
cat >"$tmp/bad.yaml" <<'EOF'
title: broken
protocol: echo
role: server
timout: 5
hint: h
EOF
expect_rc 2 "$SC" validate "$tmp/bad.yaml"
grep -q "^sockcheck: $tmp/bad.yaml:4:1: unknown key 'timout' in the scenario (did you mean 'timeout'?)\$" \
    "$tmp/err" || { fail "bad.yaml: no file:line:col message"; cat "$tmp/err"; }
grep -q '^    timout: 5$' "$tmp/err" || fail "bad.yaml: no excerpt line"
grep -q '^    ^$' "$tmp/err" || fail "bad.yaml: no caret under column 1"
[ -s "$tmp/out" ] && fail "bad.yaml: something on stdout: $(cat "$tmp/out")"

# a file in a suite's <protocol>/<role>/ directory is checked against its
# place, as list and run check it; the same file elsewhere is fine
mkdir -p "$tmp/placed/echo/client"
cp scenarios/file/server/text.yaml "$tmp/placed/echo/client/misplaced.yaml"
expect_rc 2 "$SC" validate "$tmp/placed/echo/client/misplaced.yaml"
grep -q "misplaced.yaml:3:7: protocol 'file' and role 'server' don't match the file's place in the suite (id 'echo.client.misplaced')" \
    "$tmp/err" || fail "misplaced file accepted by validate: $(cat "$tmp/out" "$tmp/err")"
cp scenarios/file/server/text.yaml "$tmp/loose.yaml"
expect_rc 0 "$SC" validate "$tmp/loose.yaml"

# the caret sits under the column of the bad value
cat >"$tmp/role.yaml" <<'EOF'
title: broken
protocol: echo
role: sever
hint: h
EOF
expect_rc 2 "$SC" validate "$tmp/role.yaml"
grep -q "^sockcheck: $tmp/role.yaml:3:7: 'role' must be one of server, client or pair; got 'sever'\$" \
    "$tmp/err" || { fail "role.yaml: message"; cat "$tmp/err"; }
grep -q '^    role: sever$' "$tmp/err" || fail "role.yaml: no excerpt line"
grep -q '^          \^$' "$tmp/err" || { fail "role.yaml: caret not under column 7"; cat -A "$tmp/err"; }

# a YAML syntax error
printf 'title: t\nprotocol: echo\nrole: server\nhint: h\nexpect:\n\tdata: true\n' >"$tmp/tab.yaml"
expect_rc 2 "$SC" validate "$tmp/tab.yaml"
grep -q "^sockcheck: $tmp/tab.yaml:6:1: YAML syntax" "$tmp/err" || { fail "tab.yaml"; cat "$tmp/err"; }

# good and bad files together: every file is reported, the status is 2
expect_rc 2 "$SC" validate scenarios/echo/server/one-message.yaml "$tmp/bad.yaml" "$tmp/role.yaml"
grep -q 'one-message.yaml: ok' "$tmp/out" || fail "mixed: the good file is not reported"
grep -q 'bad.yaml:4:1:' "$tmp/err" || fail "mixed: bad.yaml not reported"
grep -q 'role.yaml:3:7:' "$tmp/err" || fail "mixed: role.yaml not reported (stops at the first?)"

# a missing file, an empty file
expect_rc 2 "$SC" validate "$tmp/none.yaml"
grep -q 'No such file' "$tmp/err" || fail "missing file: $(cat "$tmp/err")"
: >"$tmp/empty.yaml"
expect_rc 2 "$SC" validate "$tmp/empty.yaml"
grep -q "missing required key 'title'" "$tmp/err" || fail "empty file: $(cat "$tmp/err")"
# no file at all is a usage error
expect_rc 2 "$SC" validate

# 3. list: every id, one per line, sorted; --only filters
expect_rc 0 "$SC" list --suite scenarios
[ "$(wc -l <"$tmp/out")" -eq "$n" ] || fail "list: $(wc -l <"$tmp/out") lines for $n scenarios"
for id in echo.server.one-message file.client.text file.server.half-close-thank-you \
    echo.pair.student-pair; do
	grep -q "^$id " "$tmp/out" || fail "list: no $id"
done
cut -d' ' -f1 "$tmp/out" >"$tmp/ids"
sort "$tmp/ids" | cmp -s - "$tmp/ids" || fail "list: ids not sorted"
[ "$(sort -u "$tmp/ids" | wc -l)" -eq "$n" ] || fail "list: duplicate ids"
expect_rc 0 "$SC" list --suite scenarios --only 'file.server.*,echo.client.basic-lines'
grep -qv '^file\.server\.\|^echo\.client\.basic-lines ' "$tmp/out" &&
    fail "list --only: unexpected lines: $(grep -v '^file\.server\.' "$tmp/out")"
grep -q '^echo.client.basic-lines ' "$tmp/out" || fail "list --only: no echo.client.basic-lines"
[ "$(grep -c '^file\.server\.' "$tmp/out")" -eq "$(find scenarios/file/server -name '*.yaml' | wc -l)" ] ||
    fail "list --only: not every file.server case"
expect_rc 0 "$SC" list --suite scenarios --only 'nothing.matches'
[ -s "$tmp/out" ] && fail "list --only nothing: $(cat "$tmp/out")"
# a broken suite: exit 2 with the position
mkdir -p "$tmp/suite/echo/server"
cp "$tmp/bad.yaml" "$tmp/suite/echo/server/bad.yaml"
expect_rc 2 "$SC" list --suite "$tmp/suite"
grep -q "bad.yaml:4:1: unknown key 'timout'" "$tmp/err" || fail "list broken suite: $(cat "$tmp/err")"
expect_rc 2 "$SC" list --bogus

# 4. --help, --version, usage errors
expect_rc 0 "$SC" --help
grep -q '^usage: sockcheck run' "$tmp/out" || fail "--help: no usage on stdout"
expect_rc 0 "$SC" -h
expect_rc 0 "$SC" --version
grep -q "^sockcheck $(cat VERSION)\$" "$tmp/out" || fail "--version: $(cat "$tmp/out")"
expect_rc 2 "$SC"
expect_rc 2 "$SC" frobnicate
grep -q "unknown command 'frobnicate'" "$tmp/err" || fail "unknown command: $(cat "$tmp/err")"
grep -q "^try 'sockcheck --help'\$" "$tmp/err" || fail "unknown command: no pointer to --help on stderr"
[ -s "$tmp/out" ] && fail "unknown command: something on stdout"
expect_rc 2 "$SC" --frobnicate
expect_rc 2 "$SC" run --frobnicate
expect_rc 2 "$SC" run --jobs 0 "$tmp"
expect_rc 2 "$SC" run --timeout-scale abc "$tmp"
expect_rc 2 "$SC" run "$tmp" "$tmp"
expect_rc 2 "$SC" explain
expect_rc 2 "$SC" explain --suite scenarios no.such.case

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "ok: validate, list, --help, --version, usage errors ($n scenarios)"
