#!/bin/sh
# The packet capture of the cases (capture.pcap, results.json "capture"):
# as root in namespaces, each case has a file tcpdump reads, with what the
# counts say; the no-shutdown mutant's capture has the client's SYN and the
# server's data but no FIN from the server before t_stop; --no-capture and --no-netns
# leave none and say why. Usage: sh tests/capture.sh BUILD_DIR
set -u
BUILD=${1:-build}
SC=$(cd "$BUILD" && pwd)/sockcheck
if [ "$(id -u)" -ne 0 ]; then
	echo "ok - skipped: the capture needs root (a network namespace per case)"
	exit 0
fi
command -v tcpdump >/dev/null 2>&1 || { echo "not ok - tcpdump is not installed (.ci/install-deps)"; exit 1; }
tmp=$(mktemp -d /tmp/sockcheck-capture.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; fail=1; }

# capture FIELD...: one line per case of $1/results.json: id, file, note, seen kept omitted dropped bytes
cases() {
	python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["cases"]:
    k = c["capture"]
    p = k["packets"]
    print("%s|%s|%s|%d %d %d %d %d|%s|%s|%s" % (c["id"], k["file"], k["note"], p["seen"], p["kept"],
          p["omitted"], p["dropped"], k["bytes"], c["t_stall"], c["t_stop"], k["t0"]))
PY
}

ONLY='file.server.text,file.server.half-close-thank-you,file.client.large-32mib'
"$SC" run --jobs 2 --report-dir "$tmp/ok" --only "$ONLY" fixtures/correct >"$tmp/ok.log" 2>&1
rc=$?
[ $rc -eq 0 ] || { notok "run of the correct fixture exited $rc"; tail -5 "$tmp/ok.log"; }
n=0
cases "$tmp/ok/results.json" >"$tmp/ok.cases" || notok "results.json has no capture objects"
while IFS='|' read -r id file note counts stall stop t0; do
	n=$((n + 1))
	set -- $counts
	seen=$1 kept=$2 omitted=$3 dropped=$4 bytes=$5
	if [ "$file" = None ] || [ ! -f "$file" ]; then
		notok "$id: no capture file ($note)"
		continue
	fi
	[ "$(stat -c %s "$file")" -eq "$bytes" ] || notok "$id: $file is not $bytes bytes"
	[ $((kept + omitted)) -eq "$seen" ] || notok "$id: kept $kept + omitted $omitted != seen $seen"
	[ "$dropped" -eq 0 ] || notok "$id: the kernel dropped $dropped packets"
	listed=$(tcpdump -n -r "$file" 2>/dev/null | wc -l)
	[ "$listed" -eq "$kept" ] || notok "$id: tcpdump -r lists $listed packets, $kept kept"
	[ "$stop" != None ] || notok "$id: no t_stop"
	case $id in
	*large-32mib)
		[ "$omitted" -gt 0 ] || notok "$id: nothing left out of a 32 MiB transfer"
		[ "$bytes" -lt 300000 ] || notok "$id: capture of $bytes bytes"
		ok "$id: $seen packets seen, $kept kept, $bytes bytes" ;;
	esac
done <"$tmp/ok.cases"
[ $n -eq 3 ] || notok "3 cases expected in results.json, got $n"
[ $fail -eq 0 ] && ok "every case of the correct fixture has a capture tcpdump reads, counted right"

# the no-shutdown mutant: the server's data, and no FIN from the server
# (port 5000) before sockcheck began stopping the programs (the reference
# client is killed first: its FIN, and the server's answer, come after t_stop)
mkdir -p "$tmp/sub"
cp fixtures/correct/*.c fixtures/correct/Makefile "$tmp/sub/"
(cd "$tmp/sub" && patch -s -p1 <"$OLDPWD/fixtures/mutants/no-shutdown/bug.patch") ||
	{ echo "not ok - the no-shutdown patch does not apply"; exit 1; }
"$SC" run --report-dir "$tmp/ns" --only file.server.half-close-thank-you "$tmp/sub" >"$tmp/ns.log" 2>&1
f=$tmp/ns/work/cases/file.server.half-close-thank-you/capture.pcap
if [ -f "$f" ]; then
	tcpdump -tt -n -r "$f" 2>/dev/null >"$tmp/ns.txt"
	cases "$tmp/ns/results.json" >"$tmp/ns.case"
	IFS='|' read -r id file note counts stall stop t0 <"$tmp/ns.case"
	fins=$(awk -v t0="$t0" -v stop="$stop" \
	    '/127[.]0[.]0[.]1[.]5000 > .*Flags [[]F/ && $1 - t0 < stop { n++ } END { print n + 0 }' "$tmp/ns.txt")
	late=$(grep -c '127[.]0[.]0[.]1[.]5000 > .*Flags [[]F' "$tmp/ns.txt")
	data=$(grep -c '127[.]0[.]0[.]1[.]5000 > .*length [1-9]' "$tmp/ns.txt")
	syns=$(grep -c '> 127[.]0[.]0[.]1[.]5000: Flags [[]S[]]' "$tmp/ns.txt")
	if [ "$fins" -eq 0 ] && [ "$data" -gt 0 ] && [ "$syns" -eq 1 ] && [ "$stall" != None ]; then
		ok "no-shutdown: data from the server, no FIN from it before t_stop $stop s ($late after), a stall at $stall s"
	else
		notok "no-shutdown: $fins server FINs before t_stop $stop s (t0 $t0), $data data packets from the server, $syns SYNs, stall $stall"
		cat "$tmp/ns.txt"
	fi
else
	notok "no-shutdown: no $f"
fi

# --no-capture and --no-netns: no file, and the note says why
"$SC" run --no-capture --report-dir "$tmp/off" --only file.server.text fixtures/correct >/dev/null 2>&1
line=$(cases "$tmp/off/results.json")
case $line in
*'|None|--no-capture|0 0 0 0 0|'*) ok "--no-capture: no capture, and the note says so" ;;
*) notok "--no-capture: $line" ;;
esac
[ ! -e "$tmp/off/work/cases/file.server.text/capture.pcap" ] || notok "--no-capture left a capture.pcap"
"$SC" run --no-netns --report-dir "$tmp/lo" --only file.server.text fixtures/correct >/dev/null 2>&1
line=$(cases "$tmp/lo/results.json")
case $line in
*'|None|the case had no network namespace of its own (--no-netns)'*) ok "--no-netns: no capture, and the note says why" ;;
*) notok "--no-netns: $line" ;;
esac
exit $fail
