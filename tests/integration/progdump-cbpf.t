#!/bin/bash
# progdump cbpf against tcpdump -d on a list of filters, for a dead handle
# (tcpdump -r FILE -d) of several link types and a live one (tcpdump -i lo -d);
# and progdump's one-line errors for bad input.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root

PD=$TPK_BUILD/progdump
command -v tcpdump >/dev/null || tap_skip_all "tcpdump not installed"
[ -x "$PD" ] || tap_bail "no $PD; run make"
TMP=$(mktemp -d /tmp/progdump-cbpf.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# An empty capture file of LINKTYPE $1 (pcap header only), for tcpdump -r.
pcap_file() {
	local lt=$1
	printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00' >"$TMP/$lt.pcap"
	printf '%b' "\\x$(printf %02x $((lt & 255)))\\x$(printf %02x $((lt >> 8)))\\x00\\x00" >>"$TMP/$lt.pcap"
}

filters=(
	'ip and udp port 53'
	'tcp[tcpflags] & tcp-syn != 0'
	'icmp or icmp6'
	'host 198.18.0.1 and not port 22'
	'net 198.18.0.0/15'
	'ip6 dst host 2001:db8::1'
	'portrange 1000-2000'
	'ether host 02:00:00:00:00:01'
	'ether broadcast or ip multicast'
	'ip broadcast'
	'arp or rarp'
	'vlan 100 and host 198.18.0.1'
	'len > 100 and len <= 1500'
	'ip[6:2] & 0x1fff = 0'
	'udp[8:4] = 0x12345678'
	'ip[0] * 2 < 10 or ip[0] / 2 > 10 or ip[0] % 3 = 1 or ip[1] ^ 1 = 0'
	'ip[0] << 2 = 8 or ip[0] >> 1 = 2 or -ip[0] = 0 or ip[ip[0] & 0xf] = 1'
	'tcp and (tcp[12] & 0xf0) >> 2 > 20'
	'ip proto 47 or ip6 protochain 6'
	'greater 64 and less 1024'
	'mpls and ip'
)

# linktype name for progdump, LINKTYPE_ number in the file header.
for lt in "EN10MB 1" "RAW 101" "LINUX_SLL 113" "LINUX_SLL2 276"; do
	read -r name num <<<"$lt"
	pcap_file "$num"
	for f in "${filters[@]}"; do
		want=$(tcpdump -r "$TMP/$num.pcap" -d "$f" 2>/dev/null) || continue
		tap_is "$("$PD" cbpf --linktype "$name" "$f" 2>&1)" "$want" "$name: $f"
	done
done

pcap_file 1
tap_is "$("$PD" cbpf ip and udp port 53)" "$(tcpdump -r "$TMP/1.pcap" -d ip and udp port 53 2>/dev/null)" \
	"words joined like tcpdump's arguments"
tap_is "$("$PD" cbpf --no-optimize 'ip and udp port 53')" \
	"$(tcpdump -r "$TMP/1.pcap" -O -d 'ip and udp port 53' 2>/dev/null)" "--no-optimize is tcpdump -O"
tap_is "$("$PD" cbpf -i lo --snaplen 96 tcp)" "$(tcpdump -i lo -s 96 -d tcp 2>/dev/null)" "--snaplen"
for f in 'vlan 100 and host 198.18.0.1' 'ip and udp port 53' 'ip broadcast'; do
	tap_is "$("$PD" cbpf -i lo "$f" 2>&1)" "$(tcpdump -i lo -d "$f" 2>/dev/null)" "-i lo: $f"
done

# bad DESC WANT_REGEX ARGS...: exit 2, one line on stderr, nothing on stdout.
bad() {
	local desc=$1 want=$2 out rc
	shift 2
	out=$("$PD" "$@" 2>"$TMP/err"); rc=$?
	tap_is "$rc" 2 "$desc: exit status 2"
	tap_is "$(wc -l <"$TMP/err")" 1 "$desc: one line"
	tap_like "$(cat "$TMP/err")" "$want" "$desc: message"
	tap_is "$out" "" "$desc: nothing on stdout"
}
bad "malformed filter" '^progdump: bad filter .ip and and.: ' cbpf 'ip and and'
bad "unknown link type" '^progdump: unknown link type .NOPE.$' cbpf --linktype NOPE ip
bad "no filter" '^progdump: cbpf needs a filter expression$' cbpf
bad "no such id" '^progdump: no program with id 4294967295$' show id 4294967295
bad "no such id, dump" '^progdump: no program with id 4294967295$' dump xlated 4294967295
bad "bad id" "^progdump: bad program ID 'x'$" show id x
bad "no such name" '^progdump: no program with name progdump-no-such$' show name progdump-no-such
bad "bad tag" "^progdump: bad tag 'xyz'" show tag xyz
bad "no such pin" '^progdump: can.t open pinned program /nonexistent' show pinned /nonexistent
pin=/sys/fs/bpf/progdump-map$$
if bpftool map create "$pin" type array key 4 value 4 entries 1 name pdmap 2>/dev/null; then
	bad "a pinned map" "^progdump: $pin is not a pinned program: incorrect object type: map$" show pinned "$pin"
	bad "a pinned map, dump" "^progdump: $pin is not a pinned program: incorrect object type: map$" \
		dump xlated pinned "$pin"
	rm -f "$pin"
else
	tap_fail "cannot pin a map with bpftool"
fi
bad "unknown command" "^progdump: unknown command 'frobnicate'" frobnicate
bad "dump jited" "^progdump: expected 'dump xlated PROG'" dump jited id 1
bad "bad modifier" "^progdump: expected 'opcodes', 'linum' or 'visual', got 'bogus'" dump xlated id 1 bogus
out=$("$PD" --bogus 2>"$TMP/err"); rc=$?
tap_is "$rc" 2 "unknown option: exit status 2"
tap_like "$(head -n1 "$TMP/err")" "unrecognized option '--bogus'" "unknown option: message"

# Without root: cbpf works, reading programs fails with one line, exit 1.
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
tap_is "$(nobody "$PD" cbpf ip 2>&1)" "$(tcpdump -r "$TMP/1.pcap" -d ip 2>/dev/null)" "cbpf without root"
out=$(nobody "$PD" list 2>&1); rc=$?
tap_is "$rc" 1 "list without root: exit status 1"
tap_is "$out" "progdump: must run as root (needs CAP_SYS_ADMIN: the kernel lists programs only to it)" "list without root: one line"
out=$(nobody "$PD" cbpf -i lo icmp 2>&1); rc=$?
tap_is "$rc" 1 "cbpf -i lo without root: exit status 1 (the system said no)"
tap_like "$out" "^progdump: can't open lo: .+" "cbpf -i lo without root: says why"
tap_is "$(wc -l <<<"$out")" 1 "cbpf -i lo without root: one line"
bad "cbpf on no such device" "^progdump: can't open tpk-no-such0: " cbpf -i tpk-no-such0 icmp

tap_like "$("$PD" --version | head -n1)" '^progdump [0-9]+\.[0-9]+\.[0-9]+$' "--version"
tap_like "$("$PD" --help)" 'Examples:' "--help has examples"
tap_done
