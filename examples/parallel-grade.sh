#!/bin/sh
# Grade a class on several machines with GNU parallel over ssh, then merge
# the shards (docs/grading.md, "Several machines").
#
#   sh parallel-grade.sh SHARDS SSHLOGINS ASSIGNMENT CLASS_DIR OUT_DIR
#   sh parallel-grade.sh 6 2/lab1,2/lab2,2/lab3 /srv/course/lab4.yaml \
#       /srv/course/submissions /srv/course/grades
#
# SSHLOGINS is GNU parallel's --sshlogin list: "2/lab1" runs two shards at a
# time on lab1; ":" is this machine. Every machine needs the same sockcheck
# (PATH or $SOCKCHECK) and sees ASSIGNMENT, CLASS_DIR and OUT_DIR at the same
# absolute paths (NFS or similar), without spaces. Each shard grades into
# OUT_DIR/shard-K; a shard that fails is tried again (--retries) and resumes
# where it stopped; the merge writes OUT_DIR/all/{gradebook.csv,summary.md}.
# $SOCKCHECK_JOBS: cases in flight per shard (default 2).
set -eu
[ $# -eq 5 ] || { echo "usage: $0 SHARDS SSHLOGINS ASSIGNMENT CLASS_DIR OUT_DIR" >&2; exit 2; }
N=$1 LOGINS=$2 ASG=$3 CLASS=$4 OUT=$5
SOCKCHECK=${SOCKCHECK:-sockcheck}
JOBS=${SOCKCHECK_JOBS:-2}
seq 1 "$N" | parallel --sshlogin "$LOGINS" --retries 2 --line-buffer --tagstring 'shard {}' \
    "$SOCKCHECK" grade --assignment "$ASG" --jobs "$JOBS" --shard {}/"$N" \
    --out "$OUT/shard-{}" "$CLASS"
shards=""
for k in $(seq 1 "$N"); do shards="$shards $OUT/shard-$k"; done
# shellcheck disable=SC2086
"$SOCKCHECK" merge "$OUT/all" $shards
