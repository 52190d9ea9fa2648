#!/bin/bash
# tracepkt's command line: every bad input is one line on stderr and a
# non-zero exit, and nothing is loaded.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
. "$(dirname "$(readlink -f "$0")")/../lib/tracepkt.sh"
tap_require_root


# bad_input DESC WANT_STDERR_LINE1 ARGS...: exit 2, no stdout, that error.
bad_input() {
	local desc=$1 want=$2 out err rc
	shift 2
	out=$("$TRACEPKT" "$@" 2>/tmp/tpk-err.$$); rc=$?
	err=$(head -n1 /tmp/tpk-err.$$)
	tap_is "$rc" 2 "$desc: exit status 2"
	tap_is "$err" "$want" "$desc: error line"
	tap_is "$out" "" "$desc: nothing on stdout"
}
trap 'rm -f /tmp/tpk-err.$$' EXIT

bad_input "bad address" "tracepkt: invalid target '198.18.0' (an address, a host name, or ADDR%IFNAME)" 198.18.0
bad_input "address with a dot too many" \
	"tracepkt: invalid target '198.18.0.1.' (an address, a host name, or ADDR%IFNAME)" 198.18.0.1.
# Names glibc refuses before asking any resolver: no query leaves.
bad_input "unresolvable name" "tracepkt: cannot resolve 'no..such.host': Name or service not known" no..such.host
bad_input "unknown zone" "tracepkt: cannot resolve 'fe80::1%tpk-no-such-if': Name or service not known" \
	'fe80::1%tpk-no-such-if'
bad_input "IPv6 address with -4" "tracepkt: cannot resolve '::1' as IPv4: Address family for hostname not supported" -4 ::1
bad_input "IPv4 address with -6" "tracepkt: cannot resolve '127.0.0.1' as IPv6: Address family for hostname not supported" -6 127.0.0.1
bad_input "-4 and -6" "tracepkt: -4 and -6 exclude each other" -4 -6 localhost
bad_input "size too large" "tracepkt: invalid size '65508' (0-65507)" -s 65508 127.0.0.1
bad_input "--probe with a tracing option" "tracepkt: --count goes with a TARGET and --all" --probe --count 3
bad_input "--probe with -T" "tracepkt: --timestamp goes with a TARGET and --all" --probe -T
bad_input "--probe with a TARGET" "tracepkt: --probe takes no TARGET: it traces nothing" 127.0.0.1 --probe
bad_input "--probe with --all" "tracepkt: --probe and --all exclude each other" --probe --all
bad_input "--all with a TARGET" \
	"tracepkt: bad filter expression: can't parse filter expression: syntax error (an address is 'host 127.0.0.1')" \
	--all 127.0.0.1
bad_input "--points with empty names" "tracepkt: invalid --points list ',,,' (names, +NAME, -NAME, comma separated)" --points ,,,
bad_input "--points leaving none" "tracepkt: --points leaves no device tracepoint" \
	--points=-netif_rx,-net_dev_queue,-napi_gro_receive_entry,-netif_receive_skb_entry
bad_input "-s with --all" "tracepkt: --size goes with a TARGET" --all -s 100
bad_input "-6 with --all" "tracepkt: -6 goes with a TARGET" -6 --all
bad_input "unknown option" "$TRACEPKT: unrecognized option '--bogus'" --bogus
bad_input "too many arguments" "tracepkt: too many arguments: '198.18.0.2'" 198.18.0.1 198.18.0.2
bad_input "count not a number" "tracepkt: invalid count 'ten' (a number from 1)" --count ten
bad_input "count zero" "tracepkt: invalid count '0' (a number from 1)" --all --count 0
bad_input "--proto without --all" "tracepkt: --proto goes with --all" --proto udp
bad_input "--host with --probe" "tracepkt: --host goes with --all" --probe --host 198.18.0.1
bad_input "ring buffer not a power of two" \
	"tracepkt: invalid ring buffer size '3000' (a power of two from 4K to 1G)" --ringbuf-size 3000
bad_input "unknown tracepoint" "tracepkt: unknown tracepoint '+bogus' (--points help lists them)" --points +bogus
bad_input "unknown netns" "tracepkt: no such network namespace 'tpk-no-such-ns'" --netns tpk-no-such-ns

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$TRACEPKT" 127.0.0.1 2>&1); rc=$?
tap_is "$rc" 1 "not root: exit status 1"
tap_is "$out" "tracepkt: must run as root (needs CAP_BPF and CAP_NET_ADMIN)" "not root: one line"

tap_like "$("$TRACEPKT" --version | head -n1)" '^tracepkt [0-9]+\.[0-9]+\.[0-9]+$' "--version"
help=$("$TRACEPKT" --help)
tap_like "$help" 'Examples:' "--help has examples"
tap_like "$(printf '%s\n' "$help" | grep -c -- '--')" '^[0-9]+$' "--help lists options"
tap_like "$("$TRACEPKT" --points help)" 'net_dev_queue' "--points help lists tracepoints"

tap_is "$(tpk_progs_left)" 0 "no tracepkt program left loaded"
tap_done
