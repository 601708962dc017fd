#!/bin/sh
# make demo: the suite (TCP echo, file transfer, UDP echo; IPv4 and IPv6)
# against the bundled correct submission, then against a mutant whose file
# server forgets shutdown(SHUT_WR) and one whose UDP server truncates
# datagrams, so both a clean report and explained failures are shown; then a
# variant written in another convention (port fixed at 9090, argv[1] the
# file to serve), with no profile: the convention finder works out how to
# run it, and `sockcheck infer` writes that down; and what infer finds for
# a UDP client that takes its arguments the other way round. Reports go to
# BUILD/demo/.
set -eu
BUILD=${1:-build}
out=$BUILD/demo
rm -rf "$out"
mkdir -p "$out"

echo "== sockcheck run fixtures/correct =="
timeout 600 "$BUILD/sockcheck" run --report-dir "$out/correct" \
	--format json,junit,tap,md,html fixtures/correct

tmp=$(mktemp -d /tmp/sockcheck-demo.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
cp -R fixtures/correct "$tmp/no-shutdown"
patch -s -p1 -d "$tmp/no-shutdown" < fixtures/mutants/no-shutdown/bug.patch
echo
echo "== sockcheck run on a mutant: file_server without shutdown(SHUT_WR) =="
status=0
timeout 600 "$BUILD/sockcheck" run --only 'file.server.*' --report-dir "$out/no-shutdown" \
	--format json,html "$tmp/no-shutdown" || status=$?
if [ "$status" -ne 1 ]; then
	echo "demo: expected the mutant to fail (exit 1), got exit $status" >&2
	exit 1
fi
cp -R fixtures/correct "$tmp/udp-truncating-buffer"
patch -s -p1 -d "$tmp/udp-truncating-buffer" < fixtures/mutants/udp-truncating-buffer/bug.patch
echo
echo "== sockcheck run on a mutant: udp_echo_server with a 30-byte receive buffer =="
status=0
timeout 600 "$BUILD/sockcheck" run --only 'udp.server.*' --report-dir "$out/udp-truncating-buffer" \
	--format json,html "$tmp/udp-truncating-buffer" || status=$?
if [ "$status" -ne 1 ]; then
	echo "demo: expected the UDP mutant to fail (exit 1), got exit $status" >&2
	exit 1
fi
echo
echo "== sockcheck infer fixtures/variants/fs-fixed-port-argv-file (no sockcheck.yaml) =="
timeout 120 "$BUILD/sockcheck" infer fixtures/variants/fs-fixed-port-argv-file
echo
echo "== sockcheck run on that variant: the finder's findings head the report =="
timeout 600 "$BUILD/sockcheck" run --only 'file.server.*' --report-dir "$out/variant" \
	--format json,html fixtures/variants/fs-fixed-port-argv-file
echo
echo "== sockcheck infer fixtures/variants/uc-port-host: a UDP client run as <port> <IP> =="
timeout 120 "$BUILD/sockcheck" infer fixtures/variants/uc-port-host
echo
echo "Reports: $out/correct/report.html, $out/no-shutdown/report.html,"
echo "         $out/udp-truncating-buffer/report.html, $out/variant/report.html"
