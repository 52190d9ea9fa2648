#!/bin/bash
# Netfilter verdicts and drop reasons. A ping crosses A -> R -> B (the router
# fixture) through iptables-legacy, iptables-nft and native nftables rules in
# every hook, IPv4 and IPv6, with each netfilter backend the kernel lets
# start: first every table ACCEPTs (the exact lines of the whole trip), then
# each table in turn DROPs (the trip up to that table, ending in its DROP).
# Rules live only in the fixture's namespaces.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
. "$(dirname "$(readlink -f "$0")")/../lib/tracepkt.sh"
tap_require_root

scratch tpk-nf

# --- rules ---------------------------------------------------------------------
# fw FLAVOUR V NS TABLE HOOK VERDICT: make rule 1 of that table and hook
# VERDICT (ACCEPT, DROP or MASQUERADE) for echo requests (MASQUERADE: for
# everything leaving eth1).
fw() {
	local fl=$1 v=$2 ns=$3 table=$4 hook=$5 verdict=$6 ipt match nftm prio type fam
	if [ "$fl" = nft ]; then
		fam=ip; nftm="icmp type echo-request"
		[ "$v" = 6 ] && fam=ip6 nftm="icmpv6 type echo-request"
		[ "$verdict" = MASQUERADE ] && nftm="oifname eth1"
		case $table in raw) prio=-300 ;; mangle) prio=-150 ;; nat) prio=100 ;; *) prio=0 ;; esac
		type=filter
		[ "$table" = nat ] && type=nat
		ip netns exec "$ns" nft -f - <<-EOR
			table $fam $table {
				chain $hook { type $type hook ${hook,,} priority $prio; }
			}
			flush chain $fam $table $hook
			add rule $fam $table $hook $nftm ${verdict,,}
		EOR
		return
	fi
	ipt=iptables
	[ "$v" = 6 ] && ipt=ip6tables
	[ "$fl" = legacy ] && ipt=$ipt-legacy || ipt=$ipt-nft
	match=(-p icmp --icmp-type echo-request)
	[ "$v" = 6 ] && match=(-p icmpv6 --icmpv6-type echo-request)
	[ "$verdict" = MASQUERADE ] && match=(-o eth1)
	ip netns exec "$ns" "$ipt" -t "$table" -F "$hook"
	ip netns exec "$ns" "$ipt" -t "$table" -A "$hook" "${match[@]}" -j "$verdict"
}

# The tables of the trip, as ROLE:TABLE:HOOK.
TABLES=(A:filter:OUTPUT R:filter:FORWARD R:mangle:POSTROUTING B:raw:PREROUTING B:filter:INPUT)

setup_rules() {
	local fl=$1 v=$2 t role
	for t in "${TABLES[@]}"; do
		role=${t%%:*} t=${t#*:}
		role=NS_$role
		fw "$fl" "$v" "${!role}" "${t%%:*}" "${t#*:}" ACCEPT
	done
	fw "$fl" "$v" "$NS_R" nat POSTROUTING MASQUERADE
}

# --- expected lines ----------------------------------------------------------------
# The whole trip when every table accepts. Legacy xtables tables sit at all
# their hooks (filter: INPUT FORWARD OUTPUT; raw: PREROUTING OUTPUT; mangle:
# all; nat: all four, but only a connection's first packet meets them);
# nftables and iptables-nft chains only at the hook they were made for.
# The OUTPUT hook runs before the packet has a device: netns 0, no name.
expected_trip() {
	local fl=$1 a=$2 b=$3 rb=$4 leg=0
	[ "$fl" = legacy ] && leg=1
	nf() { py_line "$1" "$2" "$3" "$4" "$5" "$6" "$7" "${8:-ACCEPT}"; }
	nf 0 "" request "$a" "$b" filter OUTPUT
	py_line "$NS_A_INODE" eth0 request "$a" "$b"
	py_line "$NS_R_INODE" eth0 request "$a" "$b"
	if [ $leg = 1 ]; then
		nf "$NS_R_INODE" eth0 request "$a" "$b" mangle PREROUTING
		nf "$NS_R_INODE" eth0 request "$a" "$b" nat PREROUTING
		nf "$NS_R_INODE" eth0 request "$a" "$b" mangle FORWARD
	fi
	nf "$NS_R_INODE" eth0 request "$a" "$b" filter FORWARD
	nf "$NS_R_INODE" eth1 request "$a" "$b" mangle POSTROUTING
	nf "$NS_R_INODE" eth1 request "$a" "$b" nat POSTROUTING
	py_line "$NS_R_INODE" eth1 request "$rb" "$b"
	py_line "$NS_B_INODE" eth0 request "$rb" "$b"
	nf "$NS_B_INODE" eth0 request "$rb" "$b" raw PREROUTING
	nf "$NS_B_INODE" eth0 request "$rb" "$b" filter INPUT
	if [ $leg = 1 ]; then
		nf 0 "" reply "$b" "$rb" raw OUTPUT
		nf 0 "" reply "$b" "$rb" filter OUTPUT
	fi
	py_line "$NS_B_INODE" eth0 reply "$b" "$rb"
	py_line "$NS_R_INODE" eth1 reply "$b" "$rb"
	if [ $leg = 1 ]; then
		nf "$NS_R_INODE" eth1 reply "$b" "$rb" mangle PREROUTING
		nf "$NS_R_INODE" eth1 reply "$b" "$a" mangle FORWARD
	fi
	nf "$NS_R_INODE" eth1 reply "$b" "$a" filter FORWARD
	nf "$NS_R_INODE" eth0 reply "$b" "$a" mangle POSTROUTING
	py_line "$NS_R_INODE" eth0 reply "$b" "$a"
	py_line "$NS_A_INODE" eth0 reply "$b" "$a"
	[ $leg = 1 ] && nf "$NS_A_INODE" eth0 reply "$b" "$a" filter INPUT
	return 0
}

# The trip cut at the first request line of TABLE.HOOK, which says DROP.
expected_drop() {
	local table=$1 hook=$2 line tag
	tag=$(printf ' %7s.%-12s:' "$table" "$hook")
	while IFS= read -r line; do
		if [[ $line == *request*"${tag}ACCEPT" ]]; then
			printf '%s\n' "${line%ACCEPT}DROP"
			return
		fi
		printf '%s\n' "$line"
	done
}

# --- what this kernel can tell -------------------------------------------------------
# Before 5.11 modules have no BTF: fexit cannot attach to the table functions
# and kprobes cannot read nf_tables' structs, so nft tables (native and
# iptables-nft) are not shown, and tracepkt says so. Before 5.17 kfree_skb
# carries no drop reason: --drops shows drop.~UNK~.
mod_btf=yes
for m in ip_tables ip6_tables nf_tables; do
	[ -e /sys/module/$m/initstate ] && [ ! -e /sys/kernel/btf/$m ] && mod_btf=no
done
reasons=yes
bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -c "^\[[0-9]*\] ENUM 'skb_drop_reason'" >/dev/null ||
	reasons=no
tap_diag "module BTF: $mod_btf, drop reasons: $reasons"
# shows FLAVOUR BACKEND: whether that backend shows that flavour's tables.
shows() { [ "$mod_btf" = yes ] || [ "$1" = legacy ]; }
nf_lines_out() { grep -vE ' +[a-z0-9_]+\.[A-Z~]+ *:[A-Z~]+$'; }

# --- backends ------------------------------------------------------------------------
auto_line=$("$TRACEPKT" -W1 127.0.0.1 2>&1 >/dev/null)
tap_like "$auto_line" '^tracepkt: netfilter: (fexit|kprobe|nfhook|no backend could start)' \
	"auto: one stderr line names the backend"
if [ -n "${TPK_VM_KERNEL:-}" ] && [ $mod_btf = yes ]; then
	tap_like "$auto_line" '^tracepkt: netfilter: fexit' "auto picks fexit where the kernel has trampolines"
elif [ -n "${TPK_VM_KERNEL:-}" ]; then
	tap_like "$auto_line" '^tracepkt: netfilter: kprobe \[fexit: no BTF describes .*not shown, no BTF for their types: .*nf_tables' \
		"auto picks kprobe without module BTF, and names the tables it cannot show"
fi
BACKENDS=()
for b in fexit kprobe nfhook; do
	out=$("$TRACEPKT" --nf-backend $b -W1 127.0.0.1 2>&1 >/dev/null); rc=$?
	if [ $rc = 0 ]; then
		BACKENDS+=("$b")
		tap_like "$out" "^tracepkt: netfilter: $b" "$b: starts and says so"
	elif [ -n "${TPK_VM_KERNEL:-}" ] && { [ "$b" = kprobe ] || { [ "$b" = fexit ] && [ $mod_btf = yes ]; }; }; then
		tap_fail "$b must run on $TPK_VM_KERNEL"
		tap_diag "$out"
	else
		tap_is "$rc" 1 "$b: refused on this kernel, exit status 1"
		tap_like "$out" "^tracepkt: cannot start the $b netfilter backend \($b: [^()]+\)$" \
			"$b: refused with one line saying why"
	fi
done
[ ${#BACKENDS[@]} -gt 0 ] || tap_diag "no netfilter backend can start on this kernel"

# --- the trips ---------------------------------------------------------------------------
# Under emulation (the kernel matrix) every run costs seconds: there, each
# hook function (ipt_do_table, ip6t_do_table, nft_do_chain for ip and ip6)
# is met by each backend in one run: all ACCEPT or one table's DROP, in
# turn (a different table each time); ping waits longer for the reply.
COMBOS=(legacy:4 legacy:6 iptnft:4 iptnft:6 nft:4 nft:6)
WAIT=0.3
DROPS=("${TABLES[@]}")
[ -n "${TPK_VM_KERNEL:-}" ] && COMBOS=(legacy:4 legacy:6 iptnft:4 nft:6) WAIT=1
n=0 k=0
for combo in "${COMBOS[@]}"; do
	fl=${combo%:*} v=${combo#*:}
	n=$((n + 1))
	fixture_up router "nf$n$$"
	if ! setup_rules "$fl" "$v" 2>"$TMP/err"; then
		tap_skip "$fl IPv$v" "cannot set rules: $(head -n1 "$TMP/err")"
		continue
	fi
	a=A_IP$v b=B_IP$v rb=R_B_IP$v
	prime ip netns exec "$NS_A" "${!b}"
	expected_trip "$fl" "${!a}" "${!b}" "${!rb}" >"$TMP/trip"
	i=0
	for be in "${BACKENDS[@]}"; do
		run=(ip netns exec "$NS_A" "$TRACEPKT" --nf-backend "$be" -W "$WAIT")
		accept=1
		if [ -n "${TPK_VM_KERNEL:-}" ]; then
			DROPS=("${TABLES[k % ${#TABLES[@]}]}")
			k=$((k + 1))
			i=$((i + 1))
			# One run: each backend alternates from combo to combo.
			if (((n + i) % 2)); then accept=0; else DROPS=(); fi
		fi
		see=(cat)
		shows "$fl" || see=(nf_lines_out)
		if [ $accept = 1 ]; then
			out=$("${run[@]}" "${!b}" 2>/dev/null); rc=$?
			tap_is "$rc" 0 "$fl IPv$v $be: all ACCEPT: ping succeeds"
			tap_is "$out" "$(py_header; "${see[@]}" <"$TMP/trip")" "$fl IPv$v $be: all ACCEPT: every hop and table"
		fi
		for t in "${DROPS[@]}"; do
			role=NS_${t%%:*} t=${t#*:}
			table=${t%%:*} hook=${t#*:}
			fw "$fl" "$v" "${!role}" "$table" "$hook" DROP
			out=$("${run[@]}" "${!b}" 2>/dev/null); rc=$?
			tap_is "$rc" 1 "$fl IPv$v $be: $table $hook DROP: ping fails"
			tap_is "$out" "$(py_header; expected_drop "$table" "$hook" <"$TMP/trip" | "${see[@]}")" \
				"$fl IPv$v $be: $table $hook DROP: the trip ends there"
			fw "$fl" "$v" "${!role}" "$table" "$hook" ACCEPT
		done
	done
	if [ "$fl$v" = legacy4 ] && [ ${#BACKENDS[@]} -gt 0 ]; then
		# --drops names why; --json carries the verdict's fields.
		fw "$fl" "$v" "$NS_B" filter INPUT DROP
		why=NETFILTER_DROP udp_why=NO_SOCKET
		[ $reasons = yes ] || why="~UNK~" udp_why="~UNK~"
		out=$(ip netns exec "$NS_A" "$TRACEPKT" --drops -W "$WAIT" "${!b}" 2>"$TMP/err")
		tap_is "$(tail -n2 <<<"$out")" "$(expected_drop filter INPUT <"$TMP/trip" | tail -n1
			printf '[%12s] %16s %7s %-34s %7s.%s\n' "$NS_B_INODE" eth0 request \
				"${!rb} -> ${!b}" drop "$why")" \
			"--drops: an iptables DROP names $why"
		if [ $reasons = no ]; then
			tap_like "$(cat "$TMP/err")" $'\ntracepkt: --drops: this kernel\'s skb:kfree_skb gives no drop reason' \
				"--drops: says on stderr that this kernel gives no reason"
		fi
		out=$(ip netns exec "$NS_A" "$TRACEPKT" --json -W1 "${!b}" 2>/dev/null)
		tap_like "$(grep '"kind":"nf"' <<<"$out" | tail -n1)" \
			'"table":"filter","hook":"INPUT","verdict":"DROP","verdict_code":0,.*"backend":"[a-z]+"' \
			"--json: the verdict's table, hook, verdict and backend"
		fw "$fl" "$v" "$NS_B" filter INPUT ACCEPT

		"$TRACEPKT" --all --proto udp --port 9 --drops --nf-backend off --netns "$NS_B" --count 2 >"$TMP/udp" 2>/dev/null &
		tracer=$!
		tracer_ready $tracer || tap_diag "tracepkt did not start"
		ip netns exec "$NS_A" bash -c "echo x >/dev/udp/${!b}/9"
		wait $tracer
		tap_like "$(tail -n1 "$TMP/udp")" \
			"^\[ +$NS_B_INODE\] +eth0 +udp ${!rb}:[0-9]+ -> ${!b}:9 +drop\.$udp_why$" \
			"--drops: a datagram to a closed UDP port names $udp_why"
	fi
	fixtures_down
	TPK_FIXTURES_UP=()
done

tap_is "$(fixtures_left)" 0 "no fixture namespace left behind"
tap_is "$(tpk_progs_left)" 0 "no tracepkt program left loaded"
tap_is "$(links_left netfilter)" 0 "no netfilter link left"
tap_done
