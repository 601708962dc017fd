#!/bin/sh
# The convention finder (harness/fnd.c) end to end, beyond the variants the
# self-test checks:
#  - `sockcheck infer` writes a profile that loads and runs the program as found;
#  - a second run with the same work directory takes the findings from the cache;
#  - the profile wins: a wrong `file:` makes the server die for want of its
#    file, and the verdict says so ("opened data.txt: No such file or
#    directory"), not "close() where shutdown belongs";
#  - UDP: infer writes a UDP client's argument order and quit word, and the
#    profile runs it (the same client without the finder fails);
#  - a port nobody can learn (htons() left out: given 5000 it listens on
#    34835) is inferred as `port: listening`, and with that profile the
#    cases run on it while echo.server.port-usable fails (hidden-port);
#  - the time the finder takes per program is printed (a figure, not asserted).
set -u
BUILD=${1:-build}
SC=$BUILD/sockcheck
T=$(mktemp -d /tmp/sockcheck-finder.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
bad=0
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; bad=1; }

# 1. infer: a commented profile that loads and works
cp -R fixtures/variants/fs-fixed-port-argv-file "$T/argvfile"
rm -f "$T/argvfile/fixture.yaml"
if timeout 120 "$SC" infer -o "$T/inferred.yaml" "$T/argvfile" 2>"$T/infer.err"; then
	grep -q '^    port: 9090' "$T/inferred.yaml" &&
	    grep -q '^    command: "./file_server {file}"' "$T/inferred.yaml" &&
	    grep -q '^#' "$T/inferred.yaml" &&
	    grep -q 'argv\[1\] is the served file' "$T/infer.err" ||
	    fail "infer: unexpected profile: $(cat "$T/inferred.yaml" "$T/infer.err")"
	cp "$T/inferred.yaml" "$T/argvfile/sockcheck.yaml"
	timeout 300 "$SC" run --no-finder --only 'file.server.text' --report-dir "$T/r1" \
	    "$T/argvfile" >"$T/r1.out" 2>&1 &&
	    ok "infer: the profile it writes loads and runs the server as found" ||
	    fail "infer: the inferred profile does not work: $(cat "$T/r1.out")"
else
	fail "infer failed: $(cat "$T/infer.err")"
fi

# 1b. a port nobody can learn: inferred as listening, judged the same from the profile
cp -R fixtures/variants/es-port-no-htons "$T/nohtons"
rm -f "$T/nohtons/fixture.yaml"
if timeout 120 "$SC" infer -o "$T/nohtons.yaml" "$T/nohtons" 2>"$T/nohtons.err" &&
    grep -q '^    port: listening    # not the port it was given' "$T/nohtons.yaml"; then
	cp "$T/nohtons.yaml" "$T/nohtons/sockcheck.yaml"
	timeout 300 "$SC" run --no-finder --only 'echo.server.one-message,echo.server.port-usable' \
	    --report-dir "$T/rp" "$T/nohtons" >"$T/rp.out" 2>&1
	if grep -q '^PASS  echo.server.one-message' "$T/rp.out" &&
	    grep -q '^FAIL  echo.server.port-usable' "$T/rp.out" &&
	    grep -q 'which it never told anyone.*\[hidden-port\]' "$T/rp.out"; then
		ok "a port it was not given: inferred as listening; the cases run, port-usable fails"
	else
		fail "a port it was not given, from the profile: $(cat "$T/rp.out")"
	fi
else
	fail "infer: a port it was not given: $(cat "$T/nohtons.yaml" "$T/nohtons.err")"
fi

# 2. the cache: the second run with the same work directory observes nothing
cp -R fixtures/variants/ec-quit-Q-prompt "$T/quitq"
rm -f "$T/quitq/fixture.yaml"
timeout 300 "$SC" run --only 'echo.client.quit-word' --report-dir "$T/r2" "$T/quitq" >"$T/r2a.out" 2>&1
timeout 300 "$SC" run --only 'echo.client.quit-word' --report-dir "$T/r2" "$T/quitq" >"$T/r2b.out" 2>&1
if grep -q '^found: echo_client: quit word "Q" (from its prompt) (found in' "$T/r2a.out" &&
    grep -q '^found: echo_client: quit word "Q" (from its prompt) (cached)' "$T/r2b.out" &&
    grep -q '^PASS  echo.client.quit-word' "$T/r2b.out"; then
	ok "cache: the second run reuses the findings ($(sed -n 's/.*(found in \([^,]*\),.*/\1/p' "$T/r2a.out") the first time)"
else
	fail "cache: $(cat "$T/r2a.out" "$T/r2b.out")"
fi

# 2b. without --report-dir (a work directory of its own each time), the
# findings stay in the user's cache for the next run of the same programs
for i in 1 2; do
	XDG_CACHE_HOME="$T/xdg" timeout 300 "$SC" run --only 'echo.client.quit-word' "$T/quitq" \
	    >"$T/r2c$i.out" 2>&1
done
if grep -q '^found: echo_client: quit word "Q" (from its prompt) (found in' "$T/r2c1.out" &&
    grep -q '^found: echo_client: quit word "Q" (from its prompt) (cached)' "$T/r2c2.out" &&
    grep -q '^PASS  echo.client.quit-word' "$T/r2c2.out" &&
    ls "$T/xdg/sockcheck/finder/"*.json >/dev/null 2>&1; then
	ok "cache: kept in \$XDG_CACHE_HOME/sockcheck/finder across runs without --report-dir"
else
	fail "cache across runs: $(cat "$T/r2c1.out" "$T/r2c2.out")"
fi

# 3. the profile wins, and a server that dies for want of its file is told so
cp -R fixtures/variants/fs-data-txt "$T/wrongfile"
rm -f "$T/wrongfile/fixture.yaml"
printf 'programs:\n  file_server:\n    file: other.txt\n' >"$T/wrongfile/sockcheck.yaml"
timeout 300 "$SC" run --only 'file.server.text' --report-dir "$T/r3" "$T/wrongfile" >"$T/r3.out" 2>&1
if python3 - "$T/r3/results.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
c = r["cases"][0]
assert c["verdict"] == "fail", c["verdict"]
assert c["summary"] == ("served-file: expected the server opens the file it serves; "
                        "got opened data.txt: No such file or directory"), c["summary"]
assert "close()" not in (c.get("diagnosis") or ""), c["diagnosis"]
assert any(l.startswith("file_server: ") for l in r["conventions"]), r["conventions"]
assert "serves data.txt" not in r["conventions"][0], r["conventions"]
EOF
then
	ok "profile wins; the missing file is the diagnosis: $(grep -m1 'served-file' "$T/r3.out" | sed 's/^ *//')"
else
	fail "missing served file: $(cat "$T/r3.out")"
fi

# 4. UDP: infer writes what it found (the argument order, a fixed port, the
# quit word), and the profile it writes runs the client without the finder
cp -R fixtures/variants/uc-port-host "$T/udpswap"
rm -f "$T/udpswap/fixture.yaml"
cp -R "$T/udpswap" "$T/udpnf"
if timeout 120 "$SC" infer -o "$T/udp.yaml" "$T/udpswap" 2>"$T/udp.err"; then
	grep -q '^    command: "./udp_echo_client {port} {host}"' "$T/udp.yaml" &&
	    grep -q '^    quit: "Q"' "$T/udp.yaml" &&
	    grep -q '^udp_echo_client: run as ./udp_echo_client {port} {host}' "$T/udp.err" ||
	    fail "infer (UDP): unexpected profile: $(cat "$T/udp.yaml" "$T/udp.err")"
	cp "$T/udp.yaml" "$T/udpswap/sockcheck.yaml"
	timeout 300 "$SC" run --no-finder --only 'udp.client.basic-lines,udp.client.quit-word' \
	    --report-dir "$T/r4" "$T/udpswap" >"$T/r4.out" 2>&1 &&
	    grep -q '^2 passed' "$T/r4.out" &&
	    ok "infer (UDP): the profile it writes runs the client with its arguments swapped" ||
	    fail "infer (UDP): the inferred profile does not work: $(cat "$T/r4.out")"
else
	fail "infer (UDP) failed: $(cat "$T/udp.err")"
fi
# without the finder the same client fails: the finder did the work
timeout 300 "$SC" run --no-finder --only 'udp.client.basic-lines' --report-dir "$T/r5" \
    "$T/udpnf" >"$T/r5.out" 2>&1
if grep -q '^0 passed' "$T/r5.out"; then
	ok "infer (UDP): without the finder the swapped arguments fail basic-lines"
else
	fail "infer (UDP): the swapped client passes without the finder: $(cat "$T/r5.out")"
fi

# 5. figures: what the finder costs per program, uncached (printed, not asserted)
for v in fixtures/variants/*/; do
	n=$(basename "$v")
	case $n in
	fs-*) g=file.server.text ;; fc-*) g=file.client.text ;;
	es-*) g=echo.server.one-message ;; ec-*) g=echo.client.basic-lines ;;
	us-*) g=udp.server.one-datagram ;; uc-*) g=udp.client.basic-lines ;;
	*) continue ;;
	esac
	cp -R "$v" "$T/v-$n"
	rm -f "$T/v-$n/fixture.yaml"
	timeout 300 "$SC" run --only "$g" --report-dir "$T/f-$n" "$T/v-$n" 2>/dev/null |
	    sed -n 's/^found: /# finder: /p'
done

exit $bad
