# shellcheck shell=bash
# Minimal TAP producer for the integration tests, read by `prove`.
#   [tap_plan N] | tap_ok DESC CMD... | tap_is GOT WANT DESC | tap_like GOT REGEX DESC
#   tap_skip DESC REASON | tap_diag MSG | tap_bail MSG | tap_done
# TPK_BUILD points at the build folder (make check sets it).

TAP_N=0
TAP_FAILED=0
TPK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TPK_BUILD=${TPK_BUILD:-$TPK_ROOT/build}
FIXTURES=$TPK_ROOT/netns-fixtures

TAP_PLANNED=0
tap_plan() { TAP_PLANNED=1; echo "1..$1"; }
tap_diag() { local l; while IFS= read -r l; do echo "# $l"; done <<<"$*"; }
tap_pass() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1"; }
tap_fail() { TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok $TAP_N - $1"; }

tap_ok() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_pass "$desc"
	else
		tap_fail "$desc"
		tap_diag "command: $*"
		tap_diag "$out"
	fi
}

# Succeeds when CMD fails.
tap_nok() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_fail "$desc"
		tap_diag "command unexpectedly succeeded: $*"
		tap_diag "$out"
	else
		tap_pass "$desc"
	fi
}

tap_is() {
	if [ "$1" == "$2" ]; then
		tap_pass "$3"
	else
		tap_fail "$3"
		tap_diag "got:"
		tap_diag "$1"
		tap_diag "expected:"
		tap_diag "$2"
	fi
}

tap_like() {
	if [[ $1 =~ $2 ]]; then
		tap_pass "$3"
	else
		tap_fail "$3"
		tap_diag "got: $1"
		tap_diag "expected to match: $2"
	fi
}

tap_skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }
tap_bail() { echo "Bail out! $*"; exit 255; }
tap_skip_all() { echo "1..0 # SKIP $*"; exit 0; }
# Without an earlier tap_plan, the plan goes at the end (TAP allows it).
tap_done() {
	[ "$TAP_PLANNED" = 1 ] || echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

tap_require_root() { [ "$(id -u)" = 0 ] || tap_skip_all "needs root"; }

# Is stdin one JSON document? perl's JSON::PP ships with perl, which prove
# needs anyway; python may not be there.
json_valid() { perl -MJSON::PP -e 'local $/; decode_json(<STDIN>); 1' 2>/dev/null; }

# A short name unique to this test process, for fixture instances.
tap_name() { printf '%s%04x' "${1:-t}" $(( ($$ + RANDOM) & 0xffff )); }

# --- waiting for the kernel to let go -------------------------------------
# The kernel frees what a command leaves after it has exited: a BPF program
# or link after an RCU grace period or from a work queue, a namespace's
# devices from the netns clean-up work. That takes up to about 0.3 s here
# and seconds in an emulated guest. So a check that something is GONE polls
# until it is (and passes at once when it already is); a check that
# something is still THERE reads it once. TAP_SETTLE is the deadline in
# whole seconds: 10 on the host, 6 times that in the kernel matrix's guests
# (TPK_VM_KERNEL), where everything runs some 30 times slower.
TAP_SETTLE=${TAP_SETTLE:-10}
[ -n "${TPK_VM_KERNEL-}" ] && TAP_SETTLE=$((TAP_SETTLE * 6))

# tap_clock: TAP_NOW, the time since boot in hundredths of a second: a clock
# that never jumps, read without a fork (forks cost 50 ms under emulation).
tap_clock() {
	local up
	read -r up _ </proc/uptime
	TAP_NOW=$((10#${up/./}))
}

# wait_until [!] CMD...: runs CMD every 0.1 s until it succeeds (with !:
# until it fails) or TAP_SETTLE seconds have passed. Returns 0 when it got
# there; otherwise CMD's last status, and CMD's last output on stdout.
wait_until() {
	local neg=0 out rc end
	[ "${1-}" = '!' ] && { neg=1; shift; }
	tap_clock
	end=$((TAP_NOW + TAP_SETTLE * 100))
	while :; do
		out=$("$@" 2>&1)
		rc=$?
		[ $neg = 1 ] && { [ $rc = 0 ] && rc=1 || rc=0; }
		[ $rc = 0 ] && return 0
		tap_clock
		[ "$TAP_NOW" -ge "$end" ] && break
		sleep 0.1
	done
	[ -z "$out" ] || printf '%s\n' "$out"
	return $rc
}

# tap_settle WANT CMD...: runs CMD every 0.1 s until its stdout is WANT (as
# $(...) sees it) or TAP_SETTLE seconds have passed; prints the last output.
# For tap_is "$(tap_settle 0 count_things)" 0 "no thing left".
tap_settle() {
	local want=$1 got end
	shift
	tap_clock
	end=$((TAP_NOW + TAP_SETTLE * 100))
	while got=$("$@"); [ "$got" != "$want" ] && tap_clock && [ "$TAP_NOW" -lt "$end" ]; do
		sleep 0.1
	done
	printf '%s\n' "$got"
}

# bpf_ids_left KIND ID...: which of these IDs of BPF objects of KIND (prog,
# link, map) still exist, once the kernel has had TAP_SETTLE seconds to free
# them: "" when none does, else the IDs, space separated.
bpf_ids_left() { tap_settle "" bpf_ids_alive "$@"; }
# bpf_ids_alive KIND ID...: the same, read once.
bpf_ids_alive() {
	local kind=$1
	shift
	[ $# -gt 0 ] || return 0
	bpftool "$kind" show 2>/dev/null | sed -nE 's/^([0-9]+): .*/\1/p' |
		grep -xF -f <(printf '%s\n' "$@") | tr '\n' ' ' | sed 's/ $//'
}

# bpf_unheld KIND ERE: the IDs of the BPF objects of KIND (prog, link) whose
# line in `bpftool KIND show` matches ERE after "ID: ", and of which no
# process holds a file descriptor. The list is read before the holders, so
# an object loaded meanwhile by someone else is not taken for a leftover.
bpf_unheld() {
	local ids held
	ids=$(bpftool "$1" show 2>/dev/null | sed -nE "s/^([0-9]+): ($2).*/\\1/p")
	[ -n "$ids" ] || return 0
	held=$(grep -hs "^$1_id:" /proc/[0-9]*/fdinfo/* | awk '{print $2}' | sort -u)
	grep -vxF -e "${held:-none}" <<<"$ids"
}
