#!/bin/sh
# Packaging: plain `make` (and install, clean) never installs anything and
# names the missing packages; `make deps`, `make check` and `make demo` do
# install them; `make install DESTDIR=... PREFIX=...` works without network
# and without root; the manual page lints clean with mandoc, covers every
# command and environment variable, and is installed.
# Usage: sh tests/packaging.sh BUILD_DIR (built already)
set -u
BUILD=${1:-build}
tmp=$(mktemp -d /tmp/sockcheck-pkg.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
n=0
fail() { echo "not ok - $*"; fails=$((fails + 1)); }
blk=0
# ok MESSAGE: the block since the previous ok passed when it failed nothing
ok() { [ "$fails" -eq "$blk" ] && { n=$((n + 1)); echo "ok - $*"; }; blk=$fails; }
MAKE="make --no-print-directory"
# not the flags and variables of a `make check` that runs this
unset MAKEFLAGS MFLAGS MAKELEVEL

# 1. Dependencies. A fake pkg-config that lacks libyaml, and fake apt-get,
# sudo and dpkg-query (nothing installed) that log every call: no call may
# happen for make, make install or make clean.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/pkg-config" <<'EOF'
#!/bin/sh
for a; do [ "$a" = yaml-0.1 ] && exit 1; done
exec /usr/bin/pkg-config "$@"
EOF
for t in apt-get sudo; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$t" "$tmp" >"$tmp/bin/$t"
done
printf '#!/bin/sh\nexit 1\n' >"$tmp/bin/dpkg-query"
chmod +x "$tmp/bin/"*
fake() { PATH="$tmp/bin:$PATH" timeout 120 "$@"; }

for goal in "" install clean; do
	rc=0
	fake $MAKE BUILD="$tmp/b" DESTDIR="$tmp/d" PREFIX=/usr $goal >"$tmp/out" 2>&1 || rc=$?
	case $goal in
	clean)
		[ "$rc" -eq 0 ] || fail "make clean needs the libraries (exit $rc): $(cat "$tmp/out")" ;;
	*)
		[ "$rc" -ne 0 ] || fail "make $goal succeeded without libyaml"
		[ "$(grep -c . "$tmp/out")" -eq 1 ] || fail "make $goal: not one message: $(cat "$tmp/out")"
		grep -q "missing libyaml-dev: run 'make deps'" "$tmp/out" ||
		    fail "make $goal: the message does not name libyaml-dev and make deps: $(cat "$tmp/out")"
		grep -q "libjansson-dev" "$tmp/out" && fail "make $goal names a library that is there"
		;;
	esac
	[ -e "$tmp/calls" ] && fail "make $goal ran: $(cat "$tmp/calls")"
	rm -f "$tmp/calls"
	[ -e "$tmp/d" ] && fail "make $goal installed files without the libraries"
done
[ -e "$tmp/b" ] && fail "make built something without the libraries"
ok "make, make install, make clean: one message naming the missing package, nothing installed"

# make deps, make check and make demo do install (apt-get through the fake)
for goal in deps check demo; do
	rm -f "$tmp/calls"
	fake $MAKE -n BUILD="$tmp/b" $goal >"$tmp/out" 2>&1
	[ "$goal" = deps ] && fake sh -c "$MAKE BUILD='$tmp/b' deps" >"$tmp/out" 2>&1
	grep -q "apt-get install .*libyaml-dev" "$tmp/calls" 2>/dev/null ||
	    fail "make $goal did not install the missing packages: $(cat "$tmp/calls" "$tmp/out" 2>/dev/null)"
done
ok "make deps, make check and make demo install what is missing"

# 2. make install DESTDIR=... PREFIX=... without network (a new network
# namespace) and without root (uid nobody), from the existing build.
$MAKE BUILD="$BUILD" >"$tmp/out" 2>&1 || fail "make: $(cat "$tmp/out")"
mkdir -p "$tmp/stage"
chmod 777 "$tmp/stage"
chmod 755 "$tmp"
as_nobody=""
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	as_nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
no_net=""
unshare -n true 2>/dev/null && no_net="unshare -n"
rc=0
timeout 120 $no_net $as_nobody $MAKE BUILD="$BUILD" DESTDIR="$tmp/stage" PREFIX=/opt/sc install \
    >"$tmp/out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "make install as nobody without network: exit $rc: $(tail -n 5 "$tmp/out")"
P=$tmp/stage/opt/sc
for f in bin/sockcheck libexec/sockcheck/echo_server libexec/sockcheck/file_client \
    share/sockcheck/scenarios/echo/server/one-message.yaml share/man/man1/sockcheck.1 \
    share/doc/sockcheck/grading.md share/sockcheck/fixtures/correct/Makefile \
    share/sockcheck/fixtures/correct/file_server.c share/sockcheck/install-deps; do
	[ -f "$P/$f" ] || fail "make install: no $f"
done
cmp -s docs/sockcheck.1 "$P/share/man/man1/sockcheck.1" || fail "installed manual page differs"
"$P/bin/sockcheck" list --only 'echo.server.one-message' >"$tmp/out" 2>&1 &&
    grep -q '^echo.server.one-message ' "$tmp/out" ||
    fail "the installed sockcheck does not find its suite: $(cat "$tmp/out")"
ok "make install DESTDIR PREFIX${as_nobody:+ as nobody}${no_net:+ without network}"

# 3. The manual page: mandoc -Tlint clean (messages about cross-referenced
# manuals this machine has not installed are not about the page), every
# command, option of the help texts and environment variable is in it.
if command -v mandoc >/dev/null 2>&1; then
	rc=0
	mandoc -Tlint -W style docs/sockcheck.1 >"$tmp/lint" 2>&1 || rc=$?
	grep -v 'mandoc: outdated mandoc.db lacks .* entry' "$tmp/lint" >"$tmp/lint.page"
	[ "$rc" -eq 0 ] && [ ! -s "$tmp/lint.page" ] || fail "mandoc -Tlint: exit $rc: $(cat "$tmp/lint")"
	ok "mandoc -Tlint docs/sockcheck.1"
	# plain text: the overstrikes of bold and underline removed (X^HX, _^HX)
	mandoc -Tascii -O width=200 docs/sockcheck.1 | sed 's/.\x08//g' >"$tmp/man.txt"
	for c in $("$BUILD/sockcheck" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'); do
		grep -q "^ *sockcheck $c" "$tmp/man.txt" || fail "sockcheck.1: no synopsis of '$c' (add it: docs/sockcheck.1)"
		for o in $("$BUILD/sockcheck" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			grep -q -- "$o" "$tmp/man.txt" || fail "sockcheck.1: '$c' option $o is not described (add it to docs/sockcheck.1)"
		done
	done
	for v in $(grep -oh 'getenv("[A-Z_]*")' harness/*.c | sed 's/getenv("\(.*\)")/\1/' | sort -u); do
		# a tag of ENVIRONMENT: "VAR" or "VAR1, VAR2" at the start of a line
		grep -Eq "^ +([A-Z_]+, )*$v(,| |\$)" "$tmp/man.txt" || fail "sockcheck.1: environment variable $v is not described (add it to docs/sockcheck.1)"
	done
	for s in "EXIT STATUS" ENVIRONMENT FILES; do
		grep -q "^$s" "$tmp/man.txt" || fail "sockcheck.1: no $s section"
	done
	ok "sockcheck.1 covers every command, option and environment variable"
else
	fail "mandoc is not installed (make deps)"
fi

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "ok: packaging ($n checks)"
