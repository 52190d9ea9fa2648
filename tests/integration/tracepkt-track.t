#!/bin/bash
# tracepkt follows a packet once it matched: through DNAT and SNAT both
# ways (the nat fixture), through each tunnel this kernel can make (the
# tunnel fixture: the underlay hops carry the same skb), into clones (tc
# mirred mirror), with a bounded memory under a flood; --no-track shows
# only what the filters match where they look.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
. "$(dirname "$(readlink -f "$0")")/../lib/tracepkt.sh"
tap_require_root
scratch tpk-track

# In the matrix's emulated guests each load of tracepkt costs many seconds:
# there, one family through the NAT, one run per tunnel, no flood (the
# host runs everything).
VM=${TPK_VM_KERNEL:+1}
FAMILIES=(4 6)
[ -z "$VM" ] || FAMILIES=(4)

# traced OUT TRACEPKT_ARGS... -- COMMAND...: tracepkt's output while
# COMMAND runs, in OUT (stderr in OUT.err).
traced() {
	local out=$1 args=() pid
	shift
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	"$TRACEPKT" "${args[@]}" >"$out" 2>"$out.err" &
	pid=$!
	if ! tracer_ready "$pid"; then
		tap_diag "tracepkt did not start: $(cat "$out.err")"
		return 1
	fi
	"$@" >/dev/null 2>&1
	kill -INT "$pid"
	wait "$pid"
}

# fields FILE KEYS...: each JSON event's KEYS, space-separated, one per line.
fields() {
	local f=$1
	shift
	jq -r '. as $e | [$ARGS.positional[] | ($e[.] // "-") | tostring] | join(" ")' "$f" --args "$@"
}

# --- NAT: A pings VIP, which R DNATs to B, and masquerades on its way. ---
fixture_up nat "tk$$"
for v in "${FAMILIES[@]}"; do
	a=A_IP$v vip=VIP_IP$v b=B_IP$v rb=R_B_IP$v
	ping_vip=(ip netns exec "$NS_A" ping -c1 -W2 "${!vip}")
	prime ip netns exec "$NS_A" "${!vip}"
	request_a=$(py_line "$NS_A_INODE" "$A_IF" request "${!a}" "${!vip}"
		py_line "$NS_R_INODE" "$R_A_IF" request "${!a}" "${!vip}")
	request_b=$(py_line "$NS_R_INODE" "$R_B_IF" request "${!rb}" "${!b}"
		py_line "$NS_B_INODE" "$B_IF" request "${!rb}" "${!b}")
	reply_b=$(py_line "$NS_B_INODE" "$B_IF" reply "${!b}" "${!rb}"
		py_line "$NS_R_INODE" "$R_B_IF" reply "${!b}" "${!rb}")
	reply_a=$(py_line "$NS_R_INODE" "$R_A_IF" reply "${!vip}" "${!a}"
		py_line "$NS_A_INODE" "$A_IF" reply "${!vip}" "${!a}")

	traced "$TMP/o" --nf-backend off --all "host ${!a}" -- "${ping_vip[@]}"
	tap_is "$(cat "$TMP/o")" "$(py_header; printf '%s\n%s\n%s\n%s' "$request_a" "$request_b" \
		"$reply_b" "$reply_a")" "IPv$v 'host A' through DNAT and SNAT: every hop, both ways"
	if [ -n "$VM" ]; then
		traced "$TMP/o" --nf-backend off --all -j --no-track "host ${!a}" -- "${ping_vip[@]}"
		tap_is "$(fields "$TMP/o" via | tr '\n' ' ')" "filter filter filter filter " \
			"IPv$v --no-track: only where the addresses are A's"
		continue
	fi
	traced "$TMP/o" --nf-backend off --all --host "${!a}" -- "${ping_vip[@]}"
	tap_is "$(cat "$TMP/o")" "$(py_header; printf '%s\n%s\n%s\n%s' "$request_a" "$request_b" \
		"$reply_b" "$reply_a")" "IPv$v --host A: the same"
	traced "$TMP/o" --nf-backend off --all --no-track "host ${!a}" -- "${ping_vip[@]}"
	tap_is "$(cat "$TMP/o")" "$(py_header; printf '%s\n%s' "$request_a" "$reply_a")" \
		"IPv$v --no-track: only where the addresses are A's"
	# The answer, seen across the NAT, is VIP -> A: not from A.
	traced "$TMP/o" --nf-backend off --all "src host ${!a}" -- "${ping_vip[@]}"
	tap_is "$(cat "$TMP/o")" "$(py_header; printf '%s\n%s' "$request_a" "$request_b")" \
		"IPv$v 'src host A': the request all the way, no reply"
	# Matched only once DNAT made it B's: from there on.
	traced "$TMP/o" --nf-backend off --all "host ${!b}" -- "${ping_vip[@]}"
	tap_is "$(cat "$TMP/o")" "$(py_header; printf '%s\n%s\n%s' "$request_b" "$reply_b" "$reply_a")" \
		"IPv$v 'host B': from the DNAT on, and the whole reply"
	traced "$TMP/o" --nf-backend off --all -j "host ${!a}" -- "${ping_vip[@]}"
	tap_is "$(fields "$TMP/o" via | tr '\n' ' ')" "filter filter skb skb nat skb filter filter " \
		"IPv$v --json: why each event was sent (via)"
	# The ping's id survives the NAT: ping mode always followed it; now
	# with the nat tables' verdicts between (nfhook here).
	out=$(ip netns exec "$NS_A" "$TRACEPKT" "${!vip}" 2>/dev/null)
	tap_like "$(grep -c . <<<"$out")" '^(9|1[0-9])$' "IPv$v ping mode through the NAT, netfilter on: every hop"
done

# TCP through both NATs: a SYN to a closed port and the RST back.
traced "$TMP/o" --nf-backend off --all -j "tcp and host $A_IP4" -- \
	ip netns exec "$NS_A" timeout 5 bash -c "exec 3<>/dev/tcp/$VIP_IP4/9"
tap_is "$(fields "$TMP/o" ifname saddr daddr via | awk '{print $1, $2, $3, $4}' | tr '\n' ';')" \
	"$A_IF $A_IP4 $VIP_IP4 filter;$R_A_IF $A_IP4 $VIP_IP4 filter;$R_B_IF $R_B_IP4 $B_IP4 skb;$B_IF $R_B_IP4 $B_IP4 skb;$B_IF $B_IP4 $R_B_IP4 nat;$R_B_IF $B_IP4 $R_B_IP4 skb;$R_A_IF $VIP_IP4 $A_IP4 filter;$A_IF $VIP_IP4 $A_IP4 filter;" \
	"TCP SYN and RST through DNAT and SNAT"

# --- Tunnels: the same skb on the overlay and the underlay. Every type
# this kernel can make is up at once and one tracer follows a ping across
# each (a load of tracepkt is what costs minutes under emulation). ---
declare -A TUN=()
TYPES=()
for type in vxlan vxlan6 geneve geneve6 gre gre6 ipip ip6ip6 gretap ip6gretap; do
	name=$(tap_name u)
	out=$(TPK_FIXTURE_TUNNEL=$type "$FIXTURES/tunnel" up "$name" 2>&1)
	rc=$?
	if [ $rc = 2 ]; then
		tap_skip "$type tunnel" "$out"
		[ -n "$VM" ] || tap_skip "$type tunnel, --no-track" "$out"
		continue
	fi
	TPK_FIXTURES_UP+=("tunnel:$name")
	TPK_FIXTURES_ALL+=("tunnel:$name")
	if [ $rc != 0 ]; then
		tap_fail "$type tunnel: fixture up: $out"
		[ -n "$VM" ] || tap_fail "$type tunnel, --no-track"
		continue
	fi
	TUN[$type]=$out
	TYPES+=("$type")
done
# tun_keys TYPE: that instance's keys, and l, r, lu, ru: the names of its
# overlay and underlay address keys in the family its overlay carries.
tun_keys() {
	unset L_TUN_IP4 L_TUN_IP6 R_TUN_IP4 R_TUN_IP6
	eval "${TUN[$1]}"
	v=4
	[ -n "${R_TUN_IP4:-}" ] || v=6
	l=L_TUN_IP$v r=R_TUN_IP$v lu=L_IP$UNDERLAY ru=R_IP$UNDERLAY
}
ping_tunnels() {
	local t
	for t in "${TYPES[@]}"; do
		tun_keys "$t"
		ip netns exec "$NS_L" ping -c1 -W2 "${!r}"
	done
}
ECHO='icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply or (icmp6 and (ip6[40] == 128 or ip6[40] == 129))'
if [ ${#TYPES[@]} -gt 0 ]; then
	for t in "${TYPES[@]}"; do
		tun_keys "$t"
		prime ip netns exec "$NS_L" "${!r}"
	done
	traced "$TMP/tun" --nf-backend off --all -j "$ECHO" -- ping_tunnels
	[ -n "$VM" ] || traced "$TMP/tun0" --nf-backend off --all -j --no-track "$ECHO" -- ping_tunnels
fi
for t in "${TYPES[@]}"; do
	tun_keys "$t"
	# Outer ports are the tunnel's own choice (a hash): not compared.
	tap_is "$(fields "$TMP/tun" netns ifname saddr daddr |
		awk -v a="$NS_L_INODE" -v b="$NS_R_INODE" '$1 == a || $1 == b' | tr '\n' ';')" \
		"$NS_L_INODE tun0 ${!l} ${!r};$NS_L_INODE $L_IF ${!lu} ${!ru};$NS_R_INODE $R_IF ${!lu} ${!ru};$NS_R_INODE tun0 ${!l} ${!r};$NS_R_INODE tun0 ${!r} ${!l};$NS_R_INODE $R_IF ${!ru} ${!lu};$NS_L_INODE $L_IF ${!ru} ${!lu};$NS_L_INODE tun0 ${!r} ${!l};" \
		"$t tunnel (IPv$v over IPv$UNDERLAY): overlay and underlay hops, both ways"
	[ -n "$VM" ] && continue
	tap_is "$(fields "$TMP/tun0" netns ifname saddr daddr |
		awk -v a="$NS_L_INODE" -v b="$NS_R_INODE" '$1 == a || $1 == b' | tr '\n' ';')" \
		"$NS_L_INODE tun0 ${!l} ${!r};$NS_R_INODE tun0 ${!l} ${!r};$NS_R_INODE tun0 ${!r} ${!l};$NS_L_INODE tun0 ${!r} ${!l};" \
		"$t tunnel, --no-track: the overlay only"
done

# --- Clones: tc mirred mirrors what enters vethc1 to another veth. ---
fixture_up bridge "tc$$"
ip -n "$NS_HOST" link add mir0 type veth peer name mir1 &&
	ip -n "$NS_HOST" link set mir0 up && ip -n "$NS_HOST" link set mir1 up &&
	ip netns exec "$NS_HOST" tc qdisc add dev vethc1 clsact &&
	ip netns exec "$NS_HOST" tc filter add dev vethc1 ingress u32 match u32 0 0 \
		action mirred egress mirror dev mir0
mirror=$?
if [ $mirror = 0 ]; then
	prime ip netns exec "$NS_C1" "$C2_IP4"
	traced "$TMP/o" --nf-backend off --all -j "host $C1_IP4 and icmp[icmptype] == icmp-echo" -- \
		ip netns exec "$NS_C1" ping -c1 -W2 "$C2_IP4"
	tap_is "$(fields "$TMP/o" ifname via clone | tr '\n' ';')" \
		"$C1_IF filter -;$C1_PORT_IF filter -;mir0 clone true;mir1 clone true;$C2_PORT_IF filter -;$C2_IF filter -;" \
		"a mirrored request: the clone's hops marked clone"
else
	tap_skip "clones" "tc mirred or u32 missing here"
fi

# --- Bounded: a flood of followed packets; what is freed is forgotten. ---
flood() { ip netns exec "$NS_C1" ping -f -c 3000 -q -W1 "$C2_IP4"; }
if [ -z "$VM" ]; then
	"$TRACEPKT" --nf-backend off --all "host $C1_IP4" >/dev/null 2>&1 &
	pid=$!
fi
if [ -n "$VM" ]; then
	tap_skip "a flood" "host only: too slow under emulation"
elif tracer_ready $pid; then
	flood >/dev/null 2>&1
	map=$(bpftool -j map show | jq -r '.[] | select(.name == "track_skb") | "\(.id) \(.max_entries)"' | tail -1)
	id=${map% *}
	max=${map#* }
	sleep 1.5
	left=$(bpftool -j map dump id "$id" | jq length)
	tap_ok "the skb map is bounded ($max entries)" [ "$max" -le 4096 ]
	tap_ok "after the flood, the freed packets are forgotten ($left left)" [ "$left" -lt 50 ]
	tap_ok "tracepkt still runs" kill -0 $pid
	kill -INT $pid
	wait $pid
	tap_is "$?" 0 "and exits 0"
else
	tap_fail "tracepkt did not start for the flood"
fi

fixtures_down
TPK_FIXTURES_UP=()
tap_is "$(fixtures_left)" 0 "no fixture namespace left behind"
tap_is "$(tpk_progs_left)" 0 "no tracepkt program left loaded"
tap_done
