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
