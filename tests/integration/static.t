#!/bin/bash
# make STATIC=1: the binaries in build-static/ (TPK_STATIC_BUILD) are static
# executables that need nothing from the system they run on: no loader, no
# shared library. Each runs --version in a chroot holding only itself.
# Built here when make check has not (SKIP_MATRIX=1). The kernel matrix runs
# the rest of the suite with these binaries in its guests (make check-matrix).
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root

SB=${TPK_STATIC_BUILD:-$TPK_ROOT/build-static}
# make check builds it first, but not with SKIP_MATRIX=1: then build it here
# with the matrix step's own command, into the same folder.
if [ ! -x "$SB/tracepkt" ] && [ -z "${TPK_STATIC_BUILD:-}" ]; then
	out=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -s -j2 -C "$TPK_ROOT" STATIC=1 SANITIZE=0 BUILD=build-static all 2>&1) ||
		tap_bail "make STATIC=1 failed: $(tail -n 20 <<<"$out")"
fi
[ -x "$SB/tracepkt" ] || tap_skip_all "no static build in $SB (make STATIC=1)"
command -v readelf >/dev/null || tap_skip_all "no readelf (binutils)"

TMP=$(mktemp -d /tmp/tpk-static.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
VERSION=$(sed -n 's/^VERSION *?= *//p' "$TPK_ROOT/Makefile")

for t in tracepkt tcdrop xdpblock progdump; do
	bin=$SB/$t
	if [ ! -x "$bin" ]; then
		tap_fail "$t: built"
		continue
	fi
	tap_is "$(readelf -lW "$bin" | grep -c 'INTERP')" 0 "$t: no program interpreter"
	tap_is "$(readelf -dW "$bin" 2>/dev/null | grep -c '(NEEDED)')" 0 "$t: no shared library needed"
	rm -rf "$TMP/root" && mkdir -p "$TMP/root" && cp "$bin" "$TMP/root/$t"
	out=$(chroot "$TMP/root" "/$t" --version 2>&1)
	tap_is "$?" 0 "$t --version in an empty chroot"
	tap_is "$(head -n1 <<<"$out")" "$t $VERSION" "$t --version names the tool and version"
	if grep -q '^build:' <<<"$out"; then
		tap_like "$(grep '^build:' <<<"$out")" 'static=yes' "$t --version says static=yes"
	fi
done

# Name resolution without NSS modules: progdump's pcap filters look names up
# with static glibc's built-in files backend.
out=$("$SB/progdump" cbpf 'host localhost and port http' 2>&1)
tap_is "$?" 0 "static progdump resolves host and port names in a filter"
tap_like "$out" '0x7f000001' "localhost is 127.0.0.1"
tap_done
