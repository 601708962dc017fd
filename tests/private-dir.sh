#!/bin/sh
# The same verdicts from a private directory. A clone under a 0700 parent
# (mktemp -d, a home on Fedora and many university systems): as root the
# sandboxed programs run under uids of their own, which cannot search that
# parent, and the preload library (loaded by absolute path) did not load:
# fault injection silently did not happen (skip, 0 points), the finder lost
# its trace of the files a server opens. Here the tests that depend on it
# run from a copy of this tree (sources and the built programs) under a
# 0700 directory: fault injection, grading with it, the finder. Unprivileged
# the programs run as the caller, who reaches its own directories: the
# tests run all the same.
set -u
BUILD=${1:-build}
HERE=$(pwd)
BUILD_ABS=$(cd "$BUILD" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sockcheck-private.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
chmod 700 "$tmp"
fail=0

# the tree as a clone has it (tracked files), then the built programs
dst=$tmp/p
mkdir -p "$dst/build"
if git -C "$HERE" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$HERE" && git ls-files -z | xargs -0 tar cf - 2>/dev/null) | tar xf - -C "$dst"
else
	tar cf - --exclude="./$BUILD" . | tar xf - -C "$dst"
fi
cp -R "$BUILD_ABS/sockcheck" "$BUILD_ABS/reference" "$BUILD_ABS/lib" "$dst/build/"
[ "$(stat -c %a "$tmp")" = 700 ] || { echo "not ok - $tmp is not 0700"; exit 1; }

for t in inject finder; do
	t0=$(date +%s)
	if (cd "$dst" && timeout 600 sh "tests/$t.sh" build) >"$tmp/$t.log" 2>&1; then
		echo "ok - from a 0700 parent: tests/$t.sh ($(($(date +%s) - t0)) s)"
	else
		echo "not ok - from a 0700 parent: tests/$t.sh:"
		grep -v '^ok' "$tmp/$t.log" | head -n 20
		fail=1
	fi
done
# grade (tests/grade.sh's class, bounded to what differed): a correct student
# gets every point of the fault-injection cases (0 of 2 each, skipped, before)
mkdir -p "$tmp/class/alice"
cp fixtures/correct/*.c fixtures/correct/Makefile "$tmp/class/alice/"
cat >"$tmp/asg.yaml" <<'EOF'
title: "private-dir.sh: the fault-injection cases"
cases:
  - select: ["echo.client.eintr", "echo.client.one-byte-reads", "file.server.sigpipe-on-write"]
EOF
(cd "$dst" && timeout 300 build/sockcheck grade --assignment "$tmp/asg.yaml" --jobs 2 \
    --out "$tmp/grade" "$tmp/class") >"$tmp/grade.log" 2>&1
row=$(grep '^alice,' "$tmp/grade/gradebook.csv" 2>/dev/null | cut -d, -f2,3)
case $row in
6,6) echo "ok - from a 0700 parent: grade: the injection cases score 6 of 6" ;;
*) echo "not ok - from a 0700 parent: grade: alice scored '$row' (score,max), want 6,6"
	tail -n 20 "$tmp/grade.log"; fail=1 ;;
esac

# A preload library that can't load is a harness error naming it, never a
# skip (nor a pass with no fault injected): here one that is not ELF.
bad=$tmp/bad
mkdir -p "$bad/lib"
cp -R "$BUILD_ABS/sockcheck" "$BUILD_ABS/reference" "$bad/"
echo "not a shared object" >"$bad/lib/libscinject.so"
"$bad/sockcheck" run --suite scenarios --report-dir "$tmp/badrun" --format json --only 'echo.client.eintr' \
	fixtures/correct >/dev/null 2>&1
got=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["cases"][0]; print(c["verdict"], "|", c.get("summary"))' \
	"$tmp/badrun/results.json" 2>&1)
case $got in
"error | "*libscinject.so*"could not be loaded"*) echo "ok - a preload library that can't load: $got" ;;
*) echo "not ok - a preload library that can't load: got '$got'"; fail=1 ;;
esac
exit $fail
