# shellcheck shell=bash
# A namespace of the test's own for tcdrop and xdpblock, and a blocklist of
# its own (XDPBLOCK_PINS), both gone at exit. After tap.sh:
#   toolns_up PINS NAME [DEV...]
# sets T and X (the tools), ns and ino (the namespace and its inode) and
# N (run a command in it); at exit both tools are detached from each DEV,
# the blocklist flushed and removed, the namespace deleted, after the
# test's own toolns_extra (a function) if it has one.
T=$TPK_BUILD/tcdrop X=$TPK_BUILD/xdpblock
TOOLNS_DEVS=()

N() { ip netns exec "$ns" "$@"; }

toolns_down() {
	local d
	declare -F toolns_extra >/dev/null && toolns_extra
	for d in "${TOOLNS_DEVS[@]}"; do
		N "$X" detach "$d"
		N "$T" detach "$d"
	done >/dev/null 2>&1
	"$X" flush >/dev/null 2>&1
	rm -rf "/sys/fs/bpf/$XDPBLOCK_PINS"
	ip netns del "$ns" 2>/dev/null
}

toolns_up() {
	export XDPBLOCK_PINS=$1$$
	ns=$(tap_name "$2")
	shift 2
	TOOLNS_DEVS=("$@")
	trap toolns_down EXIT
	ip netns add "$ns" || tap_bail "cannot create namespace $ns"
	ino=$(stat -L -c %i "/run/netns/$ns")
}
