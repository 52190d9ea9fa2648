# shellcheck shell=bash
# Apt helpers shared by scripts/install-deps and tests/root/debian-root.
# Source it; it defines functions only. Each reads the machine's own apt
# sources (deb822 *.sources first, then one-line *.list), so no host name is
# ever written into the project.

# The first Debian mirror URI (ending in /debian) the machine's sources name.
mirror_uri() {
	local f u
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		u=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' "$f")
		[ -n "$u" ] && { echo "$u"; return; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -e "$f" ] || continue
		u=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\/.*\/debian\/?$/) { print $i; exit } }' "$f")
		[ -n "$u" ] && { echo "$u"; return; }
	done
}

# The Debian security archive URI (ending in /debian-security) the machine's
# sources name; else the mirror's URI with "-security" appended, the layout
# deb.debian.org and most mirrors use. Empty when there is no mirror either.
security_uri() {
	local f u
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		u=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) if ($i ~ /\/debian-security\/?$/) { print $i; exit } }' "$f")
		[ -n "$u" ] && { echo "$u"; return; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -e "$f" ] || continue
		u=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\/.*\/debian-security\/?$/) { print $i; exit } }' "$f")
		[ -n "$u" ] && { echo "$u"; return; }
	done
	u=$(mirror_uri)
	[ -n "$u" ] && echo "${u%/}-security"
}
