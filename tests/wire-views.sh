#!/bin/sh
# What the packet capture shows, on the mutants whose fault is a FIN or an
# RST (issue 16): every failed case of no-shutdown, close-not-shutdown,
# sigpipe-death and echo-sigpipe-death has, in the terminal's text timeline
# and in the HTML sequence diagram, the decisive FIN or RST (or the missing
# FIN) of the right side, before sockcheck stopped the programs; its
# capture.pcap opens with tcpdump -r (when tcpdump is installed).
# Capture needs root and network namespaces: skipped, with the reason,
# without them.
set -u
BUILD=${1:-build}
if [ "$(id -u)" != 0 ]; then
	echo "ok - skipped: capture needs root (network namespaces, a packet socket)"
	exit 0
fi
if ! unshare -n true 2>/dev/null; then
	echo "ok - skipped: network namespaces are not available here"
	exit 0
fi
tmp=$(mktemp -d /tmp/sockcheck-wire.XXXXXX)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
for m in no-shutdown close-not-shutdown sigpipe-death echo-sigpipe-death; do
	# the cases it fails (the self-test checks that it fails exactly these)
	only=$(python3 -c 'import sys, yaml; fx = yaml.safe_load(open(sys.argv[1]))
print(",".join((fx.get("must_fail") or []) + (fx.get("inject_fail") or [])))' \
	    "fixtures/mutants/$m/fixture.yaml")
	mkdir -p "$tmp/$m/sub"
	cp fixtures/correct/*.c fixtures/correct/*.h fixtures/correct/Makefile \
	    fixtures/correct/sockcheck.yaml "$tmp/$m/sub/" 2>/dev/null
	patch -s -p1 -d "$tmp/$m/sub" < "fixtures/mutants/$m/bug.patch" || {
		echo "not ok - $m: the patch does not apply"; fail=1; continue; }
	timeout 600 "$BUILD/sockcheck" run --only "$only" --format html,json \
	    --report-dir "$tmp/$m/r" "$tmp/$m/sub" > "$tmp/$m/term.txt" 2>&1
	timeout 120 python3 - "$m" "$tmp/$m/r" "$tmp/$m/term.txt" <<'EOF' || fail=1
import json, os, re, shutil, subprocess, sys

mutant, rdir, term_path = sys.argv[1:4]
res = json.load(open(os.path.join(rdir, "results.json")))
term = open(term_path, errors="replace").read()
html = open(os.path.join(rdir, "report.html"), errors="replace").read()

# What each failed case's fault looks like on the wire, before the stop: the
# text line (a regex over the timeline) and the diagram's row class.
S, R = "student server", r"reference client(?: \d+)?"
T = r"^ *[0-9.]+ s  "
SERVER_ENDS = [(T + r"%s -> %s  (FIN|RST) after" % (S, R), "row (fin|rst)")]
decisive = {
    # the FIN never comes: a dashed placeholder where it should be
    "no-shutdown": [(r"no FIN from the %s" % S, "row missing-fin")],
    # close(): the FIN, then the reply meets a closed socket: RST
    "close-not-shutdown": [(T + r"%s -> %s  FIN after" % (S, R), "row fin"),
                           (T + r"%s -> %s  RST after" % (S, R), "row rst")],
}.get(mutant)

def expected(cid):
    if decisive:
        return decisive
    # the client leaves early (FIN or RST), then the server dies writing
    if cid == "file.server.client-closes-early":
        return [(T + r"%s -> %s  (FIN|RST) after" % (R, S), "row (fin|rst)")]
    # the injected EPIPE kills the server: its socket closes as it dies
    return SERVER_ENDS

def block(cid):
    """The case's lines in the terminal report, from its verdict line to the next case."""
    lines = term.split("\n")
    for i, l in enumerate(lines):
        if re.match(r"^(FAIL |ERROR) %s\b" % re.escape(cid), l):
            out = []
            for m in lines[i + 1:]:
                if not m.startswith(" "):
                    break
                out.append(m)
            return "\n".join(out)
    return None

def section(cid):
    m = re.search(r'<section id="%s">(.*?)</section>' % re.escape(cid), html, re.S)
    return m.group(1) if m else None

failed = [c for c in res["cases"] if c["verdict"] in ("fail", "error")]
bad = 0
if not failed:
    print("not ok - %s: no case failed" % mutant)
    sys.exit(1)
for c in failed:
    cid = c["id"]
    b, s = block(cid), section(cid)
    why = []
    if b is None:
        why.append("no block in the terminal report")
    elif "on the wire (capture.pcap" not in b:
        why.append("no text timeline under it")
    if s is None:
        why.append("no section in report.html")
    elif 'class="sequence capture"' not in s:
        why.append("no capture diagram in report.html (%s)" %
                   (re.search(r'class="no-capture">([^<]*)', s) or [None, "?"])[1])
    if not why:
        tl = b.split("on the wire (capture.pcap", 1)[1]
        for rx, cls in expected(cid):
            hit = [l for l in tl.split("\n") if re.search(rx, l, re.M)]
            if not hit:
                why.append("the timeline lacks /%s/" % rx)
            elif any("[after the stop]" in l for l in hit) and not any(
                    "[after the stop]" not in l for l in hit):
                why.append("/%s/ only after the stop" % rx)
            # the diagram: a row of that class, not greyed as after the stop
            if not re.search(r'<g class="%s">' % cls, s):
                why.append("the diagram lacks a <g class=\"%s\"> before the stop" % cls)
        for lane in ("student server", "reference client"):
            if not re.search(r'<text class="lane"[^>]*>%s' % lane, s):
                why.append("the diagram lacks the lane %r" % lane)
        m = re.search(r'<a href="([^"]*capture\.pcap)"', s)
        if not m:
            why.append("no link to capture.pcap")
        else:
            path = os.path.join(rdir, m.group(1))
            if not os.path.exists(path):
                why.append("the link %s leads nowhere" % m.group(1))
            elif shutil.which("tcpdump"):
                p = subprocess.run(["tcpdump", "-n", "-r", path], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=30)
                if p.returncode != 0 or not p.stdout:
                    why.append("tcpdump -r %s: %s" % (path, p.stderr.decode()[-200:]))
    if why:
        bad = 1
        print("not ok - %s %s: %s" % (mutant, cid, "; ".join(why)))
        if b:
            print("\n".join("    | " + l for l in b.split("\n")[-30:]))
    else:
        tl = b.split("on the wire (capture.pcap", 1)[1].split("\n")
        line = next(l for l in tl if any(re.search(rx, l) for rx, _ in expected(cid)))
        print("ok - %s %s:%s" % (mutant, cid, line.rstrip()))
sys.exit(bad)
EOF
done

# Without a capture the report says why and draws the reference peers' logs
# instead; the terminal prints no timeline (with -v: why there is none).
if [ -d "$tmp/no-shutdown/sub" ]; then
	timeout 300 "$BUILD/sockcheck" run -v --no-capture --only file.server.half-close-thank-you \
	    --format html --report-dir "$tmp/off" "$tmp/no-shutdown/sub" > "$tmp/off.txt" 2>&1
	h="$tmp/off/report.html"
	if grep -q 'class="no-capture">No packet capture (--no-capture)' "$h" &&
	    grep -Eq '<svg[^>]*class="sequence"' "$h" && ! grep -q 'class="sequence capture"' "$h" &&
	    ! grep -q 'on the wire (capture.pcap' "$tmp/off.txt" &&
	    grep -q 'no capture: --no-capture' "$tmp/off.txt"; then
		echo "ok - --no-capture: the report says why and draws the peers' logs instead"
	else
		echo "not ok - --no-capture: no reason, or no fallback diagram, or a timeline anyway"
		grep -o 'class="no-capture">[^<]*' "$h"
		grep -n 'capture' "$tmp/off.txt"
		fail=1
	fi
fi
exit $fail
