#!/bin/bash
# Smoke run of every benchmark (bench/run --quick: one run of each, fractions
# of a second, small rule sets): each produces numbers, and nothing is left
# behind. No timing is asserted: figures on a shared machine mean nothing.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root

RUN=$TPK_ROOT/bench/run
for t in tracepkt xdpblock tcdrop; do
	[ -x "$TPK_BUILD/$t" ] || tap_bail "no $TPK_BUILD/$t (make first)"
done
tag=$(printf 's%03x' $(( ($$ + RANDOM) & 0xfff )))
tmp=$(mktemp -d)
# bench/run cleans up after itself; this is for a run killed half way.
trap '"$FIXTURES/pair" down "bp$tag" >/dev/null 2>&1; "$FIXTURES/router" down "br$tag" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

# What this run may touch, before.
stats_before=$(cat /proc/sys/kernel/bpf_stats_enabled)
ours() {
	ip netns list | grep -E "^tpkb[pr]$tag-"
	ip -o link show | grep -E ": tpkb[pr]$tag-"
	ls /sys/fs/bpf | grep -E "^tpkbench-$tag"
	bpftool prog show 2>/dev/null | grep -w pktsend_tx
}

tap_plan 20

out=$(BENCH_TAG=$tag BENCH_SECONDS=0.2 "$RUN" --quick --out "$tmp/R.md" 2>&1)
rc=$?
tap_is "$rc" 0 "bench/run --quick exits 0"
[ $rc = 0 ] || tap_diag "$out"
R=$(cat "$tmp/R.md" 2>/dev/null)
num='[0-9]+(\.[0-9]+)?'

tap_like "$R" "\| kernel \| $(uname -r) \|" "records the kernel"
tap_like "$R" "\| machine \| $(nproc) CPUs" "records the machine"
tap_like "$R" "\| \`ping -c1\` \(baseline\) \| $num \|" "start-up: ping baseline"
tap_like "$R" "\| \`tracepkt\` \(auto: [a-z]+\) \| $num \| -?$num ms \| ≤ 50 ms: [^|]+ \| $num MB \|" "start-up: tracepkt, auto backend, wall and RSS"
tap_like "$R" "\| \`tracepkt --nf-backend off\` \| $num \| -?$num ms" "start-up: tracepkt, --nf-backend off"
tap_like "$R" "\| no tracer \(baseline\) \| $num \| $num \|" "packet path: baseline"
tap_like "$R" "\(ICMP only: nothing matches\), default backend \| $num \| $num \| -?$num % \| ≤ 3 %" "packet path: nothing matches"
tap_like "$R" "\(every packet traced\), default backend \| $num \| $num \| -?$num % \| ≤ 25 %: [^|]+\| $num \| [0-9 ]+\|" "packet path: every packet traced, with the loss counter"
tap_like "$R" "Highest sustained rate with zero lost events: $num events/s" "event throughput: a rate"
tap_like "$R" "\| BPF programs [^|]+\| $num \|" "event throughput: BPF time per event"
tap_like "$R" "\| xdpblock, native XDP on veth \| $num \| $num \| $num \| $num \| $num \| $num \| 0 \|" "drop cost: xdpblock, both senders, nothing leaked"
for m in "tcdrop, tcx" "tcdrop --legacy" "nft netdev ingress drop" "iptables raw PREROUTING DROP"; do
	tap_like "$R" "\| $m[^|]* \| $num \| $num \| $num \| $num \| $num \| $num \| 0 \|" "drop cost: $m"
done
tap_like "$R" "\| 1000 \| $num \| $num \| $num \|" "blocklist scale: drop cost with 1000 rules"
tap_like "$R" "\| 1000 \| $num \| $num MB \|" "blocklist scale: load time"
err=$("$TPK_BUILD/bench/pktsend" bogus 2>&1)
tap_is "$?/$err" "2/pktsend: mode must be udp, raw, xdp or gro" "pktsend: one line and status 2 for a bad mode"

left=$(tap_settle "" ours)
tap_is "$left$(cat /proc/sys/kernel/bpf_stats_enabled)" "$stats_before" "no namespace, root link, pin or program left; bpf_stats_enabled restored"
tap_done
