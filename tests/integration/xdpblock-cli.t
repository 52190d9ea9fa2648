#!/bin/bash
# xdpblock's command line and state: one-line errors and nothing
# half-applied, loading by hand with `ip link set ... xdp obj`, attach/detach
# errors, rules across re-attach, concurrent adds, a 100k-rule file (10k under emulation), --json,
# and nothing left pinned or attached afterwards.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root

X=$TPK_BUILD/xdpblock
OBJ=$TPK_BUILD/bpf/xdpblock.bpf.o
[ -x "$X" ] || tap_bail "no $X (make first)"
# A blocklist of our own, so this test cannot meet another xdpblock run.
export XDPBLOCK_PINS=xdpblock-cli$$
PINS=/sys/fs/bpf/$XDPBLOCK_PINS
NS=xbcli$$
TMP=$(mktemp -d /tmp/xdpblock-cli.XXXXXX)
cleanup() {
	ip netns exec "$NS" "$X" detach xva >/dev/null 2>&1
	"$X" flush >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

in_ns() { ip netns exec "$NS" "$@"; }
# Programs this test attached (status names them); none may stay loaded.
PROGS=
note_progs() { PROGS="$PROGS $("$X" status | sed -nE 's/.*, prog ([0-9]+)\)$/\1/p' | tr '\n' ' ')"; }
# Those still loaded, once the kernel has had TAP_SETTLE s to free them.
# shellcheck disable=SC2086 # PROGS is a list of IDs
progs_left() { bpf_ids_left prog $PROGS | wc -w; }
# Is an XDP program on DEV in the namespace?
xdp_on() { [[ $(ip -n "$NS" link show "$1") =~ prog/xdp ]]; }

ip netns add "$NS" || tap_bail "cannot add namespace $NS"
ip -n "$NS" link add xva type veth peer name xvb || tap_bail "cannot add veth"
ip -n "$NS" link set xva up
ip -n "$NS" link set xvb up

tap_plan 85

# bad DESC WANT ARGS...: exit 2, that one line on stderr, nothing on stdout.
bad() {
	local desc=$1 want=$2 out rc
	shift 2
	out=$("$X" "$@" 2>"$TMP/err"); rc=$?
	tap_is "$rc/$(cat "$TMP/err")/$out" "2/$want/" "$desc"
}
bad "bad address" "xdpblock: invalid address or prefix '198.18.0.300'" add 198.18.0.300
bad "prefix too long" \
	"xdpblock: invalid prefix length in '198.18.0.0/33' (0-32 for IPv4, 0-128 for IPv6)" add 198.18.0.0/33
bad "host bits" \
	"xdpblock: invalid prefix '198.18.0.5/24': host bits set (did you mean 198.18.0.0/24?)" add 198.18.0.5/24
bad "port out of range" \
	"xdpblock: invalid port '70000' (N or N-M, each 1-65535, N <= M)" add 198.18.0.1 --port 70000
bad "reversed port range" \
	"xdpblock: invalid port '90-80' (N or N-M, each 1-65535, N <= M)" add 198.18.0.1 --port 90-80
bad "port without ports" \
	"xdpblock: a port needs protocol tcp, udp or sctp (none means TCP and UDP)" \
	add 198.18.0.1 --proto icmp --port 80
bad "unknown protocol" \
	"xdpblock: invalid protocol 'foo' (tcp, udp, sctp, icmp, icmpv6 or 0-255)" add 198.18.0.1 --proto foo
bad "unknown device (attach)" "xdpblock: no such device 'xbnodev$$'" attach xbnodev$$
bad "unknown device (detach)" "xdpblock: no such device 'xbnodev$$'" detach xbnodev$$
bad "bad mode" "xdpblock: invalid mode 'fast' (native or skb)" attach lo --mode fast
XDPBLOCK_WALK=fast bad "bad XDPBLOCK_WALK" "xdpblock: invalid XDPBLOCK_WALK 'fast' (loop or bounded)" \
	attach xbnodev$$
bad "unknown command" \
	"xdpblock: unknown command 'block' (attach, detach, add, remove, list, flush or status)" block 198.18.0.1
bad "no command" "xdpblock: no command (attach, detach, add, remove, list, flush or status)"
bad "attach without device" "xdpblock: attach needs DEV" attach
bad "too many arguments" "xdpblock: too many arguments: 'lo'" detach xva lo
bad "--port with list" "xdpblock: --port goes with add and remove" list --port 80
bad "--file and ADDR" "xdpblock: --file takes the rules from the file: no ADDR, --proto or --port" \
	add 198.18.0.1 --file /dev/null

printf '198.18.1.0/24\n# comment\n\n198.18.2.0/24 proto udp port 99999\n198.18.3.0/24\n' >"$TMP/bad.rules"
bad "rule file with a bad line" \
	"xdpblock: $TMP/bad.rules line 4: invalid port '99999' (N or N-M, each 1-65535, N <= M)" \
	add --file "$TMP/bad.rules"
tap_ok "bad input pinned nothing" test ! -e "$PINS"

# --- by hand: ip link set dev X xdp obj FILE sec xdp -----------------------
tap_like "$(ip -V)" 'libbpf' "iproute2 loads objects with libbpf"
# iproute2 may make its own folders (xdp/globals); it must pin no map.
ip_pins() { find /sys/fs/bpf/xdp /sys/fs/bpf/tc -type f 2>/dev/null | sort; }
ip_pins_before=$(ip_pins)
tap_ok "ip link set ... xdp obj ... sec xdp loads" ip -n "$NS" link set dev xva xdp obj "$OBJ" sec xdp
tap_like "$(ip -n "$NS" link show xva)" 'prog/xdp id [0-9]+' "the program is on xva"
tap_is "$(ip_pins)" "$ip_pins_before" "ip pinned nothing (the object asks for no pins)"
out=$(in_ns "$X" attach xva 2>&1); rc=$?
tap_is "$rc/$out" "1/xdpblock: xva already has an XDP program (\`ip link set dev xva xdp off\` removes it)" \
	"xdpblock refuses a device with ip's program"
tap_ok "ip link set ... xdp off" ip -n "$NS" link set dev xva xdp off
wait_until ! xdp_on xva
tap_unlike() { if [[ $1 =~ $2 ]]; then tap_fail "$3"; tap_diag "got: $1"; else tap_pass "$3"; fi; }
tap_unlike "$(ip -n "$NS" link show xva)" 'prog/xdp' "nothing left on xva"

# --- attach / detach -------------------------------------------------------
tap_ok "attach (under ip netns exec)" in_ns "$X" attach xva
note_progs
tap_like "$(ip -n "$NS" link show xva)" 'prog/xdp id [0-9]+' "xdpblock's program is on xva"
tap_is "$(ls "$PINS" | grep -cx "link-$(stat -L -c %i "/run/netns/$NS")-[0-9]*-xva")" 1 "pinned link: link-NETNS-IFINDEX-DEV"
out=$(in_ns "$X" attach xva 2>&1); rc=$?
tap_is "$rc/$out" "2/xdpblock: already attached to xva" "attach twice"
tap_like "$(in_ns "$X" status)" 'attached: xva \(netns [0-9]+, ifindex [0-9]+, native' "status names the device"
tap_like "$("$X" status)" 'attached: xva \(netns [0-9]+, ifindex [0-9]+, ' "status, seen from outside"
tap_ok "add a rule" "$X" add 198.18.0.0/24 --proto udp --port 53
tap_ok "add a rule under ip netns exec" in_ns "$X" add 2001:db8:77::/48
tap_is "$(in_ns "$X" list)" "$("$X" list)" "both see the same rules"
tap_ok "remove it from outside" "$X" remove 2001:db8:77::/48
tap_ok "detach" in_ns "$X" detach xva
wait_until ! xdp_on xva
tap_unlike "$(ip -n "$NS" link show xva)" 'prog/xdp' "detached"
out=$(in_ns "$X" detach xva 2>&1); rc=$?
tap_is "$rc/$out" "2/xdpblock: not attached to xva" "detach of nothing"
tap_ok "attach again, skb mode" in_ns "$X" attach xva --mode skb
note_progs
tap_like "$(in_ns "$X" status)" 'xva \(netns [0-9]+, ifindex [0-9]+, skb' "status says skb"
tap_like "$("$X" list)" '198\.18\.0\.0/24 +udp +53 ' "the rule survived detach and re-attach"

# --- which port: --port either (with one release's note), --dport, --sport ---
out=$("$X" add 198.18.0.77 --proto udp --port 5353 2>&1); rc=$?
tap_is "$rc/$out" "0/xdpblock: note: a port is now the source or the destination port, as in tcdrop and tracepkt; dport is the destination only, as port was" \
	"--port: either port, and a note (it was the destination)"
tap_ok "--dport: the destination only" "$X" add 198.18.0.77 --proto udp --dport 5354
tap_ok "--sport: the source only" "$X" add 198.18.0.77 --proto udp --sport 5355
tap_is "$("$X" list | awk '$2 == "198.18.0.77/32" { print $4 }' | tr '\n' ' ')" "5353 dport:5354 sport:5355 " \
	"list: 5353, dport:5354, sport:5355"
tap_is "$("$X" list --json | perl -MJSON::PP -e 'local $/; print join " ", map { $_->{port_match} } grep { $_->{prefix} eq "198.18.0.77/32" } @{decode_json(<STDIN>)->{rules}}')" \
	"either dst src" "list --json: port_match either, dst, src"
tap_ok "remove them" "$X" remove 198.18.0.77 --proto udp --dport 5354
tap_ok "... by the same words" "$X" remove 198.18.0.77 --proto udp --sport 5355
tap_ok "... each" "$X" remove 198.18.0.77 --proto udp --port 5353
bad "two port options" "xdpblock: one of --port, --dport and --sport" add 198.18.0.77 --port 1 --dport 2

# --- add/remove semantics --------------------------------------------------
out=$("$X" add 198.18.0.0/24 --proto udp --port 53 2>&1); rc=$?
tap_is "$rc/$out" "0/xdpblock: already blocked: 198.18.0.0/24 proto udp port 53" "adding a rule twice is a note"
out=$("$X" remove 198.18.9.0/24 2>&1); rc=$?
tap_is "$rc/$out" "2/xdpblock: no such rule: 198.18.9.0/24" "removing a missing rule"
printf '198.18.0.0/24 proto udp port 53\n198.18.9.0/24\n' >"$TMP/rm.rules"
out=$("$X" remove --file "$TMP/rm.rules" 2>&1); rc=$?
tap_is "$rc/$out" "2/xdpblock: $TMP/rm.rules line 2: no such rule: 198.18.9.0/24" "remove file with a missing rule"
tap_is "$("$X" list | wc -l)" 2 "... removed nothing"
# A rule named twice in a remove file is a note, as in an add file.
printf '198.18.3.0/24 proto tcp\n198.18.3.1\n' >"$TMP/dup.rules"
"$X" add --file "$TMP/dup.rules" >/dev/null 2>&1
printf '198.18.3.0/24 proto tcp\n198.18.3.1\n198.18.3.0/24 proto tcp # again\n' >"$TMP/dup.rules"
out=$("$X" remove --file "$TMP/dup.rules" 2>&1); rc=$?
tap_is "$rc/$out" "0/removed 2 rules (1 repeated)" "remove file naming a rule twice: removed, the repeat noted"
tap_is "$("$X" list | wc -l)" 2 "... only the file's rules went"
for i in $(seq 1 17); do echo "198.18.7.0/24 proto tcp port $i"; done >"$TMP/full.rules"
out=$("$X" add --file "$TMP/full.rules" 2>&1); rc=$?
tap_is "$rc/$out" \
	"2/xdpblock: $TMP/full.rules line 17: 198.18.7.0/24 proto tcp port 17: too many rules for one prefix (at most 16; use port ranges)" \
	"17 rules on one prefix"
tap_is "$("$X" list | wc -l)" 2 "... added nothing"
tap_ok "0.0.0.0/0 and ::/0 are rules" "$X" add 0.0.0.0/0 --proto tcp --port 1
tap_ok "::/0" "$X" add ::/0 --proto tcp --port 1
tap_ok "remove them" "$X" remove 0.0.0.0/0 --proto tcp --port 1
tap_ok "remove ::/0" "$X" remove ::/0 --port 1 --proto tcp

# --- concurrent adds, big files ---------------------------------------------
for i in $(seq 0 999); do echo "2001:db8:a::$(printf %x "$i")"; done >"$TMP/a.rules"
for i in $(seq 0 999); do echo "198.19.$((i / 256)).$((i % 256))/32 proto udp"; done >"$TMP/b.rules"
"$X" add --file "$TMP/a.rules" >"$TMP/a.out" 2>&1 & pa=$!
"$X" add --file "$TMP/b.rules" >"$TMP/b.out" 2>&1 & pb=$!
wait $pa; ra=$?; wait $pb; rb=$?
tap_is "$ra/$rb/$(cat "$TMP/a.out" "$TMP/b.out")" \
	"0/0/added 1000 rules (0 already present)
added 1000 rules (0 already present)" "two concurrent adds of 1000 rules"
tap_is "$("$X" list | tail -n +2 | wc -l)" 2001 "... leave 2001 rules"
tap_is "$("$X" list | tail -n +2 | awk '{print $1}' | sort -u | wc -l)" 2001 "... with distinct ids"

# A big file: 100k rules here, 10k under emulation (how fast is bench's
# business, not a test's).
BIG=100000
[ -n "${TPK_VM_KERNEL:-}" ] && BIG=10000
for i in $(seq 0 $((BIG - 1))); do echo "198.$((18 + i / 65536)).$((i / 256 % 256)).$((i % 256))"; done >"$TMP/big.rules"
start=$(date +%s%N)
out=$("$X" add --file "$TMP/big.rules" 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
tap_is "$rc/$out" "0/added $BIG rules (0 already present)" "a $BIG-rule file loads"
tap_diag "$BIG-rule file: ${ms} ms"
tap_is "$("$X" list | tail -n +2 | wc -l)" $((BIG + 2001)) "... list shows them all"

"$X" list --json >"$TMP/list.json"
if command -v jq >/dev/null; then
	tap_is "$(jq '.rules | length' "$TMP/list.json")" $((BIG + 2001)) "list --json parses (jq)"
	tap_is "$(jq -c '.rules[0]' "$TMP/list.json")" \
		'{"id":1,"family":"ipv4","prefix":"198.18.0.0/24","proto":"udp","port_min":53,"port_max":53,"port_match":"either","packets":0,"bytes":0}' \
		"first rule in JSON"
	tap_is "$("$X" status --json | jq -c '[.rules, .rules_ipv4, .rules_ipv6, (.attached | length)]')" \
		"[$((BIG + 2001)),$((BIG + 1001)),1000,1]" "status --json parses"
else
	tap_skip "list --json parses" "no jq"
	tap_skip "first rule in JSON" "no jq"
	tap_skip "status --json parses" "no jq"
fi
start=$(date +%s%N)
tap_ok "remove the big file" "$X" remove --file "$TMP/big.rules"
tap_diag "$BIG-rule remove: $(( ($(date +%s%N) - start) / 1000000 )) ms"
tap_is "$("$X" list | tail -n +2 | wc -l)" 2001 "... leaves the 2001 others"

# --- flush -----------------------------------------------------------------
last=$("$X" list | awk 'NR > 1 { print $1 }' | sort -n | tail -n1)
tap_ok "flush while attached" "$X" flush
tap_is "$("$X" list | tail -n +2 | wc -l)" 0 "... removes every rule"
"$X" add 198.18.77.1 >/dev/null
id=$("$X" list | awk 'NR == 2 { print $1 }')
tap_ok "... and rule ids go on (last before flush $last, then $id): never reused" test "$id" -gt "$last"
"$X" remove 198.18.77.1
tap_ok "... keeps the maps for the attached device" test -e "$PINS/rules_v4"
tap_ok "detach" in_ns "$X" detach xva
tap_ok "flush" "$X" flush
tap_ok "nothing pinned after detach + flush" wait_until test ! -e "$PINS"
tap_ok "programs were noted" test -n "$PROGS"
tap_is "$(progs_left)" 0 "no program of ours left loaded"
tap_ok "flush of nothing" "$X" flush

cleanup
trap - EXIT
# Other tests may run meanwhile: look at what this one made.
ns_count() { ip netns list | grep -c "^$NS\b"; }
tap_is "$(tap_settle 0 ns_count)" 0 "namespace gone"
tap_ok "nothing of ours in /sys/fs/bpf" wait_until test ! -e "$PINS"
tap_done
