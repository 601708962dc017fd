#!/bin/sh
# run --repeat N: each case runs N times; a case whose verdicts differ is
# reported as flaky, with both outcomes, in the terminal and in
# results.json, and the exit status is 1. A steady case is not flaky.
# The flaky submission: an echo server that exits at once on every second
# start (a counter file outside the case's copy counts the starts).
set -u
BUILD=${1:-build}
SC=$(cd "$BUILD" && pwd)/sockcheck
tmp=$(mktemp -d /tmp/sockcheck-repeat.XXXXXX)
chmod 755 "$tmp"
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT INT TERM
fail=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; fail=1; }

mkdir -p "$tmp/flaky" "$tmp/counter"
: >"$tmp/counter/starts"
chmod 666 "$tmp/counter/starts"	# as root, each case's programs run under a uid of its own
cp fixtures/correct/*.c fixtures/correct/Makefile "$tmp/flaky/"
python3 - "$tmp/flaky/echo_server.c" "$tmp/counter/starts" <<'PY'
import sys
path, counter = sys.argv[1], sys.argv[2]
src = open(path).read()
head = "main(int argc, char *argv[])\n{\n"
assert head in src
src = src.replace(head, head + """\
	{	/* every second start fails */
		struct stat st;
		int cfd = open("%s", O_RDWR | O_CREAT | O_APPEND, 0666);
		if (cfd < 0 || write(cfd, "x", 1) != 1 || fstat(cfd, &st) < 0)
			return 3;
		close(cfd);
		if (st.st_size %% 2 == 0)
			return 3;
	}
""" % counter, 1)
src = "#include <fcntl.h>\n#include <sys/stat.h>\n#include <unistd.h>\n" + src
open(path, "w").write(src)
PY

# 1. flaky: 4 runs of one case, 2 pass and 2 fail
"$SC" run --repeat 4 --jobs 1 --only echo.server.one-message --report-dir "$tmp/r1" \
	"$tmp/flaky" >"$tmp/out1" 2>&1
rc=$?
[ "$rc" -eq 1 ] && ok "a flaky case makes the exit status 1" || notok "exit status $rc, want 1"
grep -q "FLAKY over 4 runs: pass 2 fail 2" "$tmp/out1" &&
	ok "the terminal report says FLAKY with the counts" ||
	notok "no 'FLAKY over 4 runs: pass 2 fail 2' in the terminal report"
grep -q "this run: fail" "$tmp/out1" && grep -q "another:  pass" "$tmp/out1" &&
	ok "the terminal report gives both outcomes" ||
	notok "the terminal report lacks one of the outcomes"
grep -q "^1 flaky of 1 cases, each run 4 times" "$tmp/out1" &&
	ok "the closing lines count the flaky cases" || notok "no flaky count in the closing lines"
python3 - "$tmp/r1/results.json" <<'PY' && ok "results.json: flaky, runs, verdicts and the other outcome" || notok "results.json"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["cases"][0]
assert d["repeat"] == 4 and d["flaky"] == 1 and d["exit_status"] == 1, d
assert c["runs"] == 4 and c["flaky"] is True, c
assert c["verdicts"] == {"pass": 2, "fail": 2, "error": 0, "skip": 0}, c["verdicts"]
assert c["verdict"] == "fail" and c["summary"], c
assert c["other"] == {"verdict": "pass", "summary": ""}, c["other"]
PY
if [ -d "$tmp/r1/work/cases/echo.server.one-message.r1" ] ||
   [ -d "$tmp/r1/work/cases/echo.server.one-message.r2" ]; then
	n=$(ls "$tmp/r1/work/cases" | wc -l)
	[ "$n" -eq 1 ] && ok "only the logs of the run that stands are kept" ||
		notok "$n case directories kept, want 1: $(ls "$tmp/r1/work/cases")"
else
	notok "no case directory named after its run: $(ls "$tmp/r1/work/cases")"
fi

# 2. steady: the correct fixture, 3 runs of two cases, none flaky
"$SC" run --repeat 3 --jobs 2 --only 'echo.server.one-message,file.client.text' \
	--report-dir "$tmp/r2" fixtures/correct >"$tmp/out2" 2>&1
rc=$?
[ "$rc" -eq 0 ] && grep -q "^0 flaky of 2 cases, each run 3 times" "$tmp/out2" &&
	! grep -q FLAKY "$tmp/out2" && ok "steady cases are not flaky (exit 0)" ||
	{ notok "steady cases: exit $rc"; sed 's/^/    /' "$tmp/out2" | head -20; }

# 3. without --repeat, results.json says one run
"$SC" run --only echo.server.one-message --report-dir "$tmp/r3" fixtures/correct >/dev/null 2>&1
python3 - "$tmp/r3/results.json" <<'PY' && ok "one run: runs 1, not flaky" || notok "one run: results.json"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["cases"][0]
assert d["repeat"] == 1 and d["flaky"] == 0
assert c["runs"] == 1 and c["flaky"] is False and c["other"] is None
assert c["verdicts"] == {"pass": 1, "fail": 0, "error": 0, "skip": 0}
assert c["case_dir"].endswith("/echo.server.one-message"), c["case_dir"]
PY
exit $fail
