# shellcheck shell=bash
# Apt helpers shared by scripts/install-deps, tests/root/debian-root and
# tests/vm/run. Source it; it defines functions only. Each reads the
# machine's own apt sources (deb822 *.sources first, then one-line *.list),
# so no host name is ever written into the project.

# sources_uri PATH: the first URI the machine's sources name that ends in
# /PATH (debian, debian-security).
sources_uri() {
	local f u
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		u=$(awk -v p="/$1/?\$" 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) if ($i ~ p) { print $i; exit } }' "$f")
		[ -n "$u" ] && { echo "$u"; return; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -e "$f" ] || continue
		u=$(awk -v p="^[a-z+]+://.*/$1/?\$" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ p) { print $i; exit } }' "$f")
		[ -n "$u" ] && { echo "$u"; return; }
	done
}

# The first Debian mirror URI (ending in /debian) the machine's sources name.
mirror_uri() { sources_uri debian; }

# The Debian security archive URI (ending in /debian-security) the machine's
# sources name; else the mirror's URI with "-security" appended, the layout
# deb.debian.org and most mirrors use. Empty when there is no mirror either.
security_uri() {
	local u
	u=$(sources_uri debian-security)
	[ -n "$u" ] || { u=$(mirror_uri); [ -z "$u" ] || u=${u%/}-security; }
	[ -z "$u" ] || echo "$u"
}
