#!/bin/sh
# Make a class to grade: DIR/NAME/ for each of
#   correct             fixtures/correct
#   textbook            fixtures/textbook (slow 30-byte reads and writes, right)
#   crash               fixtures/correct whose echo_server dies of SIGSEGV on
#                       the first message it receives
#   no-build            fixtures/correct with a syntax error
#   variant-fc-every-byte  the round-trip submission: prints and sends every
#                       byte 0-255, a file name with a space and a byte that
#                       is not UTF-8 (fixtures/variants/fc-every-byte)
#   mutant-M            fixtures/correct with fixtures/mutants/M/bug.patch,
#                       for every mutant
#   variant-V           fixtures/variants/V (no profile: the finder works it
#                       out), for every variant
# in that order, mutants and variants taking turns, the first N only when N
# is given (the class of `make bench` is 40). Sources only: no fixture.yaml,
# no built programs. Prints the number of students made.
# Usage: sh tests/mkclass.sh DIR [N]   (from the top of the repository)
set -eu
DIR=$1
MAX=${2:-0}
[ -d fixtures/correct ] || { echo "mkclass.sh: run it from the top of the repository" >&2; exit 2; }
mkdir -p "$DIR"
made=0
PROGS="echo_server echo_client file_server file_client udp_echo_server udp_echo_client"

full() { [ "$MAX" -gt 0 ] && [ "$made" -ge "$MAX" ]; }

# copy the sources of fixture directory $1 into student $2
sources() {
	mkdir -p "$DIR/$2"
	ex=""
	for p in $PROGS; do ex="$ex --exclude=./$p"; done
	# shellcheck disable=SC2086
	(cd "$1" && tar cf - $ex --exclude=./fixture.yaml --exclude='*.o' --exclude=./build .) |
	    (cd "$DIR/$2" && tar xf -)
}

add() {	# NAME SOURCE_DIR [PATCH]
	full && return 0
	rm -rf "${DIR:?}/$1"
	sources "$2" "$1"
	if [ -n "${3:-}" ]; then
		patch -s -p1 -d "$DIR/$1" <"$3"
	fi
	made=$((made + 1))
}

add correct fixtures/correct
add textbook fixtures/textbook
if ! full; then
	add crash fixtures/correct
	# dies of SIGSEGV on its first message: a crash is the program's fault (fail, cause crash)
	sed -i 's|^\(\t*\)if (send_all(csd, buf, n) < 0)|\1*(volatile char *)0 = buf[0];\n&|' \
	    "$DIR/crash/echo_server.c"
	grep -q 'volatile char \*)0' "$DIR/crash/echo_server.c" ||
		{ echo "mkclass.sh: could not make crash/echo_server.c crash" >&2; exit 1; }
fi
if ! full; then
	add no-build fixtures/correct
	printf 'int broken(\n' >>"$DIR/no-build/echo_server.c"
fi
add variant-fc-every-byte fixtures/variants/fc-every-byte

# mutants and variants in turns, so that a cut class has both kinds
ls fixtures/mutants >"$DIR/.mutants"
find fixtures/variants -mindepth 1 -maxdepth 1 -type d ! -name fc-every-byte -exec basename {} \; |
    sort >"$DIR/.variants"
i=1
while :; do
	m=$(sed -n "${i}p" "$DIR/.mutants")
	v=$(sed -n "${i}p" "$DIR/.variants")
	[ -z "$m" ] && [ -z "$v" ] && break
	[ -n "$m" ] && add "mutant-$m" fixtures/correct "fixtures/mutants/$m/bug.patch"
	[ -n "$v" ] && add "variant-$v" "fixtures/variants/$v"
	i=$((i + 1))
done
rm -f "$DIR/.mutants" "$DIR/.variants"
echo "$made"
