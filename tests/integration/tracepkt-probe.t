#!/bin/bash
# tracepkt --probe: the kernel features the tools rely on, each loaded and
# attached for real, and the backend each tool would use. On this project's
# host kernel the answers are known (fexit refused with EPERM, no kprobes);
# in the kernel matrix's guests (TPK_VM_KERNEL) fexit and kprobes work. On
# both, the answers must agree with what the tools then really do: the
# netfilter backend tracepkt picks, whether nfhook starts, whether tcdrop
# attaches with tcx.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
. "$(dirname "$(readlink -f "$0")")/../lib/tracepkt.sh"
tap_require_root
[ -x "$TRACEPKT" ] || tap_bail "no $TRACEPKT: run make first"
TCDROP=$TPK_BUILD/tcdrop

ns=$(tap_name prb)
TMP=$(mktemp -d /tmp/tpk-probe.XXXXXX)
trap 'ip netns exec "$ns" "$TCDROP" detach v0 >/dev/null 2>&1; ip netns del "$ns" 2>/dev/null; rm -rf "$TMP"' EXIT

# Probe programs no process holds (another probe may be running), but for
# those already there before this test.
probes_before=$(bpf_unheld prog '.* name probe_')
probe_progs_left() { progs_left probe_ "$probes_before"; }
# Network namespaces and root links this test made: any not there before.
netns_list() { ip netns list | awk '{print $1}' | sort; }
links_list() { ip -o link show | awk -F': ' '{print $2}' | sort; }
netns_before=$(netns_list)
links_before=$(links_list)
netns_new() { comm -13 <(echo "$netns_before") <(netns_list); }
links_new() { comm -13 <(echo "$links_before") <(links_list); }

tap_like "$("$TRACEPKT" --help 2>&1)" "--probe" "--help lists --probe"

"$TRACEPKT" --probe >"$TMP/text" 2>"$TMP/err"
tap_is "$?" 0 "--probe exits 0"
tap_is "$(cat "$TMP/err")" "" "--probe: nothing on stderr"
tap_is "$(head -n1 "$TMP/text")" "kernel $(uname -r)" "--probe names the kernel"
FEATURES=(tracepoints tp_btf ringbuf fexit kprobe netfilter_link tcx drop_reasons drop_reason_names)
declare -A yn detail use
while read -r kind name answer rest; do
	case $kind in
	feature) yn[$name]=$answer detail[$name]=$rest ;;
	backend) use[$name]=$answer ;;
	esac
done <"$TMP/text"
for f in "${FEATURES[@]}"; do
	tap_like "${yn[$f]-}" '^(yes|no)$' "feature $f: yes or no"
done
for b in tracepkt.tracepoints tracepkt.netfilter tracepkt.drops tracepkt.tcxdp tcdrop.attach xdpblock.attach; do
	tap_like "${use[$b]-}" '.' "backend $b is named"
done

"$TRACEPKT" --probe --json >"$TMP/json" 2>"$TMP/err"
tap_is "$?" 0 "--probe --json exits 0"
tap_ok "--probe --json is one JSON document" json_valid <"$TMP/json"
# The same answers in both forms: "name yes|no" per feature, "key use" per backend.
jtext=$(perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>);
	printf "%s %s\n", $_, $j->{features}{$_}{available} ? "yes" : "no" for sort keys %{$j->{features}};
	printf "%s %s\n", $_, $j->{backends}{$_}{use} for sort keys %{$j->{backends}};
	print "count $j->{features}{drop_reason_names}{count}\n"' <"$TMP/json" 2>&1 | sort)
ttext=$( { for f in "${!yn[@]}"; do echo "$f ${yn[$f]}"; done; for b in "${!use[@]}"; do echo "$b ${use[$b]}"; done; } | sort)
tap_is "$(grep -v '^count ' <<<"$jtext")" "$ttext" "--json and text give the same answers"
tap_like "$(grep '^count ' <<<"$jtext")" '^count [0-9]+$' "--json counts the drop reason names"

# --- the kernel's answers ---------------------------------------------------------
expect() { tap_is "${yn[$1]-}" "$2" "$1: $2${3:+ ($3)}"; }
# The oracles: tracefs mounted or not (tracepoint/ programs need it for the
# event's id); the kernel's BTF, which names drop reasons from 5.17 (with
# kfree_skb's reason argument); module BTF (5.11+), without which fexit
# cannot reach ipt_do_table in its module.
if mountpoint -q /sys/kernel/tracing || mountpoint -q /sys/kernel/debug/tracing; then
	expect tracepoints yes "tracefs is mounted"
else
	expect tracepoints no "tracefs is not mounted here"
	tap_like "${detail[tracepoints]-}" 'is tracefs mounted\?' "tracepoints: the reason names tracefs"
fi
expect tp_btf yes
expect ringbuf yes
if bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -c "^\[[0-9]*\] ENUM 'skb_drop_reason'" >/dev/null; then
	expect drop_reasons yes
	expect drop_reason_names yes
	tap_like "${detail[drop_reason_names]-}" '^[1-9][0-9]* in enum skb_drop_reason' "some drop reasons are named"
	tap_is "${use[tracepkt.drops]-}" yes "--drops names reasons"
else
	expect drop_reasons no "no enum skb_drop_reason in BTF"
	expect drop_reason_names no "no enum skb_drop_reason in BTF"
	tap_is "${use[tracepkt.drops]-}" noreason "--drops shows drops without a reason"
fi
mod_btf=yes
[ -e /sys/module/ip_tables/initstate ] && [ ! -e /sys/kernel/btf/ip_tables ] && mod_btf=no
if [ -n "${TPK_VM_KERNEL-}" ]; then
	if [ $mod_btf = yes ]; then
		expect fexit yes "a distribution kernel"
	else
		expect fexit no "modules have no BTF"
	fi
	expect kprobe yes "a distribution kernel"
else
	expect fexit no "this host refuses trampolines"
	tap_like "${detail[fexit]-}" 'Operation not permitted' "fexit: the reason is EPERM"
	expect kprobe no "this host has no kprobes"
	tap_like "${detail[kprobe]-}" 'no kprobe PMU' "kprobe: the reason is no kprobe PMU"
	expect netfilter_link yes "6.4+"
	expect tcx yes "6.6+"
fi
tap_is "${use[tracepkt.tracepoints]-}" tp_btf "tracepkt would attach tp_btf"

# --- the answers against what the tools do ------------------------------------------
auto=$("$TRACEPKT" -W1 127.0.0.1 2>&1 >/dev/null | sed -n 's/^tracepkt: netfilter: \([a-z]*\).*/\1/p')
[ "$auto" = no ] && auto=off
tap_is "${use[tracepkt.netfilter]-}" "$auto" "netfilter backend: what --nf-backend auto picks"
"$TRACEPKT" --nf-backend nfhook -W1 127.0.0.1 >/dev/null 2>"$TMP/err" && nfhook=yes || nfhook=no
tap_is "${yn[netfilter_link]-}" "$nfhook" "netfilter_link: $nfhook, as --nf-backend nfhook starts or not"

ip netns add "$ns" || tap_bail "cannot create namespace $ns"
ip -n "$ns" link add v0 type veth peer v1 && ip -n "$ns" link set v0 up ||
	tap_bail "cannot create a veth in $ns"
# Under ip netns exec tcdrop pins in the bpffs outside, as a user has it.
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
if ip netns exec "$ns" "$TCDROP" attach v0 >"$TMP/err" 2>&1; then
	mech=$(ip netns exec "$ns" "$TCDROP" status --json | sed -n 's/.*"mechanism":"\([a-z]*\)".*/\1/p')
	ip netns exec "$ns" "$TCDROP" detach v0 >/dev/null 2>&1
	[ "$mech" = tcx ] && tcx=yes || tcx=no
	tap_is "${yn[tcx]-}" "$tcx" "tcx: $tcx, as tcdrop attach used $mech"
	tap_is "${use[tcdrop.attach]-}" "$mech" "tcdrop backend: what tcdrop attach used"
else
	tap_fail "tcdrop attach v0 in $ns"
	tap_diag "$(cat "$TMP/err")"
fi

# --- where tracefs and bpffs are not mounted ----------------------------------------
out=$(ip netns exec "$ns" "$TRACEPKT" --probe 2>&1)
tap_is "$?" 0 "--probe under ip netns exec exits 0"
tap_like "$out" $'\nfeature tp_btf +yes ' "tp_btf works without tracefs"
tap_ok "--probe --json under ip netns exec is one JSON document" \
	bash -c 'ip netns exec "$1" "$2" --probe --json | perl -MJSON::PP -e "local \$/; decode_json(<STDIN>)"' _ "$ns" "$TRACEPKT"

# --- bad use ---------------------------------------------------------------------
out=$("$TRACEPKT" --probe 127.0.0.1 2>&1)
rc=$?
tap_is "$rc:$(wc -l <<<"$out")" "2:1" "--probe with a TARGET: exit 2, one line"
tap_like "$out" '^tracepkt: ' "--probe with a TARGET: the line names tracepkt"
out=$("$TRACEPKT" --probe --all 2>&1)
tap_is "$?" 2 "--probe with --all: exit 2"

# --- nothing left ----------------------------------------------------------------------
ip netns del "$ns"
tap_is "$(probe_progs_left)" 0 "no probe program left"
tap_is "$(tpk_progs_left)" 0 "no tracepkt program left"
tap_is "$(tap_settle "" netns_new)" "" "no network namespace left"
tap_is "$(tap_settle "" links_new)" "" "no link left"
tap_done
