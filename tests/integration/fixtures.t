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

cleanup() {
	"$FIXTURES/pair" down "$PAIR"
	"$FIXTURES/bridge" down "$BRIDGE"
	"$FIXTURES/bridge" down "$NATNAME"
	"$FIXTURES/router" down "$ROUTER"
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
# holds EP_IP4/EP_IP6 when those are printed.
check_endpoint() {
	local ep=$1 ns=${ENV[${1}_NS]} dev=${ENV[${1}_IF]} out
	out=$(if [[ -n $ns ]]; then ip -n "$ns" -o addr show dev "$dev"; else ip -o addr show dev "$dev"; fi) || return 1
	[[ $out == "${ENV[${ep}_IFINDEX]}: $dev "* ]] || { echo "$ep: ifindex is not ${ENV[${ep}_IFINDEX]}: $out"; return 1; }
	out=$(if [[ -n $ns ]]; then ip -n "$ns" link show dev "$dev"; else ip link show dev "$dev"; fi)
	[[ $out == *"link/ether ${ENV[${ep}_MAC]} "* ]] || { echo "$ep: mac is not ${ENV[${ep}_MAC]}"; return 1; }
	if [[ -n ${ENV[${ep}_IP4]:-} ]]; then
		out=$(if [[ -n $ns ]]; then ip -n "$ns" -o addr show dev "$dev"; else ip -o addr show dev "$dev"; fi)
		[[ $out == *" ${ENV[${ep}_IP4]}/${ENV[PLEN4]} "* && $out == *" ${ENV[${ep}_IP6]}/${ENV[PLEN6]} "* ]] ||
			{ echo "$ep: addresses missing: $out"; return 1; }
	fi
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

	out=$("$fx" down "$name" 2>&1)
	tap_is "$?/$out" "0/" "$kind: down exits 0 and prints nothing"
	tap_is "$(tap_settle "" owned "$name")" "" "$kind: no namespace or link named tpk$name- left"
	tap_is "$(root_snapshot)" "$before_root" "$kind: root routes and firewall as before"
	out=$("$fx" down "$name" 2>&1)
	tap_is "$?/$out" "0/" "$kind: down of an absent instance is a silent no-op"
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

tap_plan 97

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
