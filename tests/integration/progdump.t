#!/bin/bash
# progdump against bpftool 7.5 on the same programs, byte for byte: the test
# corpus (tests/progdump-corpus: C programs built here with clang, and
# hand-assembled cpu-v4 programs), every BPF object the project builds, and
# tracepkt's programs while it runs. Compared per program ID, since other
# tests load and unload programs on this machine at the same time.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root

PD=$TPK_BUILD/progdump
CORPUS=$TPK_ROOT/tests/progdump-corpus
command -v bpftool >/dev/null || tap_skip_all "bpftool not installed"
[ -x "$PD" ] || tap_bail "no $PD; run make"
[ -r "$TPK_ROOT/vmlinux/vmlinux.h" ] || tap_bail "no vmlinux/vmlinux.h; run make"

PIN=/sys/fs/bpf/progdump-test-$$
TMP=$(mktemp -d /tmp/progdump-test.XXXXXX)
NS=progdump-test-$$
BG=
cleanup() {
	[ -n "$BG" ] && kill "$BG" 2>/dev/null && wait "$BG" 2>/dev/null
	rm -rf "$PIN" "$TMP"
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT


# Build the corpus.
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Wextra -Werror -Wno-unused-parameter \
	-I"$TPK_ROOT/vmlinux" -c "$CORPUS/corpus.bpf.c" -o "$TMP/corpus.bpf.o" 2>"$TMP/err" ||
	tap_bail "corpus.bpf.c: $(cat "$TMP/err")"
cc -Wall -Wextra -Werror -o "$TMP/rawprogs" "$CORPUS/rawprogs.c" -lbpf 2>"$TMP/err" ||
	tap_bail "rawprogs.c: $(cat "$TMP/err")"

mkdir -p "$PIN/corpus" "$PIN/raw"
tap_ok "load the C corpus" bpftool prog loadall "$TMP/corpus.bpf.o" "$PIN/corpus"
tap_ok "load the hand-assembled corpus" "$TMP/rawprogs" "$PIN/raw"
for obj in "$TPK_BUILD"/bpf/*.bpf.o; do
	name=$(basename "$obj" .bpf.o)
	mkdir -p "$PIN/tool-$name"
	if ! bpftool prog loadall "$obj" "$PIN/tool-$name" >"$TMP/err" 2>&1; then
		tap_skip "load $name.bpf.o unattached" "the kernel refused it without its tool"
		rm -rf "${PIN:?}/tool-$name"
	fi
done

ids=()
for p in "$PIN"/*/*; do
	id=$(bpftool -j prog show pinned "$p" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
	[ -n "$id" ] && ids+=("$id")
done
tap_ok "corpus has programs (${#ids[@]})" test "${#ids[@]}" -ge 6

# same DESC -- BPFTOOL_ARGS... -- PROGDUMP_ARGS...: identical stdout.
same() {
	local desc=$1 a=() b=()
	shift 2
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	bpftool "${a[@]}" >"$TMP/want" 2>&1
	local brc=$?
	"$PD" "${b[@]}" >"$TMP/got" 2>&1
	local prc=$?
	# bpftool 7.5 dies (SIGSEGV) drawing the CFG of some programs with
	# global functions (xdpblock_bound): no oracle then, so only what holds
	# for any output: progdump succeeds, and where bpftool got before it
	# died (a whole number of lines) progdump printed the same.
	if [ $brc -gt 128 ]; then
		local n
		n=$(wc -l <"$TMP/want")
		if [ $prc = 0 ] && cmp -s "$TMP/want" <(head -n "$n" "$TMP/got"); then
			tap_pass "$desc (bpftool died of signal $((brc - 128)) after $n lines: those match)"
		else
			tap_fail "$desc (bpftool died of signal $((brc - 128)); progdump exited $prc)"
			tap_diag "$(diff "$TMP/want" <(head -n "$n" "$TMP/got") | head -20)"
		fi
		return
	fi
	if ! cmp -s "$TMP/want" "$TMP/got"; then
		# Once more, in case another test changed the machine in between.
		sleep 0.2
		bpftool "${a[@]}" >"$TMP/want" 2>&1
		"$PD" "${b[@]}" >"$TMP/got" 2>&1
	fi
	if cmp -s "$TMP/want" "$TMP/got"; then
		tap_pass "$desc"
	elif [ -n "${ID_GONE_OK:-}" ] && ! bpftool prog show id "$ID_GONE_OK" >/dev/null 2>&1; then
		tap_skip "$desc" "program unloaded meanwhile"
	else
		tap_fail "$desc"
		tap_diag "$(diff "$TMP/want" "$TMP/got" | head -20)"
	fi
}

compare_prog() {
	local id=$1 what=$2 m
	same "$what $id: show" -- prog show id "$id" -- show id "$id"
	same "$what $id: show --json" -- -j prog show id "$id" -- --json show id "$id"
	same "$what $id: show --json --pretty" -- -jp prog show id "$id" -- --json --pretty show "$id"
	for m in "" opcodes linum "opcodes linum" visual "visual linum" "visual opcodes linum"; do
		# shellcheck disable=SC2086 # the modifiers are words
		same "$what $id: dump xlated $m" -- prog dump xlated id "$id" $m -- dump xlated id "$id" $m
	done
	same "$what $id: dump xlated --json" -- -j prog dump xlated id "$id" -- -j dump xlated id "$id"
	same "$what $id: dump xlated --json --pretty opcodes linum" -- \
		-jp prog dump xlated id "$id" opcodes linum -- -p dump xlated id "$id" opcodes linum
}

for id in "${ids[@]}"; do
	compare_prog "$id" corpus
done

p=$PIN/corpus/corpus_tc
same "show pinned PATH" -- prog show pinned "$p" -- show pinned "$p"
same "show name NAME" -- prog show name corpus_tc -- show name corpus_tc
tag=$(bpftool -j prog show pinned "$p" | sed -n 's/.*"tag":"\([0-9a-f]*\)".*/\1/p')
same "show tag TAG" -- prog show tag "$tag" -- show tag "$tag"
same "dump xlated pinned PATH" -- prog dump xlated pinned "$p" -- dump xlated pinned "$p"

# Pinned paths (-f), one program pinned three times.
xid=$(bpftool -j prog show pinned "$PIN/corpus/corpus_xdp" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
mkdir -p "$PIN/pins/sub"
bpftool prog pin id "$xid" "$PIN/pins/one"
bpftool prog pin id "$xid" "$PIN/pins/sub/two"
for f in "" -j -jp; do
	# shellcheck disable=SC2086 # empty or one option
	same "show -f ${f:-text}, three pins" -- -f $f prog show id "$xid" -- -f $f show id "$xid"
	# shellcheck disable=SC2086
	same "show -f ${f:-text}, one pin" -- -f $f prog show id "${ids[0]}" -- -f $f show id "${ids[0]}"
done

# A name that several programs share: all of them, as bpftool lists them.
mkdir -p "$PIN/again"
bpftool prog loadall "$TMP/corpus.bpf.o" "$PIN/again"
for f in "" -j -jp; do
	# shellcheck disable=SC2086 # empty or one option
	same "show name NAME, two programs ${f:-text}" -- $f prog show name corpus_xdp -- $f show name corpus_xdp
	# shellcheck disable=SC2086
	same "dump xlated name NAME, two programs ${f:-text}" -- \
		$f prog dump xlated name corpus_xdp linum -- $f dump xlated name corpus_xdp linum
done
rm -rf "${PIN:?}/again"

# Every program ID of ours appears in list and list --json exactly as in show.
list=$("$PD" list)
jlist=$("$PD" --json list)
missing=0
for id in "${ids[@]}"; do
	one=$("$PD" show id "$id")
	[[ $list == *"$one"* ]] || missing=$((missing + 1))
	one=$("$PD" --json show id "$id")
	[[ $jlist == *"$one"* ]] || missing=$((missing + 1))
done
tap_is "$missing" 0 "list and list --json hold each program as show prints it"
tap_ok "list --json is one JSON document" json_valid <<<"$jlist"
tap_ok "list --json --pretty is one JSON document" \
	json_valid <<<"$("$PD" -p)"

# Under ip netns exec (its own /sys, no bpffs) reading by ID still works.
ip netns add "$NS"
tap_is "$(ip netns exec "$NS" "$PD" dump xlated id "${ids[0]}")" \
	"$("$PD" dump xlated id "${ids[0]}")" "dump xlated under ip netns exec"

# tracepkt's programs while it runs, as its users would see them.
if [ -x "$TPK_BUILD/tracepkt" ]; then
	before=$(bpftool prog show | sed -n 's/^\([0-9]*\): .*/\1/p')
	"$TPK_BUILD/tracepkt" --all >/dev/null 2>&1 &
	BG=$!
	new=()
	for _ in $(seq 50); do
		sleep 0.2
		mapfile -t new < <(comm -13 <(sort <<<"$before") \
			<(bpftool prog show | sed -n 's/^\([0-9]*\): .*name \(btf_\|nf_\|raw_\|tp_\).*/\1/p' | sort))
		[ "${#new[@]}" -ge 4 ] && break
	done
	tap_ok "tracepkt --all loaded programs (${#new[@]})" test "${#new[@]}" -ge 4
	# Its programs differ in attach point, not in shape: a few suffice.
	for id in "${new[@]:0:6}"; do
		ID_GONE_OK=$id compare_prog "$id" tracepkt
	done
	kill "$BG" 2>/dev/null
	wait "$BG" 2>/dev/null
	BG=
else
	tap_skip "tracepkt's programs" "no build/tracepkt"
fi

if command -v valgrind >/dev/null && [ -z "${TPK_SANITIZE:-}" ]; then
	# Buffers the kernel fills look uninitialised to valgrind: check
	# addressing only.
	tap_ok "dump xlated visual linum opcodes under valgrind" valgrind -q --error-exitcode=9 \
		--undef-value-errors=no "$PD" dump xlated id "${ids[0]}" visual linum opcodes
else
	tap_skip "valgrind run" "valgrind not installed"
fi

cleanup
trap - EXIT
# Unpinned programs are freed once an RCU grace period has passed: wait.
gone=$(bpf_ids_left prog "${ids[@]}" | wc -w)
tap_is "$gone" 0 "corpus programs unloaded"
# Others' tests change these at the same time: check only what we made.
tap_ok "our pins are gone" wait_until ! test -e "$PIN"
tap_ok "our namespace is gone" wait_until ! ip netns pids "$NS"
tap_done
