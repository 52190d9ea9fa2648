#!/bin/bash
# Every verdict and every drop tracepkt prints is true (issue 14), with each
# netfilter backend the kernel lets start:
# - tables the nfhook probes cannot tell apart are all named (X|filter), the
#   others say the exact table; any number of tables per hook;
# - --netns and --ifname keep netfilter lines by the hook's namespace and
#   devices (OUTPUT has no skb->dev yet);
# - --drops shows NOT_SPECIFIED drops (blackhole, unreachable, prohibit
#   routes) and no drop for a delivered ping (raw or datagram socket);
# - targets as ping takes them: localhost, -4/-6, ADDR%IFNAME;
# - every fragment of a ping larger than the MTU, IPv4 and IPv6; IPv6
#   extension headers (hop-by-hop, routing, destination options) in --all;
# - -T with --json.
# Rules and routes live only in the fixtures' namespaces.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
. "$(dirname "$(readlink -f "$0")")/../lib/tracepkt.sh"
tap_require_root

scratch tpk-truth
ECHO6_EXT=$(dirname "$(readlink -f "$0")")/../lib/echo6-ext
# Under emulation (the kernel matrix) each run costs seconds: there the
# drop-free pings are loopback's and the router's, the routes that drop
# blackhole and unreachable, the fragments' offsets are not read again in
# JSON, and one echo carries all three extension headers; the host runs
# every case.
WAIT=0.5 GUEST=
[ -n "${TPK_VM_KERNEL:-}" ] && WAIT=1 GUEST=1

# The line of a table's verdict, as tracepkt.py printed it.
nf_tail() { printf ' %7s.%-12s:%s' "$1" "$2" "$3"; }

# Which backends start here; nft tables are shown by each but kprobe before
# 5.11 (no module BTF: tracepkt says so and shows only xtables).
BACKENDS=()
for b in fexit kprobe nfhook; do
	"$TRACEPKT" --nf-backend $b -W1 127.0.0.1 >/dev/null 2>&1 && BACKENDS+=("$b")
done
tap_diag "backends: ${BACKENDS[*]:-none}"
mod_btf=yes
for m in ip_tables nf_tables; do
	[ -e /sys/module/$m/initstate ] && [ ! -e /sys/kernel/btf/$m ] && mod_btf=no
done
shows_nft() { [ "$1" != kprobe ] || [ $mod_btf = yes ]; }

fixture_up router "tr$$"
a_run() { ip netns exec "$NS_A" "$TRACEPKT" "$@"; }
prime ip netns exec "$NS_A" "$B_IP4"
prime ip netns exec "$NS_A" "$B_IP6"

# --- 1. never the wrong table ------------------------------------------------------
# iptables-legacy's filter FORWARD drops; an empty, accepting nftables table
# inet X has its forward chain at the same priority (Debian's inet filter
# next to Docker's iptables). Then iptables-nft's REJECT next to X.
nft_x() {
	ip netns exec "$NS_R" nft -f - <<-EOF
		table inet X {
			chain forward { type filter hook forward priority 0; }
		}
	EOF
}
same_prio_case() {
	local flavour=$1 desc=$2 be out drop
	for be in "${BACKENDS[@]}"; do
		out=$(a_run --nf-backend "$be" -W "$WAIT" "$B_IP4" 2>/dev/null)
		drop=$(grep -c ':DROP$' <<<"$out")
		if [ "$flavour" = iptnft ] && ! shows_nft "$be"; then
			tap_is "$drop" 0 "$desc, $be: no DROP line (nft tables not shown on this kernel)"
			continue
		fi
		tap_is "$drop" 1 "$desc, $be: one DROP line"
		if [ "$be" = nfhook ]; then
			tap_is "$(grep ':DROP$' <<<"$out")" \
				"$(py_line "$NS_R_INODE" eth0 request "$A_IP4" "$B_IP4" "X|filter" FORWARD DROP)" \
				"$desc, nfhook: both tables named, X|filter"
			tap_like "$(a_run --nf-backend nfhook --json -W "$WAIT" "$B_IP4" 2>/dev/null | grep '"verdict":"DROP"')" \
				'"table":"X\|filter",.*"ambiguous":true,"candidates":\["X","filter"\]' \
				"$desc, nfhook --json: ambiguous, with the candidates"
		else
			tap_is "$(grep ':DROP$' <<<"$out")" \
				"$(py_line "$NS_R_INODE" eth0 request "$A_IP4" "$B_IP4" filter FORWARD DROP)" \
				"$desc, $be: the exact table, filter"
		fi
	done
}
if ip netns exec "$NS_R" iptables-legacy -A FORWARD -p icmp --icmp-type echo-request -j DROP && nft_x; then
	same_prio_case legacy "legacy filter DROP beside empty inet X at priority 0"
	ip netns exec "$NS_R" iptables-legacy -F FORWARD
	if ip netns exec "$NS_R" iptables-nft -A FORWARD -p icmp --icmp-type echo-request -j REJECT 2>"$TMP/err"; then
		same_prio_case iptnft "iptables-nft REJECT beside empty inet X at priority 0"
	else
		tap_skip "iptables-nft REJECT" "cannot set the rule: $(head -n1 "$TMP/err")"
	fi
else
	tap_fail "cannot set the same-priority rules"
fi
ip netns exec "$NS_R" nft flush ruleset
ip netns exec "$NS_R" iptables-legacy -F FORWARD

# More than 7 tables at one hook: nine nft tables at FORWARD, the ninth drops.
for i in 1 2 3 4 5 6 7 8 9; do
	printf 'table ip t%d {\n\tchain fw { type filter hook forward priority %d; }\n}\n' $i $((i * 10))
done | ip netns exec "$NS_R" nft -f -
ip netns exec "$NS_R" nft add rule ip t9 fw icmp type echo-request drop
want=$(py_line "$NS_A_INODE" eth0 request "$A_IP4" "$B_IP4"
	py_line "$NS_R_INODE" eth0 request "$A_IP4" "$B_IP4"
	# Registered above, and never unregistered: legacy filter at 0.
	py_line "$NS_R_INODE" eth0 request "$A_IP4" "$B_IP4" filter FORWARD ACCEPT
	for i in 1 2 3 4 5 6 7 8; do
		py_line "$NS_R_INODE" eth0 request "$A_IP4" "$B_IP4" t$i FORWARD ACCEPT
	done
	py_line "$NS_R_INODE" eth0 request "$A_IP4" "$B_IP4" t9 FORWARD DROP)
for be in "${BACKENDS[@]}"; do
	if ! shows_nft "$be"; then
		tap_skip "nine tables, $be" "kprobes cannot read nf_tables before 5.11 (no module BTF)"
		continue
	fi
	out=$(a_run --nf-backend "$be" -W "$WAIT" "$B_IP4" 2>"$TMP/err")
	tap_is "$out" "$(py_header; printf '%s' "$want")" "nine tables at FORWARD, $be: each named, the ninth drops"
	tap_is "$(grep -c 'not watched' "$TMP/err")" 0 "nine tables at FORWARD, $be: all watched"
done

# A hook holds 1024 entries: tables the probes cannot follow are named on
# stderr at start, and the ones before them still trace right.
if [[ " ${BACKENDS[*]} " == *" nfhook "* ]] && [ -z "${TPK_VM_KERNEL:-}" ]; then
	for i in $(seq 10 600); do
		printf 'table ip t%d {\n\tchain fw { type filter hook forward priority %d; }\n}\n' $i $((i * 10))
	done | ip netns exec "$NS_R" nft -f -
	out=$(a_run --nf-backend nfhook -W "$WAIT" "$B_IP4" 2>"$TMP/err")
	tap_is "$out" "$(py_header; printf '%s' "$want")" "a full hook: the tables before the limit still traced"
	tap_like "$(grep 'not watched' "$TMP/err")" \
		"^tracepkt: nfhook: netns $NS_R_INODE ip FORWARD: the hook is full \(the kernel takes 1024 entries\), not watched: t[0-9]+ .* t600$" \
		"a full hook: the tables left unwatched named on stderr"
elif [ -n "${TPK_VM_KERNEL:-}" ]; then
	tap_skip "a full hook" "600 nft tables cost minutes under emulation; the host runs it"
else
	tap_skip "a full hook" "no nfhook backend on this kernel"
fi
ip netns exec "$NS_R" nft flush ruleset

# --- 2. --netns and --ifname by the hook -------------------------------------------
ip netns exec "$NS_A" iptables-legacy -A OUTPUT -j ACCEPT
ip netns exec "$NS_R" iptables-legacy -A FORWARD -j ACCEPT
for be in "${BACKENDS[@]}"; do
	out=$(a_run --nf-backend "$be" --netns "$NS_A" -W "$WAIT" "$B_IP4" 2>/dev/null)
	tap_is "$out" "$(py_header
		py_line 0 "" request "$A_IP4" "$B_IP4" filter OUTPUT ACCEPT
		py_line "$NS_A_INODE" eth0 request "$A_IP4" "$B_IP4"
		py_line "$NS_A_INODE" eth0 reply "$B_IP4" "$A_IP4"
		py_line "$NS_A_INODE" eth0 reply "$B_IP4" "$A_IP4" filter INPUT ACCEPT)" \
		"--netns A, $be: A's OUTPUT line kept"
	out=$(a_run --nf-backend "$be" --ifname eth1 -W "$WAIT" "$B_IP4" 2>/dev/null)
	tap_is "$out" "$(py_header
		py_line "$NS_R_INODE" eth0 request "$A_IP4" "$B_IP4" filter FORWARD ACCEPT
		py_line "$NS_R_INODE" eth1 request "$A_IP4" "$B_IP4"
		py_line "$NS_R_INODE" eth1 reply "$B_IP4" "$A_IP4"
		py_line "$NS_R_INODE" eth1 reply "$B_IP4" "$A_IP4" filter FORWARD ACCEPT)" \
		"--ifname eth1, $be: FORWARD lines out of and into eth1 kept"
done
# A drop at OUTPUT, before the packet has a device: --netns keeps it by the
# device its route leads to (the line still prints netns 0, as OUTPUT does).
ip netns exec "$NS_A" iptables-legacy -I OUTPUT -p icmp -j DROP
why=NETFILTER_DROP
bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -c "^\[[0-9]*\] ENUM 'skb_drop_reason'" >/dev/null ||
	why="~UNK~"
out=$(a_run --drops --netns "$NS_A" -W "$WAIT" "$B_IP4" 2>/dev/null)
tap_is "$(tail -n +2 <<<"$out" | grep -v ' filter\.OUTPUT ')" \
	"$(printf '[%12s] %16s %7s %-34s %7s.%s' 0 "" request "$A_IP4 -> $B_IP4" drop "$why")" \
	"--drops --netns A: a drop at OUTPUT kept, by its route's device"
ip netns exec "$NS_A" iptables-legacy -F OUTPUT
ip netns exec "$NS_R" iptables-legacy -F FORWARD

# A namespace named with digits only is a name (ip netns add 1234), not an
# inode.
digits=4$$
if ip netns add "$digits"; then
	ip -n "$digits" link set lo up
	inode=$(stat -L -c %i "/run/netns/$digits")
	"$TRACEPKT" --all --nf-backend off --netns "$digits" --count 1 >"$TMP/digits" 2>/dev/null &
	tracer=$!
	tracer_ready $tracer || tap_diag "tracepkt did not start"
	ip netns exec "$digits" ping -c1 -W1 127.0.0.1 >/dev/null 2>&1
	{ sleep 10; kill $tracer 2>/dev/null; } &
	wait $tracer
	tap_like "$(tail -n1 "$TMP/digits")" "^\[ *$inode\] +lo request 127\.0\.0\.1 -> 127\.0\.0\.1" \
		"--netns $digits: an all-digit name is the namespace of that name"
	ip netns del "$digits"
else
	tap_fail "cannot add namespace $digits"
fi
fixtures_down
TPK_FIXTURES_UP=()

# --- 3. --drops: true drops only ---------------------------------------------------------
reasons=yes
bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -c "^\[[0-9]*\] ENUM 'skb_drop_reason'" >/dev/null ||
	reasons=no
# no_drop DESC NS TARGET [dgram]: a successful ping, no drop line.
no_drop() {
	local desc=$1 ns=$2 target=$3 pre=() out rc
	[ -n "$ns" ] && pre=(ip netns exec "$ns")
	if [ "${4:-}" = dgram ]; then
		"${pre[@]}" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
		desc="$desc, datagram socket"
	else
		desc="$desc, raw socket"
	fi
	prime "${pre[@]}" "$target"
	out=$("${pre[@]}" "$TRACEPKT" --drops -W "$WAIT" "$target" 2>/dev/null); rc=$?
	tap_is "$rc" 0 "--drops $desc: ping succeeds"
	tap_is "$(grep 'drop\.' <<<"$out")" "" "--drops $desc: no drop line"
	tap_like "$out" ' reply ' "--drops $desc: the reply traced"
	[ "${4:-}" = dgram ] && "${pre[@]}" sysctl -qw net.ipv4.ping_group_range="1 0"
	return 0
}
# no_drop_both FIXTURE NS ROLE: from NS to ROLE's address, both families and
# both sockets.
no_drop_both() {
	local v addr
	for v in 4 6; do
		addr=${3}_IP$v
		no_drop "$1 IPv$v" "$2" "${!addr}"
		no_drop "$1 IPv$v" "$2" "${!addr}" dgram
	done
}
no_drop "loopback IPv4" "" 127.0.0.1
if [ -z "$GUEST" ]; then
	no_drop "loopback IPv6" "" ::1
	fixture_up pair "tq$$"
	for v in 4 6; do
		p=PEER_IP$v r=ROOT_IP$v
		no_drop "pair IPv$v" "" "${!p}"
		no_drop "pair IPv$v" "$NS_PEER" "${!r}" dgram
	done
	fixture_up bridge "tb$$"
	no_drop_both bridge "$NS_C1" C2
fi
fixture_up router "ts$$"
no_drop_both router "$NS_A" B

# Routes that drop on R: the kernel frees the request as a drop, reason
# NOT_SPECIFIED (before 5.17: none, drop.~UNK~).
why=NOT_SPECIFIED
[ $reasons = yes ] || why="~UNK~"
n=129
types=(blackhole unreachable prohibit)
[ -n "$GUEST" ] && types=(blackhole unreachable)
for type in "${types[@]}"; do
	n=$((n + 1))
	ip netns exec "$NS_R" ip route add $type 198.18.0.$n/32
	out=$(a_run --drops -W "$WAIT" 198.18.0.$n 2>/dev/null)
	line=$(grep 'drop\.' <<<"$out")
	if [ -n "${TPK_VM_KERNEL:-}" ] && [ $reasons = yes ]; then
		tap_like "$line" "^\[ +$NS_R_INODE\] +eth0 request $A_IP4 -> 198\.18\.0\.$n +drop\.[A-Z_]+$" \
			"--drops: a $type route on R: the drop, with its reason"
	else
		tap_is "$line" "$(printf '[%12s] %16s %7s %-34s %7s.%s' "$NS_R_INODE" eth0 request \
			"$A_IP4 -> 198.18.0.$n" drop "$why")" "--drops: a $type route on R: drop.$why"
	fi
done

# --- 4. targets as ping takes them -------------------------------------------------
root=$(stat -L -c %i /proc/self/ns/net)
lo_trip() {
	py_line "$root" lo request "$1" "$1"; py_line "$root" lo request "$1" "$1"
	py_line "$root" lo reply "$1" "$1"; py_line "$root" lo reply "$1" "$1"
}
first=$(getent ahosts localhost | awk '{ print $1; exit }')
out=$("$TRACEPKT" --nf-backend off -W "$WAIT" localhost 2>&1); rc=$?
tap_is "$rc" 0 "localhost: ping succeeds"
tap_is "$out" "$(py_header; lo_trip "$first")" "localhost: the address ping picked ($first), traced"
out=$("$TRACEPKT" --nf-backend off -4 -W "$WAIT" localhost 2>&1)
tap_is "$out" "$(py_header; lo_trip 127.0.0.1)" "-4 localhost: 127.0.0.1"
if awk '$1 == "::1"' /etc/hosts | grep -qw localhost; then
	out=$("$TRACEPKT" --nf-backend off -6 -W "$WAIT" localhost 2>&1)
	tap_is "$out" "$(py_header; lo_trip ::1)" "-6 localhost: ::1"
else
	out=$("$TRACEPKT" --nf-backend off -6 -W "$WAIT" localhost 2>&1); rc=$?
	tap_like "$rc:$out" "^2:tracepkt: cannot resolve 'localhost' as IPv6: .+$" \
		"-6 localhost where no IPv6 address has that name: one line, exit 2"
fi
# A link-local target needs its zone: A to R's eth0 across their link.
ll() { ip netns exec "$1" ip -6 addr show dev "$2" scope link | awk '/inet6/ { sub("/.*", "", $2); print $2; exit }'; }
lla=$(ll "$NS_A" eth0) llr=$(ll "$NS_R" eth0)
prime ip netns exec "$NS_A" "$llr%eth0"
out=$(a_run --nf-backend off -W "$WAIT" "$llr%eth0" 2>&1); rc=$?
tap_is "$rc" 0 "ADDR%IFNAME: ping succeeds"
tap_is "$out" "$(py_header; echo_trip "$lla" "$llr" "$NS_A_INODE:eth0" "$NS_R_INODE:eth0")" \
	"ADDR%IFNAME: a link-local target, traced"

# --- 5. fragments and extension headers --------------------------------------------
# -s 3000 over 1500-byte links: three fragments each way, IPv4 and IPv6,
# each one on every hop. Fragments follow each other closely: compared as
# a set of lines.
for v in 4 6; do
	a=A_IP$v b=B_IP$v
	out=$(a_run --nf-backend off -s 3000 -W "$WAIT" "${!b}" 2>/dev/null); rc=$?
	tap_is "$rc" 0 "IPv$v -s 3000: ping succeeds"
	trip=$(echo_trip "${!a}" "${!b}" "$NS_A_INODE:eth0" "$NS_R_INODE:eth0" "$NS_R_INODE:eth1" "$NS_B_INODE:eth0")
	tap_is "$(tail -n +2 <<<"$out" | sort)" "$(printf '%s\n%s\n%s\n' "$trip" "$trip" "$trip" | sort)" \
		"IPv$v -s 3000: every hop of every fragment, request and reply"
	[ -n "$GUEST" ] && continue
	offs=$(a_run --nf-backend off --json -s 3000 -W "$WAIT" "${!b}" 2>/dev/null |
		grep "\"netns\":$NS_A_INODE,.*\"type\":\"request\"" |
		sed -n 's/.*"frag_off":\([0-9]*\),"frag_more":\([a-z]*\).*/\1 \2/p' | tr '\n' ' ')
	[ $v = 4 ] && want="0 true 1480 true 2960 false " || want="0 true 1448 true 2896 false "
	tap_is "$offs" "$want" "IPv$v -s 3000 --json: the fragments' offsets"
done
# Extension headers the kernel adds from socket options (ping cannot), seen
# with --all: the request carries them, the reply does not.
ip netns exec "$NS_B" sysctl -qw net.ipv6.conf.all.seg6_enabled=1 net.ipv6.conf.eth0.seg6_enabled=1
trip=$(echo_trip "$A_IP6" "$B_IP6" "$NS_A_INODE:eth0" "$NS_R_INODE:eth0" "$NS_R_INODE:eth1" "$NS_B_INODE:eth0")
kinds=(hop dst rt all)
[ -n "$GUEST" ] && kinds=(all)
for k in "${kinds[@]}"; do
	"$TRACEPKT" --all --nf-backend off --host "$B_IP6" --count 8 >"$TMP/ext" 2>/dev/null &
	tracer=$!
	tracer_ready $tracer || tap_diag "tracepkt did not start"
	ip netns exec "$NS_A" perl "$ECHO6_EXT" $k "$B_IP6" 4242 || tap_diag "echo6-ext $k failed"
	{ sleep 10; kill $tracer 2>/dev/null; } &
	wait $tracer
	tap_is "$(cat "$TMP/ext")" "$(py_header; printf '%s' "$trip")" "--all, IPv6 extension headers ($k): every hop"
done

# --- 6. -T with --json -----------------------------------------------------------------
out=$("$TRACEPKT" --nf-backend off -T --json -W "$WAIT" 127.0.0.1 2>/dev/null)
rel=$(sed -n 's/.*"ts_rel_s":\([0-9.]*\),.*/\1/p' <<<"$out" | tr '\n' ' ')
tap_like "$rel" '^0\.000000 ([0-9]+\.[0-9]{6} ){3}$' "-T --json: ts_rel_s on every event, from 0"
tap_is "$(tr ' ' '\n' <<<"$rel" | grep . | sort -n | tr '\n' ' ')" "$rel" "-T --json: ts_rel_s in order"
tap_is "$(grep -c '"ts_ns":[0-9]*,"ts_rel_s"' <<<"$out")" 4 "-T --json: beside the absolute ts_ns"

fixtures_down
tap_is "$(fixtures_left)" 0 "no fixture namespace left behind"
tap_is "$(tpk_progs_left)" 0 "no tracepkt program left loaded"
tap_is "$(links_left netfilter)" 0 "no netfilter link left"
tap_done
