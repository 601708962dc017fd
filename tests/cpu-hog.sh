#!/bin/sh
# cpu-hog.sh SECONDS: keep every core busy for SECONDS (one busy loop per
# core), then end. Ending this script (TERM, INT) ends the loops too.
s=${1:-60}
pids=""
trap 'kill $pids 2>/dev/null; exit 0' TERM INT
i=0
while [ $i -lt "$(nproc)" ]; do
	timeout "$s" sh -c 'while :; do :; done' &
	pids="$pids $!"
	i=$((i + 1))
done
wait
