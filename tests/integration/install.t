#!/bin/bash
# make install / uninstall into a scratch DESTDIR: the four binaries, their
# man pages (render cleanly, document every long option --help lists), the
# bash completion (subcommands, options, option values, the on-demand loader
# of bash-completion), --version and --help of each tool. Installs nothing
# outside its own temporary folder; rebuilds nothing (make -o all).
source "$(dirname "$0")/../lib/tap.sh"

TOOLS="tracepkt tcdrop xdpblock progdump"
VERSION=$(sed -n 's/^VERSION *?= *//p' "$TPK_ROOT/Makefile")
for t in $TOOLS; do
	[ -x "$TPK_BUILD/$t" ] || tap_skip_all "$TPK_BUILD/$t not built"
done
command -v make >/dev/null || tap_skip_all "no make"

TMP=$(mktemp -d /tmp/tpk-install.$$.XXXXXX)
NS=tpkinst$$
cleanup() {
	[ "$(id -u)" = 0 ] && ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

PFX=$TMP/usr/local
MAKE=(make -s -C "$TPK_ROOT" -o all BUILD="$TPK_BUILD" DESTDIR="$TMP" PREFIX=/usr/local)

tap_ok "make install DESTDIR=... PREFIX=/usr/local" "${MAKE[@]}" install

# --- binaries, --version, --help -------------------------------------------
for t in $TOOLS; do
	tap_ok "$t installed in sbin" test -x "$PFX/sbin/$t"
	ver=$("$PFX/sbin/$t" --version 2>&1)
	tap_is "$(sed -n 1p <<<"$ver")" "$t $VERSION" "$t --version: tool and project version"
	tap_like "$(sed -n 2p <<<"$ver")" '^libbpf v?[0-9]+\.[0-9]+' "$t --version: libbpf version"
	tap_like "$(sed -n 3p <<<"$ver")" '^build: static=(yes|no) sanitize=(yes|no)$' "$t --version: build options"
	help=$("$PFX/sbin/$t" --help 2>&1)
	tap_like "$help" $'\nExamples:\n  [^\n]*'"$t " "$t --help: Examples section with $t command lines"
done

# --- man pages ---------------------------------------------------------------
MAN=$PFX/share/man/man8
# Long options in --help's option list (2-6 spaces of indent: wrapped
# descriptions are indented further).
long_opts() { "$1" --help | sed -nE 's/^ {2,6}(-., )?(--[a-z][a-z0-9-]*).*/\2/p' | sort -u; }

for t in $TOOLS; do
	page=$MAN/$t.8
	tap_ok "$t.8 installed" test -f "$page"
	out=$(MANWIDTH=80 MANPAGER=cat man --warnings -l "$page" 2>"$TMP/man.err")
	tap_is "$(cat "$TMP/man.err")" "" "$t.8: man -l renders without warnings"
	if command -v groff >/dev/null; then
		tap_is "$(groff -man -ww -z "$page" 2>&1)" "" "$t.8: groff -man -ww is clean"
	else
		tap_skip "$t.8: groff -man -ww is clean" "no groff"
	fi
	missing=
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" FILES EXAMPLES "SEE ALSO"; do
		grep -q "^$s\$" <<<"$out" || missing+=" $s"
	done
	tap_is "$missing" "" "$t.8: NAME, SYNOPSIS, ... EXAMPLES, SEE ALSO sections"
	tap_like "$(sed -n 1p "$page"; grep '^\.TH' "$page")" "\"tracepkt $VERSION\"" "$t.8: installed page names version $VERSION"
	# In the roff source, with \- as -, so that hyphenation cannot hide one.
	src=$(sed 's/\\-/-/g' "$page")
	missing=
	for o in $(long_opts "$PFX/sbin/$t"); do
		grep -qE -- "(^|[^a-z0-9-])$o([^a-z0-9-]|$)" <<<"$src" || missing+=" $o"
	done
	tap_is "$missing" "" "$t.8 documents every long option of $t --help"
done
tap_is "$(MANPATH=$PFX/share/man man -w tracepkt 2>&1)" "$MAN/tracepkt.8" "man finds tracepkt in PREFIX/share/man"

# --- bash completion -----------------------------------------------------------
COMP=$PFX/share/bash-completion/completions
for t in $TOOLS; do
	tap_ok "completion installed as completions/$t" test -f "$COMP/$t"
done

# complete TOOL WORD... : the completions bash would offer for the last WORD,
# from the installed file named TOOL, one per line.
complete_words() {
	local tool=$1
	shift
	bash --norc --noprofile -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMPREPLY=()
		f=$(complete -p "$1" | sed -E "s/.* -F ([^ ]+) .*/\1/")
		"$f" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$COMP/$tool" "$@"
}
cw() { complete_words "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }

tap_is "$(cw xdpblock xdpblock '')" "add attach detach flush list remove status" "xdpblock <TAB>: commands"
tap_is "$(cw tcdrop tcdrop '')" "attach detach status" "tcdrop <TAB>: commands"
tap_is "$(cw progdump progdump '')" "cbpf dump list show" "progdump <TAB>: commands"
tap_is "$(cw tracepkt tracepkt --nf-)" "--nf-backend" "tracepkt --nf-<TAB>: --nf-backend"
tap_is "$(cw tracepkt tracepkt --nf-backend '')" "auto fexit kprobe nfhook off" "tracepkt --nf-backend <TAB>: backends"
tap_is "$(cw tracepkt tracepkt --nf-backend = k)" "kprobe" "tracepkt --nf-backend=k<TAB>: kprobe"
tap_is "$(cw tracepkt tracepkt --points +net_dev_)" "+net_dev_queue +net_dev_start_xmit +net_dev_xmit" \
	"tracepkt --points +net_dev_<TAB>: tracepoints with the + kept"
tap_like " $(cw tcdrop tcdrop attach '') " " lo " "tcdrop attach <TAB>: devices"
tap_like " $(cw xdpblock xdpblock --mode skb detach '') " " lo " "xdpblock --mode skb detach <TAB>: devices after an option"
tap_is "$(cw xdpblock xdpblock attach --mode '')" "native skb" "xdpblock attach --mode <TAB>: modes"
tap_is "$(cw xdpblock xdpblock list -)" "--json --verbose -j -v" "xdpblock list -<TAB>: list's options"
touch "$TMP/rules-a.txt" "$TMP/rules-b.txt"
tap_is "$(cw xdpblock xdpblock add --file "$TMP/rules-")" "$TMP/rules-a.txt $TMP/rules-b.txt" "xdpblock add --file <TAB>: files"
tap_is "$(cw progdump progdump dump xlated id 7 '')" "linum opcodes visual" "progdump dump xlated id 7 <TAB>: modifiers"
tap_is "$(cw progdump progdump -y LINUX_S)" "LINUX_SLL LINUX_SLL2" "progdump -y LINUX_S<TAB>: link types"
if [ "$(id -u)" = 0 ] && ip netns add "$NS" 2>/dev/null; then
	tap_is "$(cw tracepkt tracepkt --netns "$NS")" "$NS" "tracepkt --netns <TAB>: ip netns names"
	ip netns del "$NS"
else
	tap_skip "tracepkt --netns <TAB>: ip netns names" "needs root to make a netns"
fi
for t in $TOOLS; do
	missing=
	offered=" $(cw "$t" "$t" -) "
	for o in $(long_opts "$PFX/sbin/$t"); do
		[[ $offered == *" $o "* ]] || missing+=" $o"
	done
	tap_is "$missing" "" "$t -<TAB> offers every long option of $t --help"
done

BC=/usr/share/bash-completion/bash_completion
if [ -r "$BC" ]; then
	for t in $TOOLS; do
		got=$(XDG_DATA_DIRS=$PFX/share BASH_COMPLETION_USER_DIR=$TMP/none bash --norc --noprofile -c '
			. "$1" >/dev/null 2>&1
			__load_completion "$2" && complete -p "$2"' _ "$BC" "$t")
		tap_is "$got" "complete -F _tpk_$t $t" "bash-completion loads $t's completion on demand"
	done
else
	tap_skip "bash-completion's loader finds the installed files" "no bash-completion package"
fi

# --- uninstall ----------------------------------------------------------------
tap_ok "make uninstall" "${MAKE[@]}" uninstall
tap_is "$(cd "$TMP" && find . ! -type d ! -name 'rules-*.txt' ! -name man.err | sort)" "" "uninstall leaves no file behind"

# Other tests may add and remove namespaces meanwhile: look for ours only.
our_ns() { ip netns list 2>/dev/null | grep "^$NS\b"; }
tap_is "$(tap_settle "" our_ns)" "" "no namespace of this test left"
tap_done
