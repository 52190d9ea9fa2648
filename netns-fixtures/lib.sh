# shellcheck shell=bash
# Shared code of the netns fixtures; each fixture script sets FX_KIND,
# FX_USAGE and FX_MODULES (kernel modules it needs), defines fx_build (and
# optionally fx_check_up), then calls fx_main "$@".
#
# Naming: everything instance NAME creates is called tpk<NAME>-<role>
# (namespaces, and the few links that live in the root namespace), so the
# "-" makes the prefix unambiguous (tpka- never matches tpkab-) and
# teardown can find leftovers of a crashed run without any state.
#
# Addressing: instance index IDX (0..255) owns 198.18.IDX.0/24, cut into
# four /26 subnets S=0..3, and 2001:db8:IDX:S+1::/64. Host H of subnet S is
# 198.18.IDX.N and 2001:db8:IDX:S+1::N with N=64*S+H (the same digits, read
# as hex); no group is zero but IDX, so the IPv6 text is canonical (what
# inet_ntop prints) and tests can compare it with tool output.
# 198.19.0.0/16 stays free for tests that address things by hand.

FX_STATE_DIR=${TPK_FIXTURE_STATE_DIR:-/run/tracepkt-fixtures}
FX_LOCK_TIMEOUT=120
FX_MAX_IDX=256
FX_PLEN4=26
FX_PLEN6=64

FX_NAME=
FX_IDX=
FX_OUT=()
FX_BUILDING=0
FX_NAT=

fx_die() {
	echo "$FX_KIND: $*" >&2
	exit 1
}

# fx_unsupported MSG: this kernel (or system) cannot build the fixture, as
# opposed to a failure: removes whatever up made so far, prints MSG as the
# one line on stderr and exits with status 2, so a test can skip with MSG
# as its reason. For fx_check_up (before anything changes) or fx_build.
fx_unsupported() {
	if ((FX_BUILDING)); then
		trap - EXIT
		fx_teardown "$FX_NAME"
	fi
	echo "$FX_KIND: $*" >&2
	exit 2
}

fx_usage() {
	cat <<EOF
usage: $FX_KIND up NAME | down NAME | help
$FX_USAGE
NAME is 1-8 characters from [a-z0-9]; everything made is named tpkNAME-*.
'up' prints shell-sourceable KEY=VALUE lines on stdout (see README.md);
a second 'up' of the same NAME rebuilds it; 'down' of an absent NAME is a
no-op. Needs root.
EOF
}

fx_ns_name() { echo "tpk$FX_NAME-$1"; }

fx_ip4() { echo "198.18.$FX_IDX.$((64 * $1 + $2))"; }
fx_ip6() { echo "2001:db8:$FX_IDX:$(($1 + 1))::$((64 * $1 + $2))"; }

fx_emit() { FX_OUT+=("$(printf '%s=%q' "$1" "$2")"); }

# Run a command in namespace NS; an empty NS means the root namespace, so
# helpers can treat root ends like any other end.
fx_in() {
	local ns=$1
	shift
	if [[ -n $ns ]]; then
		ip netns exec "$ns" "$@"
	else
		"$@"
	fi
}

fx_ipn() {
	local ns=$1
	shift
	if [[ -n $ns ]]; then
		ip -n "$ns" "$@"
	else
		ip "$@"
	fi
}

# Written to /proc rather than with sysctl(8), which a bare system may lack.
fx_sysctl() {
	local ns=$1 key=$2 val=$3
	# shellcheck disable=SC2016 # expanded by the inner bash
	fx_in "$ns" bash -c 'echo "$2" >"/proc/sys/${1//.//}"' _ "$key" "$val"
}

# Creates namespace tpkNAME-ROLE ready for immediate dual-stack use, and
# emits NS_<ROLE> and NS_<ROLE>_INODE.
fx_ns_add() {
	local role=$1 ns
	ns=$(fx_ns_name "$role")
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	# Links created in (or moved into) the namespace copy "default", so
	# this makes every later IPv6 address usable at once, link-locals too.
	fx_sysctl "$ns" net.ipv6.conf.default.accept_dad 0
	fx_sysctl "$ns" net.ipv6.conf.all.accept_dad 0
	fx_emit "NS_${role^^}" "$ns"
	fx_emit "NS_${role^^}_INODE" "$(stat -L -c %i "/run/netns/$ns")"
}

# fx_veth NS_A IF_A NS_B IF_B: a veth pair made directly in its namespaces,
# so no temporary name ever exists in the root namespace. Only NS_A may be
# empty (root).
fx_veth() {
	local ns_a=$1 if_a=$2 ns_b=$3 if_b=$4
	fx_ipn "$ns_a" link add "$if_a" type veth peer name "$if_b" netns "$ns_b"
	if [[ -z $ns_a ]]; then
		# The root's "default" may have DAD on; change only our own link.
		fx_sysctl "" "net.ipv6.conf.$if_a.accept_dad" 0
	fi
}

# fx_addr NS IF SUBNET HOST [FAMILIES]: gives IF host HOST of SUBNET in
# FAMILIES ("46", the default, or "4" or "6").
fx_addr() {
	local ns=$1 ifname=$2 sub=$3 host=$4 fams=${5:-46}
	if [[ $fams == *4* ]]; then
		fx_ipn "$ns" addr add "$(fx_ip4 "$sub" "$host")/$FX_PLEN4" dev "$ifname"
	fi
	if [[ $fams == *6* ]]; then
		fx_ipn "$ns" -6 addr add "$(fx_ip6 "$sub" "$host")/$FX_PLEN6" dev "$ifname" nodad
	fi
}

fx_up() { fx_ipn "$1" link set "$2" up; }

# fx_default_route NS SUBNET HOST: default routes via that host, both families.
fx_default_route() {
	local ns=$1 sub=$2 host=$3
	ip -n "$ns" route add default via "$(fx_ip4 "$sub" "$host")"
	ip -n "$ns" -6 route add default via "$(fx_ip6 "$sub" "$host")"
}

fx_forwarding() {
	fx_sysctl "$1" net.ipv4.ip_forward 1
	fx_sysctl "$1" net.ipv6.conf.all.forwarding 1
}

# fx_emit_if KEY NS IF [SUBNET HOST]: KEY_NS (empty for root), KEY_IF,
# KEY_IFINDEX, KEY_MAC, and KEY_IP4/KEY_IP6 when the link has addresses.
fx_emit_if() {
	local key=$1 ns=$2 ifname=$3 sub=${4:-} host=${5:-} index mac
	# ip netns exec remounts /sys, so this reads the namespace's own view.
	# shellcheck disable=SC2016 # expanded by the inner bash
	# (A here-string, not <(...): minimal VM guests have no /dev/fd.)
	read -r index mac <<<"$(fx_in "$ns" bash -c \
		'echo "$(<"/sys/class/net/$1/ifindex") $(<"/sys/class/net/$1/address")"' _ "$ifname")"
	fx_emit "${key}_NS" "$ns"
	fx_emit "${key}_IF" "$ifname"
	fx_emit "${key}_IFINDEX" "$index"
	fx_emit "${key}_MAC" "$mac"
	if [[ -n $sub ]]; then
		fx_emit "${key}_IP4" "$(fx_ip4 "$sub" "$host")"
		fx_emit "${key}_IP6" "$(fx_ip6 "$sub" "$host")"
	fi
}

# fx_links_ready NS: whether every link in NS is ready to carry traffic. A
# link that just got carrier keeps its noop qdisc, which drops everything it
# sends, until linkwatch activates it (up to a second later): an IPv6
# neighbour advertisement lost that way costs the first ping a 1 s retry.
# In the root namespace only our own links count. Links nobody raised are
# no concern: the fallback devices (gre0, tunl0, ip6tnl0, ...) that tunnel
# modules add to every namespace stay down. Tunnel devices track no
# operational state: theirs stays UNKNOWN, so there carrier (LOWER_UP) and
# an active qdisc are what count.
fx_links_ready() {
	local ns=$1 inroot=0 tentative
	[[ -n $ns ]] || inroot=1
	fx_ipn "$ns" -o link show | awk -v inroot="$inroot" -v prefix="tpk$FX_NAME-" '
		{ name = $2; sub(/@.*/, "", name); sub(/:$/, "", name) }
		name == "lo" || (inroot && index(name, prefix) != 1) { next }
		$3 !~ /[<,]UP[,>]/ { next }
		/ qdisc noop / { bad = 1 }
		!/ state UP / && !(/ state UNKNOWN / && $3 ~ /[<,]LOWER_UP[,>]/) { bad = 1 }
		END { exit bad }' || return 1
	tentative=$(fx_ipn "$ns" -6 -o addr show tentative)
	if ((inroot)); then
		tentative=$(grep -F " tpk$FX_NAME-" <<<"$tentative" || true)
	fi
	[[ -z $tentative ]]
}

# fx_wait_ready NS...: until these namespaces' links and our root links
# are ready and no IPv6 address is tentative (DAD is off, so that only
# guards against a kernel that marks them anyway).
fx_wait_ready() {
	local ns tries=100
	while ((tries-- > 0)); do
		local busy=0
		for ns in "" "$@"; do
			fx_links_ready "$ns" || busy=1
		done
		((busy)) || return 0
		sleep 0.05
	done
	fx_die "links not up, or IPv6 addresses still tentative, after 5 s"
}

# fx_wait_bridge NS BRIDGE: until every port forwards (no STP delay is
# configured, but the state change is not synchronous on every kernel).
fx_wait_bridge() {
	local ns=$1 br=$2 tries=50
	while ((tries-- > 0)); do
		if ! bridge -n "$ns" link show master "$br" | grep -v -q 'state forwarding'; then
			return 0
		fi
		sleep 0.1
	done
	fx_die "bridge $br ports not forwarding after 5 s"
}

# fx_nat_backend: for fx_check_up of the fixtures that translate addresses.
# Reads TPK_FIXTURE_NAT into FX_NAT: iptables (the default: whatever
# iptables(8) is, as docker uses it; on Debian iptables-nft),
# iptables-legacy, or nft (a native table inet tpk_nat). Refuses anything
# else, and adds the modules masquerading needs under it to FX_MODULES.
fx_nat_backend() {
	FX_NAT=${TPK_FIXTURE_NAT:-iptables}
	case $FX_NAT in
	iptables) FX_MODULES+=(nft_compat nft_chain_nat xt_MASQUERADE) ;;
	iptables-legacy) FX_MODULES+=(iptable_nat ip6table_nat) ;;
	nft) FX_MODULES+=(nft_chain_nat nft_masq) ;;
	*) fx_die "TPK_FIXTURE_NAT must be iptables, iptables-legacy or nft, not '$FX_NAT'" ;;
	esac
}

# fx_ipt NS 4|6 ARGS...: iptables or ip6tables of the FX_NAT back end
# (iptables or iptables-legacy) in NS.
fx_ipt() {
	local ns=$1 fam=$2 cmd=iptables
	shift 2
	[[ $fam == 4 ]] || cmd=ip6tables
	[[ $FX_NAT != iptables-legacy ]] || cmd+=-legacy
	ip netns exec "$ns" "$cmd" "$@"
}

# Best effort: on distro kernels (the VM matrix) the modules may not be
# loaded and nothing else loads them; built-in or absent is fine too.
fx_modprobe() {
	if command -v modprobe >/dev/null && [[ -d /lib/modules/$(uname -r) ]]; then
		modprobe -q -a "$@" 2>/dev/null || true
	fi
}

fx_state_file() { echo "$FX_STATE_DIR/$1"; }

fx_state_get() {
	local file=$1 key=$2
	if [[ -f $file ]]; then sed -n "s/^$key=//p" "$file"; fi
}

# Lowest index neither recorded by another instance nor already used by an
# address in the root namespace (someone else's leftovers).
fx_alloc_idx() {
	local i f
	local -A used=()
	for f in "$FX_STATE_DIR"/*; do
		[[ -f $f ]] || continue
		i=$(fx_state_get "$f" IDX)
		if [[ -n $i ]]; then used[$i]=1; fi
	done
	local addrs
	addrs=$(ip -o addr show)
	for ((i = 0; i < FX_MAX_IDX; i++)); do
		[[ -n ${used[$i]:-} ]] && continue
		grep -qF " 198.18.$i." <<<"$addrs" && continue
		grep -qF " 2001:db8:$i:" <<<"$addrs" && continue
		echo "$i"
		return 0
	done
	fx_die "no free instance index (all $FX_MAX_IDX in use)"
}

fx_owned_links() {
	ip -o link show | awk -F': ' -v prefix="tpk$1-" '
		{ sub(/@.*/, "", $2) } index($2, prefix) == 1 { print $2 }'
}

fx_owned_netns() {
	ip netns list | awk -v prefix="tpk$1-" 'index($1, prefix) == 1 { print $1 }'
}

# Removes everything named tpkNAME-*: root links first, because deleting a
# namespace frees its veths asynchronously and a rebuild would then find the
# root end's name still taken. Each deletion may race with the kernel
# freeing the same link, so only what is left at the end is an error.
fx_teardown() {
	local name=$1 l
	for l in $(fx_owned_links "$name"); do
		ip link del "$l" 2>/dev/null || true
	done
	for l in $(fx_owned_netns "$name"); do
		ip netns del "$l" 2>/dev/null || true
	done
	rm -f "$(fx_state_file "$name")"
	l=$(fx_owned_links "$name"; fx_owned_netns "$name")
	[[ -z $l ]] || fx_die "could not remove: ${l//$'\n'/ }"
}

fx_lock() {
	mkdir -p "$FX_STATE_DIR"
	exec {FX_LOCK_FD}>"$FX_STATE_DIR/.lock"
	flock -w "$FX_LOCK_TIMEOUT" "$FX_LOCK_FD" ||
		fx_die "timed out waiting for $FX_STATE_DIR/.lock"
}

fx_check_kind() {
	local kind
	kind=$(fx_state_get "$(fx_state_file "$FX_NAME")" KIND)
	if [[ -n $kind && $kind != "$FX_KIND" ]]; then
		fx_die "NAME '$FX_NAME' is in use by the $kind fixture; use '$kind down $FX_NAME' or another NAME"
	fi
}

fx_cmd_up() {
	local state idx
	state=$(fx_state_file "$FX_NAME")
	# A rebuild keeps its index so the addresses a test already holds stay right.
	idx=$(fx_state_get "$state" IDX)
	fx_teardown "$FX_NAME"
	if [[ -z $idx ]]; then
		idx=$(fx_alloc_idx)
	fi
	FX_IDX=$idx
	printf 'KIND=%s\nIDX=%s\n' "$FX_KIND" "$FX_IDX" >"$state"
	# Under set -e any failing step ends the script: undo the half-built
	# instance so a failed up leaves nothing behind either. The status is
	# 1 whatever the step's was (ip's is often 2): 2 is fx_unsupported's.
	trap 'fx_teardown "$FX_NAME"; echo "$FX_KIND: up $FX_NAME failed, torn down" >&2; exit 1' EXIT
	fx_modprobe "${FX_MODULES[@]}"
	fx_emit FIXTURE "$FX_KIND"
	fx_emit NAME "$FX_NAME"
	fx_emit IDX "$FX_IDX"
	fx_emit PLEN4 "$FX_PLEN4"
	fx_emit PLEN6 "$FX_PLEN6"
	fx_emit NS_ROOT_INODE "$(stat -L -c %i /proc/self/ns/net)"
	FX_BUILDING=1
	fx_build
	FX_BUILDING=0
	trap - EXIT
	printf '%s\n' "${FX_OUT[@]}" >&3
}

fx_main() {
	# Only the KEY=VALUE lines (and help) may reach stdout; everything
	# else, including ip's own output, goes to stderr.
	exec 3>&1 1>&2
	local cmd=${1:-}
	case $cmd in
	help | -h | --help)
		fx_usage >&3
		return 0
		;;
	up | down) ;;
	*)
		fx_die "unknown command '${cmd}'; try '$FX_KIND help'"
		;;
	esac
	[[ $# -eq 2 ]] || fx_die "usage: $FX_KIND $cmd NAME"
	[[ $2 =~ ^[a-z0-9]{1,8}$ ]] ||
		fx_die "invalid NAME '$2': must be 1-8 characters from [a-z0-9]"
	[[ $EUID -eq 0 ]] || fx_die "must run as root"
	FX_NAME=$2
	# Optional per-fixture check of its environment, before anything changes.
	if [[ $cmd == up ]] && declare -F fx_check_up >/dev/null; then
		fx_check_up
	fi
	fx_lock
	fx_check_kind
	case $cmd in
	up) fx_cmd_up ;;
	down) fx_teardown "$FX_NAME" ;;
	esac
}
