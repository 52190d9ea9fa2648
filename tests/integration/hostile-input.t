#!/bin/bash
# Hostile command lines for all four tools: bad addresses, prefixes, ports,
# names, ids, files, option mixes, huge numbers, empty strings and bytes that
# are not UTF-8. Each must exit 2 (the documented code for a bad command line
# or input) with one line "<tool>: ..." on stderr (for unknown options only,
# getopt's "ARGV0: unrecognized option" + argp's "Try ..." pair), print nothing
# on stdout, and change nothing: every case runs in a namespace of our own,
# whose devices, tc/XDP attachments and tcdrop/xdpblock pins are compared
# before and after it.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root

for t in tracepkt tcdrop xdpblock progdump; do
	[ -x "$TPK_BUILD/$t" ] || tap_bail "no $TPK_BUILD/$t (make first)"
done
NS=hostile$$
export XDPBLOCK_PINS=hostile$$
TMP=$(mktemp -d /tmp/hostile.XXXXXX)
RUN=$(mktemp -d /tmp/hostile-run.XXXXXX)
cleanup() {
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP" "$RUN" "/sys/fs/bpf/$XDPBLOCK_PINS"
}
trap cleanup EXIT

ip netns add "$NS" || tap_bail "cannot add namespace $NS"
ip -n "$NS" link add hv0 type veth peer name hv1 || tap_bail "cannot add veth"
ip -n "$NS" link set hv0 up
ip -n "$NS" link set hv1 up
INO=$(ip netns exec "$NS" stat -L -c %i /proc/self/ns/net)

# Files for the rule-file cases.
printf '198.18.0.1\nnot-an-address\n' > "$TMP/bad-line2"
printf '198.18.0.0/33\n' > "$TMP/bad-prefix"
printf '198.18.0.1 port 70000\n' > "$TMP/bad-port"
printf '198.18.0.1 proto\n' > "$TMP/no-proto"
printf '198.18.0.1 colour blue\n' > "$TMP/unknown-word"
printf '\xff\xfe\x00\x01 binary\n' > "$TMP/binary"
printf '198.18.0.%s\n' $(seq 1 20) > "$TMP/good-then-bad"
printf '198.18.0.999\n' >> "$TMP/good-then-bad"
head -c 5000 /dev/zero | tr '\0' 'a' > "$TMP/long-line"
mkdir "$TMP/dir"

# Everything a bad command could have changed, as text.
state() {
	ip -n "$NS" -d link show
	tc -n "$NS" qdisc show
	# Netfilter hooks are global to the namespace list: other tests' tracepkt
	# shows there. Devices' XDP and tc attachments are ours alone.
	ip netns exec "$NS" bpftool net show 2>&1 | sed '/^netfilter:/,$d'
	ls -R "/sys/fs/bpf/tcdrop/$INO" "/sys/fs/bpf/$XDPBLOCK_PINS" 2>&1
	ls "$TMP"
}

# bad TOOL ARGS...: exit 2, the error lines, nothing else, nothing changed.
bad() {
	local tool=$1 before after out err rc nl desc why
	shift
	desc="$tool$(printf ' %q' "$@")"
	before=$(state)
	ip netns exec "$NS" "$TPK_BUILD/$tool" "$@" >"$RUN/out" 2>"$RUN/err" </dev/null
	rc=$?
	out=$(cat "$RUN/out")
	err=$(cat "$RUN/err")
	after=$(state)
	nl=$(wc -l <"$RUN/err")
	why=
	[ "$rc" -eq 2 ] || why+="; exit $rc, want 2"
	[ -z "$out" ] || why+="; wrote to stdout"
	if ! [[ $nl -eq 1 && $err == "$tool: "* ]] &&
	   ! [[ $nl -eq 2 && $err =~ ^(.*/)?$tool:\ (unrecognized|invalid)\ option.*$'\n'Try\ .$tool\ --help ]]; then
		why+="; want one line '$tool: ...' on stderr"
	fi
	[ "$before" = "$after" ] || why+="; changed the system"
	if [ -z "$why" ]; then
		tap_pass "$desc"
		return
	fi
	tap_fail "$desc${why/#;/:}"
	tap_diag "stderr: $err"
	[ -z "$out" ] || tap_diag "stdout: $out"
	[ "$before" = "$after" ] || tap_diag "$(diff <(echo "$before") <(echo "$after"))"
}

HUGE=99999999999999999999999999
NONUTF8=$'\xff\xfe\x80'

# tracepkt
bad tracepkt 198.18.0.300
bad tracepkt 198.18.0.1 198.18.0.2
bad tracepkt ''
bad tracepkt "$NONUTF8"
bad tracepkt --count 0
bad tracepkt --count -1
bad tracepkt --count "$HUGE"
bad tracepkt --count 10x
bad tracepkt --all 198.18.0.1
bad tracepkt --host 198.18.0.1
bad tracepkt --all --host 198.18.0.0/24
bad tracepkt --all --proto bogus
bad tracepkt --all --proto 256
bad tracepkt --all --port 0
bad tracepkt --all --port 65536
bad tracepkt --all --port ''
bad tracepkt --ifname "$(printf 'x%.0s' $(seq 1 40))"
bad tracepkt --netns no-such-netns-$$
bad tracepkt --netns "$HUGE"
bad tracepkt --nf-backend bogus
bad tracepkt --points +no_such_point
bad tracepkt --ringbuf-size 3000
bad tracepkt --ringbuf-size 99999G
bad tracepkt --wait -5
bad tracepkt --no-such-option

# tcdrop
bad tcdrop
bad tcdrop frobnicate hv0
bad tcdrop attach
bad tcdrop attach ''
bad tcdrop attach "$NONUTF8"
bad tcdrop attach no-such-dev$$
bad tcdrop attach hv0 --src 198.18.0.0/33
bad tcdrop attach hv0 --src 198.18.0.1/24
bad tcdrop attach hv0 --dst 2001:db8::/129
bad tcdrop attach hv0 --src 'not an address'
bad tcdrop attach hv0 --proto bogus
bad tcdrop attach hv0 --port 0
bad tcdrop attach hv0 --port 9-1
bad tcdrop attach hv0 --port "$HUGE"
bad tcdrop attach hv0 --port 80 --proto icmp
bad tcdrop attach hv0 --ingress --egress --both --ingress extra
bad tcdrop detach hv0 --src 198.18.0.1
bad tcdrop status hv0 hv1
bad tcdrop --json attach hv0 --src "$NONUTF8"

# xdpblock
bad xdpblock
bad xdpblock frobnicate
bad xdpblock attach
bad xdpblock attach no-such-dev$$
bad xdpblock attach hv0 --mode turbo
bad xdpblock add
bad xdpblock add ''
bad xdpblock add 198.18.0.0/33
bad xdpblock add 198.18.0.256
bad xdpblock add "$NONUTF8"
bad xdpblock add 198.18.0.1 --port 70000
bad xdpblock add 198.18.0.1 --port 0
bad xdpblock add 198.18.0.1 --proto 300
bad xdpblock add 198.18.0.1 --proto ''
bad xdpblock add 198.18.0.1 198.18.0.2
bad xdpblock add 198.18.0.1 --file "$TMP/bad-line2"
bad xdpblock add --file "$TMP/bad-line2"
bad xdpblock add --file "$TMP/bad-prefix"
bad xdpblock add --file "$TMP/bad-port"
bad xdpblock add --file "$TMP/no-proto"
bad xdpblock add --file "$TMP/unknown-word"
bad xdpblock add --file "$TMP/binary"
bad xdpblock add --file "$TMP/good-then-bad"
bad xdpblock add --file "$TMP/long-line"
bad xdpblock add --file "$TMP/no-such-file"
bad xdpblock add --file "$TMP/dir"
bad xdpblock remove --file ''
bad xdpblock list extra
bad xdpblock flush now
bad xdpblock status --mode skb

# progdump
bad progdump frobnicate
bad progdump show id 1 id 2
bad progdump show id
bad progdump show id 0
bad progdump show id -1
bad progdump show id "$HUGE"
bad progdump show id 12abc
bad progdump show tag zz
bad progdump show tag 0123456789abcdef0
bad progdump show name ''
bad progdump show name "$NONUTF8"
bad progdump show pinned "$TMP/no-such-pin"
bad progdump show pinned "$TMP/dir"
bad progdump dump xlated
bad progdump dump jited id 1
bad progdump dump xlated id 1 sideways
bad progdump cbpf
bad progdump cbpf 'tcp port'
bad progdump cbpf "$NONUTF8"
bad progdump cbpf --linktype NO_SUCH_DLT ip
bad progdump cbpf --snaplen 0 ip
bad progdump cbpf --snaplen "$HUGE" ip
bad progdump --interface no-such-if$$ cbpf ip
bad progdump --pretty --no-such-option

tap_done
