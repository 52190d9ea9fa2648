#!/bin/bash
# progdump's printers under valgrind: the unit tests' random instructions
# and programs, a pcap filter, and a listing of whatever is loaded.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"

command -v valgrind >/dev/null || tap_skip_all "valgrind not installed"
# ASan builds and valgrind do not mix; make check SANITIZE=1 covers these.
[ -n "${TPK_SANITIZE:-}" ] && tap_skip_all "sanitizer build"
PD=$TPK_BUILD/progdump
[ -x "$PD" ] || tap_bail "no $PD; run make"

vg() { valgrind -q --error-exitcode=9 "$@" >/dev/null; }

for t in progdump_insn progdump_dump; do
	if [ -x "$TPK_BUILD/tests/$t" ]; then
		tap_ok "$t under valgrind" vg "$TPK_BUILD/tests/$t"
	else
		tap_skip "$t under valgrind" "not built"
	fi
done
tap_ok "cbpf under valgrind" vg "$PD" cbpf 'vlan 100 and (tcp[tcpflags] & tcp-syn != 0 or ip6)'
if [ "$(id -u)" = 0 ]; then
	# Buffers the kernel fills look uninitialised to valgrind: check
	# addressing only.
	tap_ok "list --pretty -f under valgrind" vg --undef-value-errors=no "$PD" -f --pretty list
else
	tap_skip "list under valgrind" "needs root"
fi
tap_done
