#!/bin/bash
# The netns fixtures themselves: every other integration test stands on
# them, so each must come up with the keys README.md documents, carry the
# pings it promises in both families, rebuild on a second up, and go down
# leaving nothing behind, while other instances run alongside.
set -uo pipefail # no -e: one failed check must not skip the others

# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root

# The pid makes names unique among concurrent runs; one letter + up to 7
# digits stays within the 8 characters a NAME may have.
PAIR=p$$
BRIDGE=b$$
ROUTER=r$$
NATNAME=n$$
NATFX=x$$
TUNNAME=t$$

cleanup() {
	"$FIXTURES/pair" down "$PAIR"
	"$FIXTURES/bridge" down "$BRIDGE"
	"$FIXTURES/bridge" down "$NATNAME"
	"$FIXTURES/router" down "$ROUTER"
	"$FIXTURES/nat" down "$NATFX"
	"$FIXTURES/tunnel" down "$TUNNAME"
} >/dev/null 2>&1
trap cleanup EXIT

declare -A ENV

# load_env TEXT: the KEY=VALUE lines into ENV, read the way a shell that
# sources them would (values may be quoted).
load_env() {
	local line
	ENV=()
	while IFS= read -r line; do
		[[ $line =~ ^[A-Z][A-Z0-9_]*= ]] || continue
		eval "ENV[${line%%=*}]=${line#*=}"
	done <<<"$1"
}

ping_from() {
	local ns=$1 addr=$2
	if [[ -n $ns ]]; then
		ip netns exec "$ns" ping -c1 -W2 "$addr"
	else
		ping -c1 -W2 "$addr"
	fi
}

only_key_lines() { ! grep -qvE '^[A-Z][A-Z0-9_]*=' <<<"$1"; }

# Every namespace name key must name a namespace whose inode is the one
# printed, and the root inode must be ours.
check_inodes() {
	local k bad=0
	[[ ${ENV[NS_ROOT_INODE]} == "$(stat -L -c %i /proc/self/ns/net)" ]] || bad=1
	for k in "${!ENV[@]}"; do
		[[ $k =~ ^NS_[A-Z0-9]+$ && $k != NS_ROOT_INODE ]] || continue
		[[ $(stat -L -c %i "/run/netns/${ENV[$k]}" 2>/dev/null) == "${ENV[${k}_INODE]:-}" ]] || {
			echo "$k=${ENV[$k]}: inode does not match ${k}_INODE"
			bad=1
		}
	done
	return "$bad"
}

# check_endpoint EP: EP_IF exists in EP_NS with EP_IFINDEX and EP_MAC, and
# holds EP_IP4 and EP_IP6 when those are printed.
check_endpoint() {
	local ep=$1 ns=${ENV[${1}_NS]} dev=${ENV[${1}_IF]} out fam
	out=$(if [[ -n $ns ]]; then ip -n "$ns" -o addr show dev "$dev"; else ip -o addr show dev "$dev"; fi) || return 1
	[[ $out == "${ENV[${ep}_IFINDEX]}: $dev "* ]] || { echo "$ep: ifindex is not ${ENV[${ep}_IFINDEX]}: $out"; return 1; }
	out=$(if [[ -n $ns ]]; then ip -n "$ns" link show dev "$dev"; else ip link show dev "$dev"; fi)
	if [[ $out == *" link/ether "* ]]; then
		[[ $out == *"link/ether ${ENV[${ep}_MAC]} "* ]] || { echo "$ep: mac is not ${ENV[${ep}_MAC]}"; return 1; }
	else
		# A layer-3 tunnel, whose hardware address ip shows as an IP
		# address: the key is the kernel's bytes, as sysfs has them.
		out=$(if [[ -n $ns ]]; then ip netns exec "$ns" cat "/sys/class/net/$dev/address"; else cat "/sys/class/net/$dev/address"; fi)
		[[ $out == "${ENV[${ep}_MAC]}" ]] || { echo "$ep: address is $out, not ${ENV[${ep}_MAC]}"; return 1; }
	fi
	out=$(if [[ -n $ns ]]; then ip -n "$ns" -o addr show dev "$dev"; else ip -o addr show dev "$dev"; fi)
	for fam in 4 6; do
		[[ -z ${ENV[${ep}_IP$fam]:-} || $out == *" ${ENV[${ep}_IP$fam]}/${ENV[PLEN$fam]} "* ]] ||
			{ echo "$ep: IPv$fam address missing: $out"; return 1; }
	done
}

# Root routes other than those on fixture links, and the root firewall;
# a fixture may change neither.
root_snapshot() {
	ip -4 route show table all | grep -v ' dev tpk'
	ip -6 route show table all | grep -v ' dev tpk'
	if command -v nft >/dev/null; then nft -s list ruleset; fi
	if command -v iptables-legacy >/dev/null; then
		iptables-legacy -S 2>/dev/null
		ip6tables-legacy -S 2>/dev/null
	fi
	true
}

# Only the connected routes of our own root link may appear in root.
only_connected_routes() {
	local dev=$1 routes
	routes=$(ip -4 route show table main dev "$dev"; ip -6 route show table main dev "$dev")
	[[ -n $routes ]] && ! grep -qv 'proto kernel' <<<"$routes"
}

# Things in this instance's name: the filtered view of ip netns list and
# ip -o link. Other instances come and go meanwhile, so a whole-table
# before/after comparison would race; the prefix is what we own.
owned() {
	ip netns list | awk '{ print $1 }' | grep "^tpk$1-"
	ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep "^tpk$1-"
	true
}

# test_fixture KIND NAME "KEYS" "ENDPOINTS" "ROOTLINK" PATH...
#   KEYS: plain keys that must be printed; ENDPOINTS: endpoint prefixes
#   (their _NS/_IF/_IFINDEX/_MAC must be printed; _IP4/_IP6 when the
#   prefix ends in +); ROOTLINK: key of the root link, or "";
#   PATH: "DESC|FROM-NS-KEY|TO-ENDPOINT" pinged in both families
#   (FROM-NS-KEY "" = root namespace).
test_fixture() {
	local kind=$1 name=$2 keys=$3 endpoints=$4 rootlink=$5
	shift 5
	local fx=$FIXTURES/$kind out err rc before_root missing k ep path desc from to fam first

	tap_is "$(owned "$name")" "" "$kind: nothing named tpk$name- before up"
	before_root=$(root_snapshot)
	out=$("$fx" up "$name" 2>/tmp/fixtures.t.$$.err)
	rc=$?
	err=$(cat /tmp/fixtures.t.$$.err)
	rm -f /tmp/fixtures.t.$$.err
	tap_is "$rc" 0 "$kind: up exits 0"
	[[ $rc -eq 0 ]] || tap_diag "$err"
	tap_ok "$kind: up prints only KEY=VALUE lines" only_key_lines "$out"
	load_env "$out"

	missing=
	for k in FIXTURE NAME IDX PLEN4 PLEN6 NS_ROOT_INODE $keys; do
		[[ -n ${ENV[$k]:-} ]] || missing+=" $k"
	done
	for ep in $endpoints; do
		for k in NS IF IFINDEX MAC; do
			[[ -v ENV[${ep%+}_$k] ]] || missing+=" ${ep%+}_$k"
		done
		if [[ $ep == *+ ]]; then
			for k in IP4 IP6; do
				[[ -n ${ENV[${ep%+}_$k]:-} ]] || missing+=" ${ep%+}_$k"
			done
		fi
	done
	tap_is "$missing" "" "$kind: all documented keys printed"
	tap_is "${ENV[FIXTURE]:-}/${ENV[NAME]:-}" "$kind/$name" "$kind: FIXTURE and NAME keys"
	tap_ok "$kind: namespace inodes match" check_inodes
	for ep in $endpoints; do
		tap_ok "$kind: ${ep%+} interface as described" check_endpoint "${ep%+}"
	done
	if [[ -n $rootlink ]]; then
		tap_ok "$kind: root namespace has only connected routes on ${ENV[$rootlink]:-?}" \
			only_connected_routes "${ENV[$rootlink]:-none}"
	fi
	tap_is "$(root_snapshot)" "$before_root" "$kind: root routes and firewall untouched"

	first=
	for path in "$@"; do
		IFS='|' read -r desc from to <<<"$path"
		[[ -n $first ]] || first=$path
		for fam in 4 6; do
			tap_ok "$kind: ping $desc IPv$fam" \
				ping_from "${from:+${ENV[$from]}}" "${ENV[${to}_IP$fam]:-missing}"
		done
	done

	# Rebuild: same index, so the addresses a test holds stay valid.
	local old_out=$out
	out=$("$fx" up "$name" 2>/dev/null)
	tap_is "$?" 0 "$kind: second up exits 0"
	tap_is "$(grep -E '^[A-Z0-9_]*(IP[46]|_IF|IDX)=' <<<"$out")" \
		"$(grep -E '^[A-Z0-9_]*(IP[46]|_IF|IDX)=' <<<"$old_out")" \
		"$kind: second up keeps names and addresses"
	load_env "$out"
	IFS='|' read -r desc from to <<<"$first"
	for fam in 4 6; do
		tap_ok "$kind: after rebuild, ping $desc IPv$fam" \
			ping_from "${from:+${ENV[$from]}}" "${ENV[${to}_IP$fam]:-missing}"
	done

	check_down "$kind" "$kind" "$name" "$before_root"
}

# check_down DESC KIND NAME BEFORE_ROOT: down removes the instance, leaves
# the root namespace as BEFORE_ROOT (a root_snapshot) had it, and a second
# down is a silent no-op.
check_down() {
	local desc=$1 fx=$FIXTURES/$2 name=$3 before_root=$4 out
	out=$("$fx" down "$name" 2>&1)
	tap_is "$?/$out" "0/" "$desc: down exits 0 and prints nothing"
	tap_is "$(tap_settle "" owned "$name")" "" "$desc: no namespace or link named tpk$name- left"
	tap_is "$(root_snapshot)" "$before_root" "$desc: root routes and firewall as before"
	out=$("$fx" down "$name" 2>&1)
	tap_is "$?/$out" "0/" "$desc: down of an absent instance is a silent no-op"
}

# ct_form ADDR: ADDR as /proc/net/nf_conntrack prints it: IPv6 in full,
# eight groups of four digits (%pI6). perl is there: prove needs it.
ct_form() {
	if [[ $1 == *:* ]]; then
		perl -MSocket=inet_pton,AF_INET6 -e \
			'print join(":", unpack("(H4)8", inet_pton(AF_INET6, $ARGV[0]))), "\n"' "$1"
	else
		echo "$1"
	fi
}

# translated NS SRC DST RSRC RDST: NS's conntrack table holds a flow sent
# SRC -> DST and answered RSRC -> RDST, so NAT rewrote it that way.
translated() {
	local ns=$1 table want line
	table=$(ip netns exec "$ns" cat /proc/net/nf_conntrack) || return 1
	want="src=$(ct_form "$2") dst=$(ct_form "$3") *src=$(ct_form "$4") dst=$(ct_form "$5") "
	while IFS= read -r line; do
		# shellcheck disable=SC2053 # $want is a pattern
		[[ $line == *$want* ]] && return 0
	done <<<"$table"
	echo "no flow $2 -> $3 answered $4 -> $5 in the conntrack table of $ns:"
	echo "$table"
	return 1
}

# check_nat NAT: the nat fixture under that back end translates both
# families as documented. R's conntrack table is the oracle: B answers
# R_B, not A, both when A pings VIP (DNAT, then masquerade) and when it
# pings B (masquerade only).
check_nat() {
	local nat=$1 out fam ct=
	if ! command -v "$nat" >/dev/null; then
		tap_skip "nat NAT=$nat" "$nat not installed"
		return
	fi
	out=$(TPK_FIXTURE_NAT=$nat "$FIXTURES/nat" up "$NATFX" 2>/dev/null)
	tap_is "$?" 0 "nat NAT=$nat: up"
	load_env "$out"
	tap_is "${ENV[NAT]:-}" "$nat" "nat NAT=$nat: NAT key"
	if ip netns exec "${ENV[NS_R]:-none}" test -r /proc/net/nf_conntrack 2>/dev/null; then
		ct=yes
	fi
	for fam in 4 6; do
		tap_ok "nat NAT=$nat: A -> VIP IPv$fam" ping_from "${ENV[NS_A]:-}" "${ENV[VIP_IP$fam]:-missing}"
		if [[ -n $ct ]]; then
			tap_ok "nat NAT=$nat: A -> VIP IPv$fam reached B and was answered to R_B" translated \
				"${ENV[NS_R]}" "${ENV[A_IP$fam]}" "${ENV[VIP_IP$fam]}" "${ENV[B_IP$fam]}" "${ENV[R_B_IP$fam]}"
		else
			tap_skip "nat NAT=$nat: A -> VIP IPv$fam translated" "no /proc/net/nf_conntrack"
		fi
		tap_ok "nat NAT=$nat: A -> B IPv$fam" ping_from "${ENV[NS_A]:-}" "${ENV[B_IP$fam]:-missing}"
		if [[ -n $ct ]]; then
			tap_ok "nat NAT=$nat: A -> B IPv$fam was answered to R_B" translated \
				"${ENV[NS_R]}" "${ENV[A_IP$fam]}" "${ENV[B_IP$fam]}" "${ENV[B_IP$fam]}" "${ENV[R_B_IP$fam]}"
		else
			tap_skip "nat NAT=$nat: A -> B IPv$fam masqueraded" "no /proc/net/nf_conntrack"
		fi
	done
	tap_ok "nat NAT=$nat: down" "$FIXTURES/nat" down "$NATFX"
}

# tun_kind NS KIND REMOTE: tun0 in NS is a KIND tunnel to REMOTE.
tun_kind() {
	local out
	out=$(ip -n "$1" -d link show dev tun0) || return 1
	[[ $out == *$'\n'"    $2 "* && $out =~ " remote $3"( |$) ]] ||
		{ echo "tun0 is not a $2 tunnel to $3:"; echo "$out"; return 1; }
}

# tx_counts NS IF1 IF2: tx_packets of IF1, then of IF2, in NS, read in that
# order.
tx_counts() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$1" bash -c 'echo "$(<"/sys/class/net/$1/statistics/tx_packets") $(<"/sys/class/net/$2/statistics/tx_packets")"' _ "$2" "$3"
}

# overlay_carried FAM: L reaches R_TUN's IPv<FAM> address through tun0, and
# what tun0 sends leaves through the underlay eth0 (which may send more:
# its own neighbour discovery). An encapsulated packet is counted on eth0
# before tun0, so reading eth0 first before and last after the ping counts
# each packet that tun0 sends meanwhile (IPv6 autoconfiguration does) on
# eth0 too.
overlay_carried() {
	local ns=${ENV[NS_L]} dst=${ENV[R_TUN_IP$1]} out t0 e0 t1 e1
	out=$(ip -n "$ns" route get "$dst") || return 1
	[[ $out == *" dev tun0 "* ]] || { echo "the route to $dst is not through tun0: $out"; return 1; }
	read -r e0 t0 <<<"$(tx_counts "$ns" eth0 tun0)"
	ip netns exec "$ns" ping -c1 -W2 "$dst" || return 1
	read -r t1 e1 <<<"$(tx_counts "$ns" tun0 eth0)"
	((t1 > t0 && e1 - e0 >= t1 - t0)) ||
		{ echo "tun0 sent $((t1 - t0)) packets, the underlay eth0 $((e1 - e0))"; return 1; }
}

# test_tunnel TYPE KIND UNDERLAY FAMILIES: with TPK_FIXTURE_TUNNEL=TYPE,
# tun0 is a KIND device over the IPv<UNDERLAY> underlay carrying FAMILIES
# (46, 4 or 6); only their overlay keys are printed. On a kernel that cannot
# make the type, up exits 2 with one line and leaves nothing: one skip.
test_tunnel() {
	local type=$1 kind=$2 under=$3 fams=$4 name=$TUNNAME fx=$FIXTURES/tunnel
	local t="tunnel $1" out err rc left before_root missing extra k ep fam first old_out
	before_root=$(root_snapshot)
	out=$(TPK_FIXTURE_TUNNEL=$type "$fx" up "$name" 2>/tmp/fixtures.t.$$.err)
	rc=$?
	err=$(cat /tmp/fixtures.t.$$.err)
	rm -f /tmp/fixtures.t.$$.err
	if [[ $rc -eq 2 ]]; then
		left=$(tap_settle "" owned "$name")
		if [[ $err == "tunnel: this kernel cannot make $type devices" && -z $out && -z $left ]]; then
			tap_skip "$t" "${err#tunnel: }"
		else
			tap_fail "$t: up exits 2 with one line on stderr and leaves nothing"
			tap_diag "stdout: $out"
			tap_diag "stderr: $err"
			tap_diag "left: $left"
		fi
		return
	fi
	tap_is "$rc" 0 "$t: up exits 0"
	[[ $rc -eq 0 ]] || tap_diag "$err"
	tap_ok "$t: up prints only KEY=VALUE lines" only_key_lines "$out"
	load_env "$out"

	missing=
	extra=
	for k in FIXTURE NAME IDX PLEN4 PLEN6 NS_ROOT_INODE NS_L NS_L_INODE NS_R NS_R_INODE \
		TUNNEL UNDERLAY L_IP4 L_IP6 R_IP4 R_IP6; do
		[[ -n ${ENV[$k]:-} ]] || missing+=" $k"
	done
	for ep in L R L_TUN R_TUN; do
		for k in NS IF IFINDEX MAC; do
			[[ -v ENV[${ep}_$k] ]] || missing+=" ${ep}_$k"
		done
	done
	for fam in 4 6; do
		for k in L_TUN_IP$fam R_TUN_IP$fam; do
			if [[ $fams == *$fam* ]]; then
				[[ -n ${ENV[$k]:-} ]] || missing+=" $k"
			else
				[[ ! -v ENV[$k] ]] || extra+=" $k"
			fi
		done
	done
	tap_is "$missing" "" "$t: all documented keys printed"
	tap_is "$extra" "" "$t: no overlay keys of a family it does not carry"
	tap_is "${ENV[FIXTURE]:-}/${ENV[NAME]:-}/${ENV[TUNNEL]:-}/${ENV[UNDERLAY]:-}" \
		"tunnel/$name/$type/$under" "$t: FIXTURE, NAME, TUNNEL and UNDERLAY keys"
	tap_ok "$t: namespace inodes match" check_inodes
	for ep in L R L_TUN R_TUN; do
		tap_ok "$t: $ep interface as described" check_endpoint "$ep"
	done
	tap_ok "$t: L's tun0 is a $kind tunnel to R's IPv$under underlay address" \
		tun_kind "${ENV[NS_L]:-none}" "$kind" "${ENV[R_IP$under]:-missing}"
	tap_ok "$t: R's tun0 is a $kind tunnel to L's IPv$under underlay address" \
		tun_kind "${ENV[NS_R]:-none}" "$kind" "${ENV[L_IP$under]:-missing}"
	tap_is "$(root_snapshot)" "$before_root" "$t: root routes and firewall untouched"

	first=
	for fam in 4 6; do
		[[ $fams == *$fam* ]] || continue
		[[ -n $first ]] || first=$fam
		tap_ok "$t: ping L -> R_TUN IPv$fam" ping_from "${ENV[NS_L]:-}" "${ENV[R_TUN_IP$fam]:-missing}"
		tap_ok "$t: IPv$fam overlay through tun0, carried by the underlay" overlay_carried "$fam"
	done

	old_out=$out
	out=$(TPK_FIXTURE_TUNNEL=$type "$fx" up "$name" 2>/dev/null)
	tap_is "$?" 0 "$t: second up exits 0"
	tap_is "$(grep -E '^[A-Z0-9_]*(IP[46]|_IF|IDX|TUNNEL|UNDERLAY)=' <<<"$out")" \
		"$(grep -E '^[A-Z0-9_]*(IP[46]|_IF|IDX|TUNNEL|UNDERLAY)=' <<<"$old_out")" \
		"$t: second up keeps names and addresses"
	load_env "$out"
	tap_ok "$t: after rebuild, ping L -> R_TUN IPv$first" \
		ping_from "${ENV[NS_L]:-}" "${ENV[R_TUN_IP$first]:-missing}"

	check_down "$t" tunnel "$name" "$before_root"
}

# bad_setting VAR=VALUE KIND NAME: up refuses the setting before making
# anything: exit 1, nothing on stdout, one line on stderr.
bad_setting() {
	local setting=$1 kind=$2 name=$3 out err rc
	out=$(env "$setting" "$FIXTURES/$kind" up "$name" 2>/tmp/fixtures.t.$$.err)
	rc=$?
	err=$(cat /tmp/fixtures.t.$$.err)
	rm -f /tmp/fixtures.t.$$.err
	if [[ $rc -eq 1 && -z $out && -n $err && $(wc -l <<<"$err") -eq 1 && -z $(owned "$name") ]]; then
		tap_pass "$kind up with $setting: one-line error, exit 1, nothing made"
		tap_diag "$err"
	else
		tap_fail "$kind up with $setting: one-line error, exit 1, nothing made"
		tap_diag "exit $rc, stdout: $out"
		tap_diag "stderr: $err"
		tap_diag "left: $(owned "$name")"
	fi
}

# bad_usage KIND ARGS...: fails with nothing on stdout and one line on stderr.
bad_usage() {
	local kind=$1 out err rc args
	shift
	args=$(printf ' %q' "$@")
	out=$("$FIXTURES/$kind" "$@" 2>/tmp/fixtures.t.$$.err)
	rc=$?
	err=$(cat /tmp/fixtures.t.$$.err)
	rm -f /tmp/fixtures.t.$$.err
	if [[ $rc -ne 0 && -z $out && -n $err && $(wc -l <<<"$err") -eq 1 ]]; then
		tap_pass "$kind$args: one-line error, exit $rc"
		tap_diag "$err"
	else
		tap_fail "$kind$args: one-line error, non-zero exit"
		tap_diag "exit $rc, stdout: $out"
		tap_diag "stderr: $err"
	fi
}

test_fixture pair "$PAIR" "NS_PEER NS_PEER_INODE" "ROOT+ PEER+" ROOT_IF \
	"root -> peer||PEER"

test_fixture bridge "$BRIDGE" "NS_HOST NS_HOST_INODE NS_C1 NS_C1_INODE NS_C2 NS_C2_INODE NAT" \
	"ROOT+ HOST+ BR+ C1+ C1_PORT C2+ C2_PORT" ROOT_IF \
	"host -> c1 (docker0, vethc1, eth0)|NS_HOST|C1" \
	"c1 -> c2 across docker0|NS_C1|C2" \
	"c1 -> root uplink, masqueraded|NS_C1|ROOT"

test_fixture router "$ROUTER" "NS_A NS_A_INODE NS_R NS_R_INODE NS_B NS_B_INODE" \
	"A+ R_A+ R_B+ B+" "" \
	"A -> B through R|NS_A|B"

# The other masquerade back ends must carry the NATed path as well.
for nat in nft iptables-legacy; do
	if ! command -v "$nat" >/dev/null; then
		for desc in up "NAT key" "c1 -> root IPv4" "c1 -> root IPv6" down; do
			tap_skip "bridge NAT=$nat: $desc" "$nat not installed"
		done
		continue
	fi
	out=$(TPK_FIXTURE_NAT=$nat "$FIXTURES/bridge" up "$NATNAME" 2>/dev/null)
	tap_is "$?" 0 "bridge NAT=$nat: up"
	load_env "$out"
	tap_is "${ENV[NAT]:-}" "$nat" "bridge NAT=$nat: NAT key"
	tap_ok "bridge NAT=$nat: c1 -> root IPv4" ping_from "${ENV[NS_C1]:-}" "${ENV[ROOT_IP4]:-missing}"
	tap_ok "bridge NAT=$nat: c1 -> root IPv6" ping_from "${ENV[NS_C1]:-}" "${ENV[ROOT_IP6]:-missing}"
	tap_ok "bridge NAT=$nat: down" "$FIXTURES/bridge" down "$NATNAME"
done

test_fixture nat "$NATFX" "NS_A NS_A_INODE NS_R NS_R_INODE NS_B NS_B_INODE NAT VIP_IP4 VIP_IP6" \
	"A+ R_A+ R_B+ B+" "" \
	"A -> VIP, DNAT to B and masqueraded|NS_A|VIP" \
	"A -> B, masqueraded|NS_A|B"

for nat in iptables iptables-legacy nft; do
	check_nat "$nat"
done
bad_setting TPK_FIXTURE_NAT=pf nat "$NATFX"

# Every type: vxlan and vxlan6 need only CONFIG_VXLAN; the rest are
# skipped on a kernel that cannot make them.
while read -r type kind under fams; do
	test_tunnel "$type" "$kind" "$under" "$fams"
done <<'TYPES'
vxlan vxlan 4 46
vxlan6 vxlan 6 46
geneve geneve 4 46
geneve6 geneve 6 46
gre gre 4 46
gre6 ip6gre 6 46
ipip ipip 4 4
ip6ip6 ip6tnl 6 6
gretap gretap 4 46
ip6gretap ip6gretap 6 46
TYPES
bad_setting TPK_FIXTURE_TUNNEL=vxlan4 tunnel "$TUNNAME"

# A NAME held by one fixture is refused by another, up and down alike, and
# the holder survives.
out=$("$FIXTURES/pair" up "$PAIR" 2>/dev/null)
load_env "$out"
bad_usage router up "$PAIR"
bad_usage router down "$PAIR"
tap_ok "pair $PAIR still answers after the refused router commands" ping_from "" "${ENV[PEER_IP4]:-missing}"
tap_ok "pair down after the clash" "$FIXTURES/pair" down "$PAIR"

for name in Bad a-b toolongxx "" "a b" ../x; do
	bad_usage pair up "$name"
done
bad_usage bridge up BAD
bad_usage router down x_y
bad_usage pair up
bad_usage pair up a b
bad_usage pair frobnicate a
tap_ok "help exits 0" "$FIXTURES/router" help
tap_like "$("$FIXTURES/bridge" help 2>/dev/null)" "usage: bridge up NAME" "help prints usage on stdout"

tap_done
