#!/bin/bash
# One command-line convention across the four tools (issue 16): -j/--json
# everywhere, errors under --json are a JSON object on stdout (nothing on
# stderr), one message for an option given to the wrong command, old
# spellings that still work with a note, and one exit-status policy.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root

TP=$TPK_BUILD/tracepkt TC=$TPK_BUILD/tcdrop XB=$TPK_BUILD/xdpblock PD=$TPK_BUILD/progdump
export XDPBLOCK_PINS=cliconv$$
TMP=$(mktemp -d /tmp/cliconv.XXXXXX)
trap 'rm -rf "$TMP" "/sys/fs/bpf/$XDPBLOCK_PINS"' EXIT

# run CMD...: "RC|STDOUT|STDERR", each output's lines joined by '~'.
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	echo "$?|$(paste -sd'~' "$TMP/out")|$(paste -sd'~' "$TMP/err")"
}

# --- -j is --json in every tool ---------------------------------------------
for t in "$TC status" "$XB status" "$XB list" "$PD list" "$TP --probe"; do
	tap_ok "${t##*/}: -j gives one JSON document" \
		bash -c "$t -j | perl -MJSON::PP -e 'local \$/; decode_json(<STDIN>)'"
done

# --- errors under --json: an object on stdout --------------------------------
tap_is "$(run "$TC" status nosuchdev0 -j)" \
	"2|{\"error\":\"no such device 'nosuchdev0'\"}|" "tcdrop status NODEV -j: the error as JSON, exit 2"
tap_is "$(run "$TC" status nosuchdev0)" \
	"2||tcdrop: no such device 'nosuchdev0'" "... one line on stderr without it"
tap_is "$(run "$PD" show id 4294967295 --json)" \
	"2|{\"error\":\"no program with id 4294967295\"}|" "progdump show --json: the error as JSON, exit 2"
tap_is "$(XDPBLOCK_PINS=a.b run "$XB" status --json)" \
	"2|{\"error\":\"invalid XDPBLOCK_PINS 'a.b' (a folder name: letters, digits, '_', '-')\"}|" \
	"xdpblock status --json: the error as JSON, exit 2"

# --- an option given to the wrong command: one message -----------------------
tap_is "$(run "$TC" detach lo --json)" "2||tcdrop: --json goes with status" "tcdrop: --json with detach"
tap_is "$(run "$XB" flush --json)" "2||xdpblock: --json goes with list and status" "xdpblock: --json with flush"
tap_is "$(run "$PD" cbpf ip --json)" "2||progdump: --json goes with list, show and dump" "progdump: --json with cbpf"
tap_is "$(run "$PD" list --linktype RAW)" "2||progdump: --linktype goes with cbpf" "progdump: --linktype with list"
tap_is "$(run "$TC" frob)" "2||tcdrop: unknown command 'frob' (attach, detach or status)" "tcdrop: unknown command"
tap_is "$(run "$XB")" "2||xdpblock: no command (attach, detach, add, remove, list, flush or status)" "xdpblock: no command"
tap_is "$(run "$PD" frob)" "2||progdump: unknown command 'frob' (list, show, dump or cbpf)" "progdump: unknown command"

# --- old spellings: still work, with a note ----------------------------------
tap_is "$(run "$TC" status -i)" \
	"2||tcdrop: note: -i is going away: say --ingress~tcdrop: --ingress goes with attach and detach" \
	"tcdrop -i: a note, then the same as --ingress"
tap_is "$(run "$TC" status -f)" \
	"2||tcdrop: note: -f is going away: say --force~tcdrop: --force goes with attach" \
	"tcdrop -f: a note, then the same as --force"
tap_done
