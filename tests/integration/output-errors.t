#!/bin/bash
# Output that cannot be written is an error (issue 15): with stdout on a
# full disk (/dev/full) every tool's data commands exit 1 with one line
# saying so; a closed pipe ends tracepkt --all quietly (status 141, as
# SIGPIPE would) instead of holding its programs attached for nobody.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
. "$(dirname "$(readlink -f "$0")")/../lib/tracepkt.sh"
tap_require_root

scratch tpk-out

# full TOOL ARGS...: stdout on /dev/full: exit 1, one line naming the error.
full() {
	local tool=$1 rc err
	shift
	"$TPK_BUILD/$tool" "$@" >/dev/full 2>"$TMP/err"; rc=$?
	err=$(cat "$TMP/err")
	tap_is "$rc" 1 "$tool $*: stdout on /dev/full: exit 1"
	# The error text where the write that failed was the last.
	tap_like "$err" "^$tool: cannot write output(: No space left on device)?$" "$tool $*: one line says why"
}
full tracepkt --version
full tracepkt --probe
full tracepkt --points help
full tcdrop status
full tcdrop --help
full xdpblock status
full xdpblock list
full progdump cbpf icmp
full progdump --help

# A reader that goes away: head takes what it wants and quits. tracepkt
# must notice with no event to write (the pipe's write end reports it) as
# well as at its next write, and detach.
# reader_gone LINES PINGS: tracepkt --all | head -n LINES, PINGS pings.
reader_gone() {
	local lines=$1 pings=$2 i
	rm -f "$TMP/rc"
	{ "$TRACEPKT" --all --nf-backend off 2>/dev/null; echo $? >"$TMP/rc"; } | head -n "$lines" >"$TMP/head" &
	for ((i = 0; i < 600; i++)); do
		[ -s "$TMP/rc" ] && break
		[ $((i % 5)) = 4 ] && [ "$pings" -gt 0 ] && ping -c1 -W1 127.0.0.1 >/dev/null 2>&1 && pings=$((pings - 1))
		sleep 0.1
	done
	tap_is "$(cat "$TMP/rc" 2>/dev/null)" 141 "tracepkt --all | head -n$lines: tracepkt exits 141 once head is gone"
	tap_is "$(wc -l <"$TMP/head")" "$lines" "tracepkt --all | head -n$lines: head got its lines"
}
reader_gone 1 0
reader_gone 3 20
tap_is "$(tpk_progs_left)" 0 "no tracepkt program left loaded"
tap_done
