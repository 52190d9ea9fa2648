#!/bin/bash
# Faults: tracepkt killed mid-trace leaves no program or link; xdpblock
# killed in the middle of `add --file` leaves whole rules and a usable tool;
# A foreign XDP program or tc filter is reported and left alone; a fixture
# torn down under tracepkt --all; a device removed under tcdrop and xdpblock;
# Not root.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
. "$(dirname "$(readlink -f "$0")")/../lib/tracepkt.sh"
tap_require_root

TP=$TPK_BUILD/tracepkt TC=$TPK_BUILD/tcdrop XB=$TPK_BUILD/xdpblock PD=$TPK_BUILD/progdump
for t in "$TP" "$TC" "$XB" "$PD"; do [ -x "$t" ] || tap_bail "no $t (make first)"; done
export XDPBLOCK_PINS=faults$$
NS=faults$$
FIX=$(tap_name f)
TMP=$(mktemp -d /tmp/faults.XXXXXX)
BG=
cleanup() {
	[ -n "$BG" ] && kill -KILL "$BG" 2>/dev/null
	ip netns exec "$NS" "$XB" detach fv0 >/dev/null 2>&1
	ip netns exec "$NS" "$TC" detach fv0 >/dev/null 2>&1
	"$XB" flush >/dev/null 2>&1
	rm -rf "/sys/fs/bpf/$XDPBLOCK_PINS"
	ip netns del "$NS" 2>/dev/null
	ip netns del "faultslo$$" 2>/dev/null
	"$FIXTURES/pair" down "$FIX" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
N() { ip netns exec "$NS" "$@"; }

ip netns add "$NS" || tap_bail "cannot add namespace $NS"
N ip link add fv0 type veth peer name fv1 || tap_bail "cannot add veth"
N ip link set fv0 up
N ip link set fv1 up
INO=$(N stat -L -c %i /proc/self/ns/net)

# IDs of the programs or links (KIND prog|link) process PID holds, from its
# fds (this bpftool may not list holders' pids).
held() {
	cat /proc/"$1"/fdinfo/* 2>/dev/null | sed -nE "s/^$2_id:[[:space:]]*([0-9]+)/\1/p" | sort -un | tr '\n' ' '
}
# Which of the IDs of KIND still exist, after up to TAP_SETTLE s for the kernel to free them.
still() { bpf_ids_left "$@"; }
# Waits up to 10 s for PID to hold programs; prints their IDs.
wait_held() {
	local i ids
	for i in $(seq 100); do
		ids=$(held "$1" prog)
		[ -n "$ids" ] && { echo "$ids"; return 0; }
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# SIGKILL of tracepkt mid-trace, both netfilter backends.
for backend in auto off; do	# auto: nfhook here, fexit on older kernels
	"$TP" --all --nf-backend "$backend" >"$TMP/tp.out" 2>"$TMP/tp.err" &
	BG=$!
	if progs=$(wait_held "$BG"); then
		links=$(held "$BG" link)
		ping -c 2 -i 0.2 -W 1 127.0.0.1 >/dev/null 2>&1
		kill -KILL "$BG"
		wait "$BG" 2>/dev/null
		BG=
		tap_is "$(still prog $progs)/$(still link $links)" "/" \
			"SIGKILL of tracepkt --nf-backend $backend: its $(wc -w <<<"$progs") programs and $(wc -w <<<"$links") links are gone"
	else
		tap_fail "tracepkt --nf-backend $backend did not start"
		tap_diag "$(cat "$TMP/tp.err")"
		BG=
	fi
done

# Under emulation (the kernel matrix) bash and ping run 30 times slower:
# smaller batches and floods there, the same checks.
SCALE=1
[ -n "${TPK_VM_KERNEL:-}" ] && SCALE=10

# SIGKILL of xdpblock add --file mid-batch: every rule whole, tool usable.
for i in $(seq 0 $((250 / SCALE - 1))); do
	for j in $(seq 0 199); do
		echo "198.$((18 + (i & 1))).$((i >> 1)).$j proto udp port $((1000 + j))"
		echo "2001:db8:$i::$j/128 proto tcp port 80-90"
	done
done > "$TMP/rules"
total=$(wc -l <"$TMP/rules")
listed() { "$XB" list | awk 'NR > 1 { print $2, $3, $4 }' | sort; }
killed_at=
# Killed part way: some rules in, not all (the delay that does it depends on the load).
for delay in 0.3 0.6 1 1.5 2.5 4; do
	"$XB" flush >/dev/null 2>&1
	"$XB" add --file "$TMP/rules" >/dev/null 2>&1 &
	BG=$!
	sleep "$delay"
	kill -KILL "$BG" 2>/dev/null
	wait "$BG" 2>/dev/null
	[ $? = 137 ] && killed_at=$delay
	BG=
	listed > "$TMP/got"
	[ -z "$killed_at" ] && break	# it finished first: longer waits will too
	[ -s "$TMP/got" ] && break
done
tap_diag "killed after ${killed_at:-(never: it finished first)} s; $(wc -l <"$TMP/got") of $total rules in"
tap_ok "after SIGKILL: list --json is one JSON document" bash -c "'$XB' list --json | perl -MJSON::PP -e 'local \$/; decode_json(<STDIN>)'"
tap_ok "after SIGKILL: add --file again completes" "$XB" add --file "$TMP/rules"
listed > "$TMP/want"
tap_is "$(wc -l <"$TMP/want")" "$total" "after SIGKILL: then every rule is in"
tap_is "$(comm -23 "$TMP/got" "$TMP/want" | head -3)" "" "after SIGKILL mid-batch: every rule listed then is one of the file's, whole"
tap_ok "after SIGKILL: flush" "$XB" flush

# A foreign XDP program on the device is reported and kept.
N ip link set dev fv0 xdpgeneric obj "$TPK_BUILD/bpf/xdpblock.bpf.o" sec xdp 2>"$TMP/ip.err" ||
	tap_diag "ip link set xdp: $(cat "$TMP/ip.err")"
foreign=$(N ip -d link show fv0 | sed -nE 's/.*prog\/xdp id ([0-9]+).*/\1/p')
out=$(N "$XB" attach fv0 2>&1); rc=$?
tap_is "$rc" 1 "xdpblock attach over a foreign XDP program: exit 1"
tap_like "$out" "^xdpblock: fv0 already has an XDP program" "... says so in one line"
tap_is "$(N ip -d link show fv0 | sed -nE 's/.*prog\/xdp id ([0-9]+).*/\1/p')" "${foreign:-none}" "... and left it attached"
N ip link set dev fv0 xdpgeneric off

# A foreign tc filter: tcdrop goes beside it, and detach leaves it.
N tc qdisc add dev fv0 clsact
N tc filter add dev fv0 ingress pref 100 bpf bytecode '1,6 0 0 4294967295,'
tap_ok "tcdrop attach beside a foreign tc filter" N "$TC" attach fv0 --legacy
tap_ok "tcdrop detach" N "$TC" detach fv0
tap_like "$(N tc filter show dev fv0 ingress)" "pref 100 bpf" "the foreign filter is still there"
tap_is "$(N tc qdisc show dev fv0 | grep -c clsact)" 1 "and its clsact qdisc"
N tc qdisc del dev fv0 clsact

# A device removed while tcdrop and xdpblock are attached.
N ip link add fg0 type veth peer name fg1
N ip link set fg0 up
N "$TC" attach fg0 >/dev/null 2>&1 || tap_diag "tcdrop attach fg0 failed"
N "$XB" attach fg0 --mode skb >/dev/null 2>&1 || tap_diag "xdpblock attach fg0 failed"
N ip link del fg0
tap_like "$(N "$TC" status 2>&1)" "fg0 .*gone" "tcdrop status: a removed device shows as gone"
tap_ok "tcdrop detach of the removed device" N "$TC" detach fg0
tap_ok "xdpblock status with a removed device" N "$XB" status
tap_ok "xdpblock detach of the removed device" N "$XB" detach fg0
link_pins() { echo "$(ls -A "/sys/fs/bpf/tcdrop/$INO" 2>/dev/null)$(ls "/sys/fs/bpf/$XDPBLOCK_PINS" 2>/dev/null | grep '^link-')"; }
tap_is "$(tap_settle "" link_pins)" "" \
	"no tcdrop or xdpblock link pins left for it"
"$XB" flush >/dev/null 2>&1

# A fixture torn down while tracepkt --all traces in it.
if eval "$("$FIXTURES/pair" up "$FIX")" 2>/dev/null && [ -n "${NS_PEER:-}" ]; then
	"$TP" --all >"$TMP/tp.out" 2>"$TMP/tp.err" &
	BG=$!
	if tracer_ready "$BG"; then
		ip netns exec "$NS_PEER" ping -c 3 -i 0.2 -W 1 "$ROOT_IP4" >/dev/null 2>&1
		"$FIXTURES/pair" down "$FIX" >/dev/null 2>&1
		sleep 0.5
		tap_ok "tracepkt --all still runs after the fixture is gone" kill -0 "$BG"
		kill -INT "$BG"
		wait "$BG"
		tap_is "$?" 0 "and SIGINT ends it with status 0"
		BG=
		tap_is "$(grep -ciE 'sanitizer|segmentation|runtime error' "$TMP/tp.err")" 0 "no crash report"
	else
		tap_fail "tracepkt --all did not start"
		tap_diag "$(cat "$TMP/tp.err")"
		BG=
	fi
else
	tap_skip "fixture torn down under tracepkt" "pair fixture did not come up"
fi

# Ring buffer overflow: a flood of 3000 pings (300 emulated) on the loopback of a namespace
# of our own, traced once with room for every event and once with a 4K ring
# buffer. Printed plus reported lost must be the full count, exactly.
NL=faultslo$$
if ip netns add "$NL" && ip -n "$NL" link set lo up && ip -n "$NL" addr add 198.18.5.1/32 dev lo; then
	nl_ino=$(stat -L -c %i "/run/netns/$NL")
	flood() {
		"$TP" --all --json --nf-backend off --netns "$nl_ino" --ringbuf-size "$1" >"$TMP/fl.out" 2>"$TMP/fl.err" &
		BG=$!
		# Attached, not only loaded: else the flood's first packets go
		# untraced and the two runs count different totals.
		tracer_ready "$BG"
		ip netns exec "$NL" ping -f -c $((3000 / SCALE)) -q 198.18.5.1 >/dev/null 2>&1
		sleep 1
		kill -INT "$BG"
		wait "$BG"
		BG=
	}
	flood 4M
	all=$(wc -l <"$TMP/fl.out")
	tap_is "$(cat "$TMP/fl.err")" "" "flood with a large ring buffer: nothing lost ($all events)"
	flood 4K
	printed=$(wc -l <"$TMP/fl.out")
	lost=$(sed -nE 's/^tracepkt: ([0-9]+) events lost: the ring buffer was full \(try --ringbuf-size\)$/\1/p' "$TMP/fl.err")
	tap_is "$printed + ${lost:-none} = $((printed + ${lost:-0}))" "$printed + ${lost:-none} = $all" \
		"flood with a 4K ring buffer: printed + reported lost = every event"
	ip netns del "$NL"
else
	tap_skip "ring buffer overflow" "cannot make namespace $NL"
	tap_skip "ring buffer overflow" "cannot make namespace $NL"
fi

# No kernel BTF (hidden under a tmpfs in a mount namespace of our own).
nobtf() { unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$@"' sh "$@"; }
out=$(nobtf "$TP" --count 1 127.0.0.1 2>&1 >/dev/null); rc=$?
tap_is "$rc" 1 "no BTF: tracepkt exits 1"
tap_like "$out" "^tracepkt: [^"$'\n'"]*no kernel BTF at /sys/kernel/btf/vmlinux[^"$'\n'"]*CONFIG_DEBUG_INFO_BTF" \
	"no BTF: one line naming the requirement"
tap_ok "no BTF: xdpblock status still works" nobtf "$XB" status

# bpffs not mounted where the tool runs (unshare -m + umount, as ip netns
# exec does): the pins go to the host's bpffs, where later commands find them.
nobpffs() { unshare -m sh -c 'umount /sys/fs/bpf 2>/dev/null; exec "$@"' sh "$@"; }
tap_ok "no bpffs here: xdpblock add" nobpffs "$XB" add 198.18.7.0/24
tap_like "$("$XB" list)" "198.18.7.0/24" "... the rule is in the host's bpffs"
tap_ok "no bpffs here: xdpblock flush" nobpffs "$XB" flush
tap_is "$(tap_settle "" ls "/sys/fs/bpf/$XDPBLOCK_PINS" 2>/dev/null)" "" "... and its pins are gone"

# not root.
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
for cmd in "$TP --all" "$TC status" "$XB status" "$PD list"; do
	tool=${cmd%% *}; tool=${tool##*/}
	out=$(nobody $cmd 2>&1 </dev/null); rc=$?
	tap_is "$rc" 1 "$tool not root: exit 1"
	tap_like "$out" "^$tool: [^"$'\n'"]+$" "$tool not root: one line"
done

tap_done
