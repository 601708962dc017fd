#!/bin/sh
# sockcheck gradescope-bundle: the zip holds setup.sh, run_autograder, the
# assignment and the sources; built from the bundled sources, run_autograder
# (with /autograder moved under a temporary directory) grades the correct
# fixture and writes a Gradescope results.json with a score and tests.
set -u
BUILD=${1:-build}
SC=$(cd "$BUILD" && pwd)/sockcheck
tmp=$(mktemp -d /tmp/sockcheck-bundle-test.XXXXXX)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }

if ! command -v zip >/dev/null 2>&1 || ! command -v unzip >/dev/null 2>&1; then
	bad "zip and unzip are needed (apt-get install zip unzip)"
	exit 1
fi
"$SC" gradescope-bundle assignments/echo-file.yaml -o "$tmp/ag.zip" >/dev/null \
	&& ok "bundle written" || bad "gradescope-bundle failed"
ag=$tmp/autograder
mkdir -p "$ag/source" "$ag/submission" "$ag/results"
unzip -q "$tmp/ag.zip" -d "$ag/source" || bad "unzip"
for f in setup.sh run_autograder assignment.yaml sockcheck/Makefile sockcheck/harness/main.c \
    sockcheck/scenarios/echo/server/one-message.yaml sockcheck/.ci/install-deps; do
	[ -e "$ag/source/$f" ] || bad "the bundle lacks $f"
done
[ -x "$ag/source/setup.sh" ] && [ -x "$ag/source/run_autograder" ] && ok "scripts executable" \
	|| bad "scripts not executable"
"$SC" gradescope-bundle tests/does-not-exist.yaml -o "$tmp/x.zip" >/dev/null 2>&1
[ $? -eq 2 ] && [ ! -e "$tmp/x.zip" ] && ok "a missing assignment: exit 2, no zip" \
	|| bad "a missing assignment was bundled"

# setup.sh's build, then run_autograder with /autograder under $tmp
make -s -C "$ag/source/sockcheck" -j2 >"$tmp/build.log" 2>&1 && ok "the bundled sources build" \
	|| { bad "the bundled sources do not build"; tail -20 "$tmp/build.log"; exit 1; }
cp fixtures/correct/*.c fixtures/correct/Makefile "$ag/submission/"
sed "s|/autograder|$ag|g; s|/tmp/sockcheck-report|$tmp/report|g" "$ag/source/run_autograder" \
	> "$tmp/run_autograder"
timeout 300 sh "$tmp/run_autograder" >"$tmp/run.log" 2>&1
python3 - "$ag/results/results.json" <<'PY' && ok "results.json: Gradescope format, the correct fixture scores" || bad "results.json"
import json, sys
r = json.load(open(sys.argv[1]))
assert isinstance(r.get("score"), (int, float)) and r["score"] > 0, r.get("score")
tests = r.get("tests")
assert tests and all({"name", "score", "max_score"} <= set(t) for t in tests), tests[:1]
assert sum(t["score"] for t in tests) == r["score"], (sum(t["score"] for t in tests), r["score"])
PY
exit $fail
