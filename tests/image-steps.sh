#!/bin/sh
# The grader image's steps on the host, for machines without a Docker daemon:
# reads the Dockerfile, checks its shape (Debian 12 base, a build stage and a
# runtime stage that copies only the staged tree), then runs each stage's RUN
# steps as a shell would inside the image:
#   build stage:   WORKDIR /src with `COPY . .` is a copy of this checkout
#                  (less .dockerignore), /stage ($STAGE) is T/stage;
#   runtime stage: `COPY --from=build /stage/ /` makes T/stage its root, so
#                  $PREFIX is T/stage$PREFIX (an installed sockcheck finds its
#                  suite and peers relative to itself);
# then what `docker run` would: the installed sockcheck on the installed
# correct fixture (every must-case passes), and without the capabilities
# that namespaces need, with --no-netns as docs/grading.md says.
# Nothing is installed on the host: apt-get and sudo are replaced by stubs
# that fail, so a missing package is an error here (make deps installs it).
# Times are printed, not asserted. Usage: sh tests/image-steps.sh BUILD_DIR
set -u
BUILD=${1:-build}
T=$(mktemp -d /tmp/sockcheck-image.XXXXXX)
chmod 755 "$T"	# as in an image: the student programs run as nobody and load libexec/
trap 'rm -rf "$T"' EXIT INT TERM
fails=0
fail() { echo "not ok - $*"; fails=$((fails + 1)); }
die() { echo "not ok - $*"; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

[ -f Dockerfile ] || die "no Dockerfile"

# 1. The instructions, one per line: STAGE<tab>INSTRUCTION<tab>ARGUMENTS, with
# continuation lines joined and comments dropped (the Dockerfile syntax that
# this file uses; anything else is refused below).
awk '
	!cont && /^[ \t]*(#|$)/ { next }
	{
		buf = cont ? buf " " $0 : $0
		if (buf ~ /\\[ \t]*$/) { sub(/\\[ \t]*$/, "", buf); cont = 1; next }
		cont = 0
		ins = buf; sub(/^[ \t]*/, "", ins); rest = ins
		sub(/[ \t].*$/, "", ins); ins = toupper(ins)
		sub(/^[^ \t]+[ \t]+/, "", rest)
		if (ins == "FROM") {
			stage = rest
			if (match(rest, /[ \t][Aa][Ss][ \t]+/)) stage = substr(rest, RSTART + RLENGTH)
			else stage = "stage" ++n
		}
		printf "%s\t%s\t%s\n", (stage == "" ? "-" : stage), ins, rest
	}' Dockerfile >"$T/steps"

# 2. A lint of the shape (Debian 12 has no Dockerfile linter package: hadolint
# is not in its archive).
base=$(awk -F'\t' '$1 == "-" && $2 == "ARG" && $3 ~ /^DEBIAN=/ { sub(/^DEBIAN=/, "", $3); print $3 }' "$T/steps")
stages=$(awk -F'\t' '$2 == "FROM" { print $1 }' "$T/steps" | tr '\n' ' ')
[ "$stages" = "build runtime " ] || fail "Dockerfile: the stages are '$stages', expected 'build runtime'"
awk -F'\t' '$2 == "FROM"' "$T/steps" | while IFS="$(printf '\t')" read -r st ins rest; do
	img=${rest%% *}
	[ "$img" = '${DEBIAN}' ] && img=$base
	case $img in
	debian:12|debian:12-slim|debian:bookworm|debian:bookworm-slim) ;;
	*) echo "not ok - Dockerfile: stage $st is FROM $img, not Debian 12" >>"$T/lint" ;;
	esac
done
[ -s "$T/lint" ] && { cat "$T/lint"; fails=$((fails + 1)); }
grep -q "^runtime	COPY	--from=build /stage/ /\$" "$T/steps" ||
    fail "Dockerfile: the runtime stage does not copy the staged tree (COPY --from=build /stage/ /)"
[ "$(awk -F'\t' '$1 == "runtime" && $2 == "COPY"' "$T/steps" | wc -l)" -eq 1 ] ||
    fail "Dockerfile: the runtime stage copies more than the staged tree"
grep -q '^build	ARG	STAGE=/stage$' "$T/steps" || fail "Dockerfile: the build stage has no ARG STAGE=/stage"
awk -F'\t' '$2 == "RUN" && $3 ~ /install-deps/ && $3 !~ /--clean/' "$T/steps" | grep -q . &&
    fail "Dockerfile: an install-deps step without --clean leaves apt's lists in a layer"
awk -F'\t' '$2 == "RUN" && $3 ~ /(curl|wget|git clone)/' "$T/steps" | grep -q . &&
    fail "Dockerfile: a RUN step downloads something"
awk -F'\t' '$2 == "ADD"' "$T/steps" | grep -q . && fail "Dockerfile: ADD (use COPY)"
[ "$fails" -eq 0 ] && echo "ok - Dockerfile: Debian 12 base, build and runtime stages, runtime copies only the staged tree"

# 3. The steps. Stubs instead of apt-get and sudo: the host installs nothing.
mkdir -p "$T/stub" "$T/src" "$T/stage" "$T/work"
for t in apt-get sudo; do
	printf '#!/bin/sh\necho "image-steps: %s %s: the host lacks a package (run make deps)" >&2\nexit 1\n' \
	    "$t" '$*' >"$T/stub/$t"
	chmod +x "$T/stub/$t"
done
excl=""
while read -r pat; do
	case $pat in ''|'#'*) continue ;; esac
	excl="$excl --exclude=./$(echo "$pat" | sed 's#\*\*#*#g')"
done <.dockerignore
# shellcheck disable=SC2086
tar $excl -cf - . | tar -C "$T/src" -xf - || die "copying the build context"
: >"$T/times"
arg_default() { # STAGE NAME
	awk -F'\t' -v s="$1" -v n="$2" '$1 == s && $2 == "ARG" && index($3, n "=") == 1 {
		print substr($3, length(n) + 2) }' "$T/steps"
}
PREFIX_B=$(arg_default build PREFIX)
PREFIX_R=$(arg_default runtime PREFIX)
[ -n "$PREFIX_B" ] && [ "$PREFIX_B" = "$PREFIX_R" ] ||
    die "Dockerfile: ARG PREFIX differs between the stages ('$PREFIX_B', '$PREFIX_R')"
RT=$T/stage
while IFS="$(printf '\t')" read -r st ins rest; do
	case $st/$ins in
	-/ARG|*/ARG|*/FROM|*/CMD|*/ENTRYPOINT) continue ;;
	build/WORKDIR) [ "$rest" = /src ] || die "build stage: WORKDIR $rest, expected /src"; continue ;;
	runtime/WORKDIR) continue ;;
	build/COPY) [ "$rest" = ". ." ] || die "build stage: COPY $rest is not emulated here"; continue ;;
	runtime/COPY) continue ;;	# checked above: the staged tree becomes /
	build/RUN) dir=$T/src; env="STAGE=$T/stage PREFIX=$PREFIX_B" ;;
	runtime/RUN) dir=$T/work; env="PREFIX=$RT$PREFIX_R" ;;
	*) die "Dockerfile: $ins in stage $st is not emulated by tests/image-steps.sh (teach it)" ;;
	esac
	echo "# $st: RUN $rest"
	t0=$(now)
	rc=0
	# shellcheck disable=SC2086
	(cd "$dir" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL PATH="$T/stub:$PATH" $env \
	    timeout 900 sh -ec "$rest") >"$T/step.log" 2>&1 || rc=$?
	t1=$(now)
	echo "$st $(secs "$t0" "$t1")" >>"$T/times"
	if [ "$rc" -ne 0 ]; then
		tail -n 30 "$T/step.log"
		die "$st stage: RUN $rest: exit $rc"
	fi
	echo "ok - $st: RUN $rest ($(secs "$t0" "$t1") s)"
done <"$T/steps"

# 4. The image's tree: the installed sockcheck, its peers, suite and fixture,
# and the manual page; no build tree, no sources of sockcheck.
SC=$RT$PREFIX_R/bin/sockcheck
FIX=$RT$PREFIX_R/share/sockcheck/fixtures/correct
for f in "$SC" "$RT$PREFIX_R/libexec/sockcheck/file_server" "$FIX/Makefile" \
    "$RT$PREFIX_R/share/man/man1/sockcheck.1" "$RT$PREFIX_R/share/sockcheck/install-deps"; do
	[ -e "$f" ] || fail "staged tree: no ${f#"$RT"}"
done
find "$RT" -name '*.o' -o -name 'main.c' | grep -q . && fail "staged tree: build objects or sources of sockcheck"
echo "staged tree: $(du -sk "$RT" | cut -f1) KiB, $(find "$RT" -type f | wc -l) files"

# 5. `docker run ... sockcheck run FIXTURE`: the suite on the correct fixture.
t0=$(now)
rc=0
(cd "$T/work" && timeout 900 "$SC" run --report-dir "$T/r1" --format json "$FIX") >"$T/run1.log" 2>&1 || rc=$?
t1=$(now)
echo "run $(secs "$t0" "$t1")" >>"$T/times"
# exit 0: every must-case passed (the fixture passes every case; exit 0 is what is promised)
if [ "$rc" -eq 0 ] && grep -q '^[0-9]* passed, ' "$T/run1.log" && [ -s "$T/r1/results.json" ]; then
	echo "ok - the installed sockcheck run on the installed correct fixture, every must-case passed: $(grep '^[0-9]* passed' "$T/run1.log") ($(secs "$t0" "$t1") s)"
else
	grep -A 12 '^FAIL\|^ERROR' "$T/run1.log"
	tail -n 3 "$T/run1.log"
	fail "the installed sockcheck on the correct fixture: exit $rc"
fi

# 6. A container without CAP_SYS_ADMIN and CAP_NET_ADMIN: --no-netns.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	rc=0
	(cd "$T/work" && timeout 600 setpriv --inh-caps=-sys_admin,-net_admin \
	    --bounding-set=-sys_admin,-net_admin "$SC" run --no-netns --only 'file.server.*' \
	    --report-dir "$T/r2" --format json "$FIX") >"$T/run2.log" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ] && grep -q '"isolation": *"loopback"' "$T/r2/results.json" &&
	    ! grep -q '"isolation": *"netns"' "$T/r2/results.json"; then
		echo "ok - without the namespace capabilities, --no-netns: $(grep '^[0-9]* passed' "$T/run2.log")"
	else
		tail -n 30 "$T/run2.log"
		fail "without the namespace capabilities, --no-netns: exit $rc"
	fi
fi

echo "times (s): $(tr '\n' ' ' <"$T/times")"
if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "ok: the image's steps on the host"
