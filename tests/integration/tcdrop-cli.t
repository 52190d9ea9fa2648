#!/bin/bash
# tcdrop's command line: help, version, and a one-line error with exit
# status 2 for every bad input, before anything is changed.
source "$(dirname "$0")/../lib/tap.sh"
tap_require_root

TCDROP=$TPK_BUILD/tcdrop
[ -x "$TCDROP" ] || tap_bail "no $TCDROP: run make first"

out=$("$TCDROP" --help 2>&1)
tap_like "$out" "tcdrop attach docker0" "--help shows examples"
tap_like "$out" "--legacy" "--help lists --legacy"
tap_is "$("$TCDROP" --version | head -n1)" "tcdrop $(sed -n 's/^VERSION *?= *//p' "$TPK_ROOT/Makefile")" "--version"

ns=$(tap_name tcdc)
trap 'ip netns del "$ns" 2>/dev/null' EXIT
ip netns add "$ns" || tap_bail "cannot create namespace $ns"
ip -n "$ns" link add v0 type veth peer v1 && ip -n "$ns" link set v0 up ||
	tap_bail "cannot create a veth in $ns"

# One line on stderr, "tcdrop: ...", exit status 2.
refused() {
	local desc=$1 out rc
	shift
	out=$(ip netns exec "$ns" "$TCDROP" "$@" 2>&1)
	rc=$?
	if [ "$rc" = 2 ] && [ "$(wc -l <<<"$out")" = 1 ] && [[ $out == tcdrop:* ]]; then
		tap_pass "$desc"
	else
		tap_fail "$desc"
		tap_diag "rc=$rc: $out"
	fi
}

refused "no command" 
refused "unknown command" frob v0
refused "attach without device" attach
refused "too many arguments" attach v0 v1
refused "invalid device name" attach "a/b"
refused "device name too long" attach 0123456789abcdefg
for o in "--proto udp --proto tcp" "--src 198.18.0.0/24 -s 198.18.1.0/24" "--dst 198.18.0.1 --dst 198.18.0.2" \
	"--proto tcp --port 80 -P 81" "--proto tcp --sport 80 --sport 81" "--proto tcp --port 80 --dport 81" \
	"--proto udp --dport 80 --sport 81"; do
	# shellcheck disable=SC2086
	refused "repeated narrowing option ($o)" attach v0 $o
done
refused "missing device" attach nosuchdev
refused "bad protocol" attach v0 --proto bogus
refused "bad prefix" attach v0 --src 198.18.0.1/33
refused "host bits set" attach v0 --dst 198.18.0.1/24
refused "bad port" attach v0 --port 70000
refused "port 0" attach v0 --port 0
refused "mixed families" attach v0 --src 198.18.0.0/24 --dst 2001:db8::/32
refused "--port with icmp" attach v0 --proto icmp --port 80
refused "--dport with icmp" attach v0 --proto icmp --dport 80
refused "--sport with detach" detach v0 --sport 80
refused "icmpv6 with an IPv4 prefix" attach v0 --proto icmpv6 --src 198.18.0.0/15
refused "--proto with detach" detach v0 --proto udp
refused "--force with status" status --force
refused "--json with attach" attach v0 --json
refused "direction with status" status --ingress
refused "detach of nothing" detach v0
refused "detach of nothing, one direction" detach v0 --egress
refused "detach of a missing device" detach nosuchdev
refused "status of a missing device" status nosuchdev

tap_is "$(ip netns exec "$ns" "$TCDROP" status --json)" '{"attachments":[]}' "status --json with nothing attached"
tap_like "$(ip netns exec "$ns" "$TCDROP" status)" "^DEVICE +IFINDEX +DIR +MECH" "status table header"
tap_is "$(ip netns exec "$ns" tc qdisc show dev v0 | grep -c clsact)" 0 "refusals added no qdisc"
tap_ok "no pins for the namespace" test ! -e "/sys/fs/bpf/tcdrop/$(stat -L -c %i "/run/netns/$ns")"
tap_done
