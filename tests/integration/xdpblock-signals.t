#!/bin/bash
# A rule file goes in whole or not at all, whatever signal arrives (issue
# 15): SIGINT, SIGTERM or SIGHUP sent at a random moment of `xdpblock add
# --file` / `remove --file` of 100k rules leaves either none or all of them.
# (SIGKILL cannot be held: it only ever meets the parse, or the kernel's
# whole-map updates, see faults.t.)
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root

X=$TPK_BUILD/xdpblock
export XDPBLOCK_PINS=xdpblock-sig$$
TMP=$(mktemp -d /tmp/tpk-xbsig.XXXXXX)
cleanup() { "$X" flush >/dev/null 2>&1; rm -rf "/sys/fs/bpf/$XDPBLOCK_PINS" "$TMP"; }
trap cleanup EXIT

N=100000
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++) printf "198.%d.%d.%d\n", 18 + int(i / 65536), int(i / 256) % 256, i % 256 }' >"$TMP/big.rules"
rules() { "$X" status 2>/dev/null | sed -n 's/^rules: *\([0-9]*\).*/\1/p'; }

# How long a whole add takes here: signals land inside it.
start=$(date +%s%N)
"$X" add --file "$TMP/big.rules" >/dev/null 2>&1
full=$(( ($(date +%s%N) - start) / 1000000 ))
"$X" remove --file "$TMP/big.rules" >/dev/null 2>&1
tap_diag "a whole add of $N rules: $full ms"
tap_is "$(rules)" 0 "start from no rules"

for op in add remove; do
	for sig in INT TERM HUP; do
		for try in 1 2 3; do
			before=$(rules)
			# A background job of a script ignores SIGINT unless told otherwise.
			env --default-signal=INT "$X" "$op" --file "$TMP/big.rules" >/dev/null 2>&1 &
			pid=$!
			# Anywhere from the parse to the end of the writes.
			sleep "$(awk -v ms="$full" -v r="$RANDOM" 'BEGIN { printf "%.3f", ms * (r % 100) / 100000 }')"
			kill -s "$sig" $pid 2>/dev/null
			wait $pid
			after=$(rules)
			if [ "$op" = add ]; then want="^(0|$N)$"; else want="^(0|$before)$"; fi
			tap_like "$after" "$want" "$op --file, SIG$sig try $try: all or nothing ($before -> $after)"
			# The next try starts from the state the other op needs.
			if [ "$op" = add ] && [ "$after" = $N ]; then "$X" remove --file "$TMP/big.rules" >/dev/null 2>&1; fi
			if [ "$op" = remove ] && [ "$after" = 0 ]; then "$X" add --file "$TMP/big.rules" >/dev/null 2>&1; fi
		done
	done
	[ "$op" = add ] && "$X" add --file "$TMP/big.rules" >/dev/null 2>&1
done
tap_done
