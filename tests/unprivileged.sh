#!/bin/sh
# The self-test as an unprivileged user, in both unprivileged modes, gets the
# verdicts it declares, which are root's (tests/selftest.py checks each
# fixture against its fixture.yaml):
#  - user namespaces: each case in network and PID namespaces of its own,
#    through a user namespace (every case must say "netns");
#  - no namespace at all, as in a container whose seccomp profile refuses
#    user namespaces (tests/no-userns.py; every case must say "loopback"):
#    the cases share the machine's ports, fixed-port programs one at a time.
# As root the self-test runs as uid 65534 (setpriv); otherwise as the caller.
# A representative subset in `make check` (the correct fixture, a fault
# injection mutant, a file and a UDP mutant, the fixed-port variants, the
# client with an address of its own);
# `sh tests/unprivileged.sh BUILD all` (make unprivileged) runs every fixture.
# Usage: sh tests/unprivileged.sh [BUILD_DIR] [all]
set -u
BUILD=${1:-build}
ALL=${2:-}
HERE=$(pwd)
BUILD_ABS=$(cd "$BUILD" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sockcheck-unpriv.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
SUBSET=mutant-ignores-short-send,mutant-no-shutdown,mutant-udp-off-by-one,variant-fs-fixed-port-argv-file,variant-es-fixed-port-five-clients,variant-us-fixed-port,variant-uc-lab-address
[ "$ALL" = all ] && SUBSET=

# a tree the unprivileged user can read and a place it can write, whatever
# the permissions of this checkout's parents
chmod 755 "$tmp"
mkdir -p "$tmp/tree/build" "$tmp/out"
if git -C "$HERE" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$HERE" && git ls-files -z | xargs -0 tar cf - 2>/dev/null) | tar xf - -C "$tmp/tree"
else
	tar cf - --exclude="./$BUILD" . | tar xf - -C "$tmp/tree"
fi
cp -R "$BUILD_ABS/sockcheck" "$BUILD_ABS/reference" "$BUILD_ABS/lib" "$tmp/tree/build/"
chmod -R a+rX "$tmp/tree"
AS=""
if [ "$(id -u)" -eq 0 ]; then
	chown 65534:65534 "$tmp/out"
	AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
who=$($AS id -u)

# MODE ISOLATION [WRAP]: the self-test in that mode (with `all`, the
# memcheck self-test too)
selftest() {
	mode=$1 iso=$2 wrap=${3:-}
	for mc in "" ${ALL:+--memcheck}; do
		t0=$(date +%s)
		if (cd "$tmp/tree" && env HOME="$tmp/out" SELFTEST_OUT="$tmp/out/$mode$mc" \
		    SELFTEST_ONLY="$SUBSET" SELFTEST_WRAP="$wrap" SELFTEST_ISOLATION="$iso" \
		    timeout 3000 $AS /usr/bin/python3 tests/selftest.py $mc build) \
		    >"$tmp/$mode$mc.log" 2>&1; then
			echo "ok - uid $who, $mode${mc:+ $mc}: the self-test's verdicts are root's" \
			    "($(grep -c '^ok' "$tmp/$mode$mc.log") checks, $(($(date +%s) - t0)) s)"
		else
			echo "not ok - uid $who, $mode${mc:+ $mc} ($(($(date +%s) - t0)) s):"
			grep -v '^ok' "$tmp/$mode$mc.log" | head -n 40
			fail=1
		fi
	done
}

# 1. user namespaces, where this kernel gives them
why=$($AS "$tmp/tree/build/sockcheck" doctor | sed -n 's/^  why: //p')
if $AS "$tmp/tree/build/sockcheck" doctor | grep -q '^isolation: user namespaces'; then
	selftest userns netns
else
	echo "ok - uid $who: user namespaces: skipped, this machine gives none ($why)"
fi

# 2. no namespace: refused as a container's seccomp profile refuses them
if $AS /usr/bin/python3 "$tmp/tree/tests/no-userns.py" "$tmp/tree/build/sockcheck" doctor |
    grep -q '^isolation: none'; then
	selftest no-namespaces loopback "/usr/bin/python3 $tmp/tree/tests/no-userns.py"
else
	echo "not ok - tests/no-userns.py did not take the namespaces away"
	fail=1
fi
exit $fail
