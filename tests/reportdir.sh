#!/bin/sh
# run and grade give the same results whatever the report directory's
# parents allow. As root, a case's programs run under a uid of their own;
# below a 0700 parent (mktemp -d, a private home) that uid cannot reach the
# program by its absolute path, and valgrind then loses the debug info: the
# memcheck findings had no file:line ("leak-definite in malloc()"). Here
# the same memcheck mutant is run and graded with the report below a 0755
# and below a 0700 parent: the findings must be the same, with file:line.
set -u
BUILD=${1:-build}
SC=$(cd "$BUILD" && pwd)/sockcheck
if ! command -v valgrind >/dev/null 2>&1; then
	echo "ok - skipped: valgrind is not installed (memcheck findings are what differ)"
	exit 0
fi
tmp=$(mktemp -d /tmp/sockcheck-reportdir.XXXXXX)
chmod 755 "$tmp"
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
fail=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; fail=1; }

# the class: one student, the leaking echo server
mkdir -p "$tmp/class/leaky" "$tmp/open" "$tmp/closed"
cp fixtures/correct/*.c fixtures/correct/Makefile "$tmp/class/leaky/"
(cd "$tmp/class/leaky" && patch -s -p1 <"$OLDPWD/fixtures/mutants/mc-leak-per-client/bug.patch") ||
	{ echo "not ok - the mutant's patch does not apply"; exit 1; }
chmod 755 "$tmp/open"
chmod 700 "$tmp/closed"
ONLY=echo.server.one-message

# findings FILE: "kind file:line function" per finding of the case, sorted
findings() {
	python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
out = []
for c in d["cases"]:
    for f in (c.get("memcheck") or {}).get("findings", []):
        out.append("%s %s %s:%s %s" % (c["id"], f["kind"], f["file"], f["line"], f["function"]))
print("\n".join(sorted(out)))
PY
}

for where in open closed; do
	"$SC" run --memcheck --only "$ONLY" --report-dir "$tmp/$where/run" "$tmp/class/leaky" \
		>"$tmp/$where-run.out" 2>&1
	"$SC" grade --memcheck --only "$ONLY" --out "$tmp/$where/grades" "$tmp/class" \
		>"$tmp/$where-grade.out" 2>&1
done
want="$ONLY leak-definite echo_server.c:132 main"
for how in run grade; do
	if [ "$how" = run ]; then f=run/results.json; else f=grades/students/leaky/results.json; fi
	a=$(findings "$tmp/open/$f" 2>&1)
	b=$(findings "$tmp/closed/$f" 2>&1)
	[ "$a" = "$want" ] && ok "$how, report below a 0755 parent: $a" ||
		{ notok "$how, report below a 0755 parent: got '$a', want '$want'"; tail -5 "$tmp/open-$how.out"; }
	[ "$b" = "$a" ] && ok "$how, report below a 0700 parent: the same findings" ||
		{ notok "$how, report below a 0700 parent: got '$b', want '$a'"; tail -5 "$tmp/closed-$how.out"; }
done
# the logs stay in the report directory; the working copies leave nothing in /tmp
python3 - "$tmp/closed/run/results.json" "$tmp/closed/run" <<'PY' &&
import json, sys
d = json.load(open(sys.argv[1]))
assert all(c["case_dir"].startswith(sys.argv[2] + "/") for c in d["cases"]), d["cases"][0]["case_dir"]
PY
	ok "0700 parent: the case logs are in the report directory" ||
	notok "0700 parent: case_dir outside the report directory"
cmp -s "$tmp/open/grades/gradebook.csv" "$tmp/closed/grades/gradebook.csv" &&
	ok "the two gradebooks are the same" ||
	{ notok "the gradebooks differ"; diff "$tmp/open/grades/gradebook.csv" "$tmp/closed/grades/gradebook.csv"; }
exit $fail
