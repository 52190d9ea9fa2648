#!/bin/bash
# make deb's package (scripts/mkdeb): lintian reports no error and only the
# warnings docs/packaging.md explains; its files, modes and Depends; then,
# in a fresh Debian 12 minbase root (tests/root/debian-root) whose apt knows
# only the stock suites: apt-get install pulls its dependencies, the tools
# run on the host kernel (tracepkt traces a ping, progdump compiles a pcap
# filter with bookworm's libpcap), man and bash-completion find their files,
# and remove and purge leave none of them behind.
#
# Builds the package into its own temporary folder (mkdeb: an incremental
# LIBBPF_STATIC=1 build in build-deb/), or tests TPK_DEB=path/to.deb.
# Leaves no root, mount or BPF program behind.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/../lib/tracepkt.sh"

tap_require_root
for c in dpkg-deb dpkg-shlibdeps readelf; do
	command -v "$c" >/dev/null || tap_skip_all "no $c (bash scripts/install-deps installs it)"
done

VERSION=$(sed -n 's/^VERSION *?= *//p' "$TPK_ROOT/Makefile")
ARCH=$(dpkg --print-architecture)
TOOLS=$(cd "$TPK_ROOT" && for m in */main.c; do echo "${m%/main.c}"; done)
# One object per bpf/*.bpf.c, but tracepkt_nf's programs, which the static
# linker puts into tracepkt.bpf.o (see the Makefile).
BPFS=$(cd "$TPK_ROOT/bpf" && for b in *.bpf.c; do [ "$b" = tracepkt_nf.bpf.c ] || echo "${b%.c}.o"; done)
DR=$TPK_ROOT/tests/root/debian-root

TMP=$(mktemp -d /tmp/tpk-deb.$$.XXXXXX)
ROOTFS=
cleanup() {
	[ -z "$ROOTFS" ] || "$DR" remove "$ROOTFS" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
progs_before=$(tpk_progs_left)

# --- the package ---------------------------------------------------------------
if [ -n "${TPK_DEB:-}" ]; then
	DEB=$TPK_DEB
	tap_ok "TPK_DEB=$DEB exists" test -f "$DEB"
else
	# A new user's machine may name no maintainer (DEBFULLNAME and DEBEMAIL, or
	# git's user.name and user.email): then the test names one.
	mk=()
	if { [ -z "${DEBFULLNAME:-}" ] || [ -z "${DEBEMAIL:-}" ]; } &&
	   ! { git -C "$TPK_ROOT" config user.name && git -C "$TPK_ROOT" config user.email; } >/dev/null 2>&1; then
		mk=(--maintainer "tracepkt tests <tests@tracepkt.example>")
	fi
	if DEB=$("$TPK_ROOT/scripts/mkdeb" --out "$TMP" "${mk[@]}" 2>"$TMP/mkdeb.log"); then
		tap_pass "scripts/mkdeb builds the package"
	else
		tap_fail "scripts/mkdeb builds the package"
		tap_diag "$(tail -n 30 "$TMP/mkdeb.log")"
		tap_bail "no package to test"
	fi
fi
tap_is "${DEB##*/}" "tracepkt_${VERSION}-1_$ARCH.deb" "named tracepkt_VERSION-1_ARCH.deb, VERSION from the Makefile"
field() { dpkg-deb -f "$DEB" "$1"; }
tap_is "$(field Package) $(field Version) $(field Architecture)" "tracepkt $VERSION-1 $ARCH" \
	"control: Package, Version, Architecture"

# --- lintian ---------------------------------------------------------------------
if command -v lintian >/dev/null; then
	lint=$(lintian --tag-display-limit 0 "$DEB" 2>&1)
	tap_is "$(grep '^E:' <<<"$lint")" "" "lintian: no error"
	# Each warning left is one the "Debian package" section of
	# docs/packaging.md explains (up to the next "## " heading).
	readme=$(sed -n '/^## Debian package/,/^## /p' "$TPK_ROOT/docs/packaging.md")
	unexplained=
	for tag in $(sed -nE 's/^W: [^ ]+: ([a-z0-9-]+).*/\1/p' <<<"$lint" | sort -u); do
		grep -q "\`$tag" <<<"$readme" || unexplained+=" $tag"
	done
	tap_is "$unexplained" "" "docs/packaging.md's Debian package section explains every lintian warning"
	tap_diag "$lint"
else
	tap_skip "lintian: no error" "no lintian (bash scripts/install-deps installs it)"
fi

# --- contents ----------------------------------------------------------------------
contents=$(dpkg-deb -c "$DEB")
# "MODE OWNER PATH" of everything but folders, sorted.
got=$(awk '$1 !~ /^d/ { print $1, $2, $6 }' <<<"$contents" | sort -k3)
want=$({
	for t in $TOOLS; do
		echo "-rwxr-xr-x root/root ./usr/sbin/$t"
		echo "-rw-r--r-- root/root ./usr/share/man/man8/$t.8.gz"
		if [ "$t" = tracepkt ]; then
			echo "-rw-r--r-- root/root ./usr/share/bash-completion/completions/tracepkt"
		else
			echo "lrwxrwxrwx root/root ./usr/share/bash-completion/completions/$t"
		fi
	done
	for b in $BPFS; do echo "-rw-r--r-- root/root ./usr/lib/tracepkt/bpf/$b"; done
	for f in copyright changelog.Debian.gz; do echo "-rw-r--r-- root/root ./usr/share/doc/tracepkt/$f"; done
	echo "-rw-r--r-- root/root ./usr/share/lintian/overrides/tracepkt"
} | sort -k3)
tap_is "$got" "$want" "dpkg-deb -c: every file, its mode and owner"
tap_is "$(awk '$1 ~ /^d/ && ($1 != "drwxr-xr-x" || $2 != "root/root")' <<<"$contents")" "" \
	"folders 0755 root/root"

dpkg-deb -x "$DEB" "$TMP/x"
bad=
for t in $TOOLS; do
	f=$TMP/x/usr/sbin/$t
	readelf -d "$f" | grep -q 'NEEDED.*libbpf' && bad+=" $t:links-libbpf.so"
	readelf -S "$f" | grep -q '\.debug_' && bad+=" $t:not-stripped"
	readelf -d "$f" | grep -q BIND_NOW || bad+=" $t:no-bindnow"
done
tap_is "$bad" "" "binaries: libbpf linked in, stripped, hardened (bindnow)"
bad=
for m in "$TMP"/x/usr/share/man/man8/*.gz; do
	# gzip -n: no file name (FLG bit 3) and no time stamp (MTIME) in the header.
	hdr=$(od -An -tx1 -N8 "$m" | tr -d ' \n')
	[ "${hdr:0:6}" = 1f8b08 ] && [ $((0x${hdr:6:2} & 8)) = 0 ] && [ "${hdr:8:8}" = 00000000 ] ||
		bad+=" ${m##*/}"
done
tap_is "$bad" "" "man pages gzipped without name or time stamp (gzip -n)"
tap_like "$(head -n 1 "$TMP/x/usr/share/doc/tracepkt/copyright")" \
	'^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/$' "copyright is DEP-5"
tap_like "$(sed -n '/^Files: \*$/,/^$/p' "$TMP/x/usr/share/doc/tracepkt/copyright")" \
	$'\nLicense: GPL-2\n' "copyright: the tools are GPL-2 (their SPDX GPL-2.0)"
tap_like "$(zcat "$TMP/x/usr/share/doc/tracepkt/changelog.Debian.gz" | head -n 1)" \
	"^tracepkt \\($VERSION-1\\) " "changelog.Debian.gz names the version"

# Depends: the packages of exactly the libraries the binaries need, found
# on this host (dpkg -S), each with a version.
depends=$(field Depends)
libs=$(for t in $TOOLS; do readelf -d "$TMP/x/usr/sbin/$t"; done |
	sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | sort -u)
# (With merged /usr, dpkg may know a library by its /lib or its /usr/lib path.)
want_pkgs=$(for l in $libs; do
	p=$(ldconfig -p | awk -v l="$l" '$1 == l { print $NF; exit }')
	r=$(readlink -f "$p")
	for f in "$p" "$r" "${r#/usr}" "/usr${p#/usr}"; do
		dpkg -S "$f" 2>/dev/null && break
	done | sed 's/[:,].*//' | head -n 1
done | sort -u | tr '\n' ' ')
got_pkgs=$(tr ',' '\n' <<<"$depends" | sed -E 's/^ *([^ (]+).*/\1/' | sort -u | tr '\n' ' ')
tap_is "$got_pkgs" "$want_pkgs" "Depends names the packages of the libraries linked ($(tr '\n' ' ' <<<"$libs"))"
tap_like "$depends" '^([a-z0-9.+-]+ \(>= [^)]+\)(, |$))+$' "Depends: each with its minimum version"
tap_diag "Depends: $depends"

# --- a fresh Debian 12 -----------------------------------------------------------------
# skip_root REASON: the rest of the test cannot run; says why.
skip_root() {
	tap_skip "install, run, remove in a fresh Debian 12 root" "$1"
	[ "$(tpk_progs_left)" = "$progs_before" ] || tap_fail "no tracepkt BPF program left"
	tap_done
	exit
}
in_root() { "$DR" run "$ROOTFS" -- "$@" </dev/null; }
NET_TROUBLE='Could not resolve|Temporary failure resolving|Failed to fetch|Could not connect|Unable to connect|Network is unreachable|Couldn.t download|Failed getting release file'

[ -x "$DR" ] || { tap_fail "tests/root/debian-root exists"; tap_done; exit; }
command -v debootstrap >/dev/null || skip_root "no debootstrap (bash scripts/install-deps installs it)"
ROOTFS=$(mktemp -d /var/tmp/tpk-deb-root.$$.XXXXXX)
if ! out=$("$DR" make "$ROOTFS" 2>&1); then
	if grep -qE "$NET_TROUBLE" <<<"$out$(cat /var/cache/tracepkt-root/debootstrap-failed.log 2>/dev/null)"; then
		skip_root "no network: debootstrap could not reach the Debian mirror"
	fi
	tap_fail "debian-root make: a fresh Debian 12 root"
	tap_diag "$out"
	tap_bail "no root to install into"
fi
tap_pass "debian-root make: a fresh Debian 12 root"
tap_is "$(cut -d. -f1 "$ROOTFS/etc/debian_version")" 12 "the root is Debian 12"
tap_is "$(grep -rhoE '(^|[[:space:]])bookworm-[a-z]+' "$ROOTFS/etc/apt/" | tr -d ' \t' | sort -u | tr '\n' ' ')" \
	"bookworm-security bookworm-updates " "its apt knows the stock suites only (no backports)"

if ! out=$(in_root apt-get update 2>&1) || grep -qE '^(W|E): ' <<<"$out"; then
	grep -qE "$NET_TROUBLE" <<<"$out" && skip_root "no network: apt-get update in the root cannot reach the mirror"
	tap_fail "apt-get update in the root"
	tap_diag "$out"
else
	tap_pass "apt-get update in the root"
fi
# What a user's machine has besides minbase, to find the man pages and the
# completion with.
tap_ok "apt-get install man-db bash-completion in the root" \
	in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends man-db bash-completion

cp "$DEB" "$ROOTFS/root/"
out=$(in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/root/${DEB##*/}" 2>&1)
rc=$?
tap_is "$rc" 0 "apt-get install ./${DEB##*/}: its dependencies from the stock suites"
[ "$rc" = 0 ] || tap_diag "$out"
tap_diag "$(grep -E '^(Unpacking|Setting up) ' <<<"$out")"
tap_is "$(in_root dpkg-query -W -f='${db:Status-Abbrev}${Version}' tracepkt)" "ii $VERSION-1" "tracepkt installed"
tap_is "$(in_root dpkg-query -W -f='${Package} ${Version}\n' | grep -E '~bpo|backports')" "" \
	"no package from backports in the root"
tap_like "$(in_root dpkg-query -W -f='${db:Status-Abbrev}\n' iputils-ping 2>&1)" '^ii' \
	"Recommends: iputils-ping installed with it (tracepkt runs ping)"

ver=$(in_root tracepkt --version 2>&1)
tap_is "$(sed -n 1p <<<"$ver")" "tracepkt $VERSION" "tracepkt --version in the root"
tap_like "$(sed -n 2p <<<"$ver")" '^libbpf v?1\.[4-9]' "tracepkt --version: the libbpf linked in (1.4+), not bookworm's 1.1"

out=$(in_root timeout 60 tracepkt 127.0.0.1 2>"$TMP/tracepkt.err")
rc=$?
tap_is "$rc" 0 "tracepkt 127.0.0.1 in the root: exit status 0 (ping's)"
tap_is "$(sed -n 1p <<<"$out")" "$(py_header)" "tracepkt 127.0.0.1: the header"
tap_like "$out" $'\n\\[ *[0-9]+\\] +lo +request 127\\.0\\.0\\.1 -> 127\\.0\\.0\\.1' "tracepkt 127.0.0.1: the request on lo"
tap_like "$out" $'\n\\[ *[0-9]+\\] +lo +reply 127\\.0\\.0\\.1 -> 127\\.0\\.0\\.1' "tracepkt 127.0.0.1: the reply on lo"
[ "$rc" = 0 ] || tap_diag "$out"
tap_diag "tracepkt's standard error: $(cat "$TMP/tracepkt.err")"

for t in $TOOLS; do
	tap_like "$(in_root "$t" --help 2>&1)" "^Usage: $t " "$t --help in the root"
done
tap_like "$(in_root progdump cbpf 'ip and udp port 53' 2>&1)" '^\(000\) ' \
	"progdump cbpf: a pcap filter through bookworm's libpcap"
tap_is "$(in_root man -w tracepkt 2>&1)" "/usr/share/man/man8/tracepkt.8.gz" "man -w tracepkt"
tap_like "$(in_root env MANWIDTH=80 MANPAGER=cat man tracepkt 2>&1)" $'\nNAME\n +tracepkt ' "man tracepkt renders"
tap_is "$(in_root bash -c '. /usr/share/bash-completion/bash_completion >/dev/null 2>&1
	__load_completion tcdrop && complete -p tcdrop' 2>&1)" \
	"complete -F _tpk_tcdrop tcdrop" "bash-completion loads tcdrop's completion on demand"

# --- remove and purge ----------------------------------------------------------------
listed=$(in_root dpkg -L tracepkt)
printf '%s\n' "$listed" >"$ROOTFS/root/tracepkt.list"
tap_like "$listed" $'\n/usr/sbin/tracepkt\n' "dpkg -L tracepkt lists the files"
tap_ok "apt-get remove -y tracepkt" in_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q tracepkt
# No conffiles: remove leaves nothing for apt-get purge to know the package
# by, so dpkg --purge (a no-op then, but not if it ever has any).
tap_ok "dpkg --purge tracepkt" in_root dpkg --purge tracepkt
tap_like "$(in_root dpkg-query -W -f='${db:Status-Abbrev}' tracepkt 2>&1)" '^(un|dpkg-query: no packages found)' \
	"tracepkt no longer known to dpkg"
# What dpkg -L listed is gone, but folders other packages own (/usr/sbin).
left=$(in_root bash -c 'while read -r p; do
	[ "$p" != /. ] || continue
	[ -e "$p" ] || [ -L "$p" ] || continue
	[ -d "$p" ] && [ ! -L "$p" ] && dpkg -S "$p" >/dev/null 2>&1 && continue
	echo "$p"
done </root/tracepkt.list' 2>&1)
tap_is "$left" "" "every file the package installed is gone"

# --- clean up ----------------------------------------------------------------------------
tap_ok "debian-root remove" "$DR" remove "$ROOTFS"
tap_is "$(findmnt -rn -o TARGET | grep -F "$ROOTFS")" "" "nothing mounted under the root"
tap_ok "the root is gone" test ! -e "$ROOTFS"
ROOTFS=
left=$(tpk_progs_left)
for _ in $(seq 50); do
	[ "$left" = "$progs_before" ] && break
	sleep 0.2
	left=$(tpk_progs_left)
done
tap_is "$left" "$progs_before" "no tracepkt BPF program left"
tap_done
