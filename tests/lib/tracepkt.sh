# shellcheck shell=bash
# Helpers for the tracepkt integration tests: the Python tool's own format
# strings, so expected lines are built exactly as tracepkt.py printed them.

TRACEPKT=$TPK_BUILD/tracepkt

# "%14s %16s %7s %-34s %s" % ('NETWORK NS', 'INTERFACE', 'TYPE', 'ADDRESSES', 'IPTABLES')
py_header() { printf '%14s %16s %7s %-34s %s\n' 'NETWORK NS' 'INTERFACE' 'TYPE' 'ADDRESSES' 'IPTABLES'; }

# py_line NETNS IFNAME TYPE SADDR DADDR [TABLE HOOK VERDICT]
# "[%12s] %16s %7s %-34s%s" with " %7s.%-12s:%s" for the iptables part.
py_line() {
	local ipt=""
	[ $# -ge 8 ] && ipt=$(printf ' %7s.%-12s:%s' "$6" "$7" "$8")
	printf '[%12s] %16s %7s %-34s%s\n' "$1" "$2" "$3" "$4 -> $5" "$ipt"
}

# echo_trip SRC DST INODE:IFNAME...: the request's lines through those hops,
# then the reply's back through them in reverse.
echo_trip() {
	local src=$1 dst=$2 i
	shift 2
	local hops=("$@")
	for ((i = 0; i < ${#hops[@]}; i++)); do
		py_line "${hops[i]%%:*}" "${hops[i]#*:}" request "$src" "$dst"
	done
	for ((i = ${#hops[@]} - 1; i >= 0; i--)); do
		py_line "${hops[i]%%:*}" "${hops[i]#*:}" reply "$dst" "$src"
	done
}

# The programs tracepkt loads are named after their tracepoints; none may
# outlive a run. Count those no process holds: another tracepkt running on
# the machine (a benchmark, a developer) keeps its own.
tpk_progs_left() {
	progs_left '(btf|raw)_(netif|net_dev|napi|kfree|consume)|(nf_first|nf_next|nf_pos|fexit_|kp_|krp_)'
}
# progs_left NAME_REGEX [IDS]: how many loaded programs whose names start
# with a match no process holds, leaving out IDS (a list taken before, one
# per line). The kernel frees a program some time after its last holder
# exits: this waits up to TAP_SETTLE seconds for the count to reach 0.
progs_left() { tap_settle 0 progs_unheld_count "$@"; }
progs_unheld_count() {
	bpf_unheld prog ".* name ($1)" | grep -cvxF -e "${2:-none}"
}
# links_left TYPE_REGEX: how many BPF links of that type no process holds
# (pinned ones included), after up to TAP_SETTLE seconds for them to go.
links_left() { tap_settle 0 links_unheld_count "$@"; }
links_unheld_count() { bpf_unheld link "($1) " | grep -c .; }

# fixture_up KIND NAME: eval its keys into this shell, tear down on exit.
TPK_FIXTURES_UP=()
TPK_FIXTURES_ALL=()
fixture_up() {
	local out
	out=$("$FIXTURES/$1" up "$2") || tap_bail "fixture $1 $2 failed to come up"
	eval "$out"
	TPK_FIXTURES_UP+=("$1:$2")
	TPK_FIXTURES_ALL+=("$1:$2")
}
# prime [ip netns exec NS] TARGET: one untraced ping, so that the traced one
# finds the neighbours on its way resolved. tracepkt learns the ping's ICMP
# id where the echo request leaves in ping's own context; a request that
# waited for ARP or NDP leaves later, from whatever context the answer was
# received in (ping's, when the softirq runs on its way out of the kernel, as
# on a busy host; another, often, in a one-CPU guest): its id is then never
# learned and the trace is empty. A known limit of the tracer; the tests
# must not depend on where that softirq runs.
prime() {
	local pre=()
	while [ $# -gt 1 ]; do pre+=("$1"); shift; done
	"${pre[@]}" ping -c1 -W1 "$1" >/dev/null 2>&1
}
# No namespace of the fixtures this test brought up is left (waits up to
# TAP_SETTLE seconds for the count to reach 0).
fixtures_left() { tap_settle 0 fixtures_counted; }
fixtures_counted() {
	local f n=0
	for f in "${TPK_FIXTURES_ALL[@]}"; do
		n=$((n + $(ip netns list | grep -c "^tpk${f#*:}-")))
	done
	echo $n
}
fixtures_down() {
	local f
	for f in "${TPK_FIXTURES_UP[@]}"; do
		"$FIXTURES/${f%%:*}" down "${f#*:}" >/dev/null 2>&1
	done
}

# scratch NAME: TMP, a folder of the test's own; at exit it goes, with the
# test's background jobs (tracers) and the fixtures it brought up.
scratch() {
	TMP=$(mktemp -d "/tmp/$1.XXXXXX")
	trap 'jobs -p | xargs -r kill 2>/dev/null; fixtures_down; rm -rf "$TMP"' EXIT
}

# tracer_ready PID: wait until the tracepkt running as PID traces, up to 60 s
# (emulated kernels take seconds to load and attach). tracepkt opens its ring
# buffer's epoll only after every program is attached, so that fd is the
# sign; a fixed sleep is not (the packets would go out before the attach).
tracer_ready() {
	local i
	for ((i = 0; i < 600; i++)); do
		# One process per look: forks cost 50 ms each under emulation.
		[ -n "$(find /proc/"$1"/fd -lname 'anon_inode:\[eventpoll\]' -print -quit 2>/dev/null)" ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
