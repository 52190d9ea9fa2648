#!/bin/bash
# progdump against bpftool 7.5 on the same programs, byte for byte: the test
# corpus (tests/progdump-corpus: C programs built here with clang, and
# hand-assembled cpu-v4 programs), every BPF object the project builds, and
# tracepkt's programs while it runs. Compared per program ID, since other
# tests load and unload programs on the host at the same time.
#
# What the kernel returns differs between kernels (the verifier rewrites
# differently, older kernels fill fewer info fields), so the kernel matrix
# runs this file in its guests too. There (TPK_VM_KERNEL set, everything
# some 30 times slower under emulation) it compares a few programs of each
# source with fewer modifier combinations, and skips valgrind. A program
# the kernel refuses for want of something newer (NEEDS below) is named in
# a skip line with what it lacks; the others are loaded and compared.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"
tap_require_root

PD=$TPK_BUILD/progdump
CORPUS=$TPK_ROOT/tests/progdump-corpus
command -v bpftool >/dev/null || tap_skip_all "bpftool not installed"
[ -x "$PD" ] || tap_bail "no $PD; run make"
[ -r "$TPK_ROOT/vmlinux/vmlinux.h" ] || tap_bail "no vmlinux/vmlinux.h; run make"

VM=${TPK_VM_KERNEL:+1}
KVER=$(uname -r | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')

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

# What our programs need beyond Debian 11's 5.10, as "RELEASE:WHAT|...":
# a kernel older than RELEASE may refuse the program, and is then named in
# a skip line; a kernel that has all of it must load it.
declare -A NEEDS=(
	[raw/alu]="6.6:cpu-v4 instructions"
	[raw/jmp]="6.6:cpu-v4 instructions"
	[raw/branch]="6.6:cpu-v4 instructions"
	[raw/mem]="6.6:cpu-v4 instructions|5.12:atomics with fetch"
	[raw/loop]="6.9:may_goto"
	[corpus/corpus_tc]="5.12:atomics with fetch|5.17:bpf_loop|6.4:kfunc bpf_dynptr_from_skb"
	[tool-xdpblock/xdpblock]="5.17:bpf_loop"
)

# older_than X.Y: is the running kernel older than release X.Y?
older_than() {
	local k=$KVER
	[ "${k%.*}" -lt "${1%.*}" ] || { [ "${k%.*}" -eq "${1%.*}" ] && [ "${k#*.}" -lt "${1#*.}" ]; }
}

# lacks KEY: what of NEEDS[KEY] this kernel lacks, "WHAT (X.Y+), ...";
# empty when it should load KEY.
lacks() {
	local need out=
	local -a needs
	IFS='|' read -ra needs <<<"${NEEDS[$1]-}"
	for need in "${needs[@]}"; do
		older_than "${need%%:*}" && out+="${out:+, }${need#*:} (${need%%:*}+)"
	done
	printf '%s' "$out"
}

# refused DESC SOURCE LOADED LIST: one TAP line for loading SOURCE. LIST
# holds "NAME<TAB>the verifier's last word" for each program refused.
# Refusals that this kernel's age explains make a skip line naming them
# and what they lack; any other refusal fails.
refused() {
	local desc=$1 src=$2 loaded=$3 list=$4 name word why bad="" line
	local -A by_why=()
	local -a order=()
	while IFS=$'\t' read -r name word; do
		[ -n "$name" ] || continue
		why=$(lacks "$src/$name")
		if [ -z "$why" ]; then
			bad+="${bad:+; }$name: $word"
			continue
		fi
		[ -n "${by_why[$why]+x}" ] || order+=("$why")
		by_why[$why]+="${by_why[$why]:+, }$name"
		tap_diag "$src/$name refused: $word"
	done <<<"$list"
	if [ -n "$bad" ]; then
		tap_fail "$desc: $loaded loaded"
		tap_diag "refused on $(uname -r), which should take them: $bad"
	elif [ ${#order[@]} = 0 ]; then
		tap_pass "$desc: $loaded loaded"
	else
		line=
		for why in "${order[@]}"; do
			line+="${line:+; }${by_why[$why]}: $why"
		done
		tap_skip "$desc: $loaded loaded" "$KVER refuses $line"
	fi
}

# pins_in DIR: how many programs are pinned in DIR.
pins_in() {
	local f=("$1"/*)
	if [ -e "${f[0]}" ]; then echo "${#f[@]}"; else echo 0; fi
}

# pdload OBJ DIR: loads each program of OBJ on its own and pins those the
# kernel takes as DIR/NAME, as `bpftool prog loadall` would have; prints
# "NAME<TAB>the verifier's last word" for each one refused. For objects the
# kernel refuses as a whole because some of their programs need more.
pdload() {
	if [ ! -x "$TMP/pdload" ]; then
		cat >"$TMP/pdload.c" <<'CODE'
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

static char text[1 << 20];
static size_t len;

static int keep(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG || len + 1 >= sizeof(text))
		return 0;
	n = vsnprintf(text + len, sizeof(text) - len, fmt, ap);
	if (n > 0)
		len += (size_t)n < sizeof(text) - len ? (size_t)n : sizeof(text) - len - 1;
	return 0;
}

/* The last line of the verifier's log before its statistics; without a
 * log (libbpf refused first), libbpf's first complaint. */
static const char *last_word(void)
{
	char *line, *next, *first = NULL, *word = NULL;
	int in_log = 0;

	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!first)
			first = line;
		if (strstr(line, "-- BEGIN PROG LOAD LOG --"))
			in_log = 1;
		else if (strstr(line, "-- END PROG LOAD LOG --"))
			in_log = 0;
		else if (in_log && *line && strncmp(line, "processed ", 10) &&
			 strncmp(line, "verification time", 17) && strncmp(line, "stack depth", 11))
			word = line;
	}
	return word ? word : first ? first : "";
}

int main(int argc, char **argv)
{
	char names[64][128], path[4096];
	struct bpf_program *p;
	struct bpf_object *obj;
	int n = 0, i, err = 0;

	if (argc != 3)
		return 2;
	libbpf_set_print(keep);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "pdload: can't open %s\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(p, obj)
		if (n < 64)
			snprintf(names[n++], sizeof(names[0]), "%s", bpf_program__name(p));
	bpf_object__close(obj);
	for (i = 0; i < n; i++) {
		obj = bpf_object__open_file(argv[1], NULL);
		if (!obj)
			return 1;
		bpf_object__for_each_program(p, obj)
			bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), names[i]));
		len = 0;
		text[0] = '\0';
		p = bpf_object__find_program_by_name(obj, names[i]);
		snprintf(path, sizeof(path), "%s/%s", argv[2], names[i]);
		if (bpf_object__load(obj)) {
			printf("%s\t%s\n", names[i], last_word());
		} else if (bpf_program__pin(p, path)) {
			fprintf(stderr, "pdload: can't pin %s\n", path);
			err = 1;
		}
		bpf_object__close(obj);
	}
	return err;
}
CODE
		cc -Wall -Wextra -Werror -o "$TMP/pdload" "$TMP/pdload.c" -lbpf 2>"$TMP/err" ||
			tap_bail "pdload.c: $(cat "$TMP/err")"
	fi
	"$TMP/pdload" "$@"
}

# load_obj OBJ DIR: `bpftool prog loadall OBJ DIR`; when the kernel refuses
# the object, each program on its own (pdload). Prints what pdload prints;
# fails when not even that could be done.
load_obj() {
	mkdir -p "$2"
	bpftool prog loadall "$1" "$2" >"$TMP/err" 2>&1 && return 0
	rm -rf "${2:?}"/*
	pdload "$1" "$2"
}

# Build the corpus. (vmlinux.h declares kfuncs weak: on a kernel without one,
# the programs that do not call it still load.)
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Wextra -Werror -Wno-unused-parameter \
	-I"$TPK_ROOT/vmlinux" -c "$CORPUS/corpus.bpf.c" -o "$TMP/corpus.bpf.o" 2>"$TMP/err" ||
	tap_bail "corpus.bpf.c: $(cat "$TMP/err")"
cc -Wall -Wextra -Werror -o "$TMP/rawprogs" "$CORPUS/rawprogs.c" -lbpf 2>"$TMP/err" ||
	tap_bail "rawprogs.c: $(cat "$TMP/err")"

mkdir -p "$PIN/corpus" "$PIN/raw"
if out=$(load_obj "$TMP/corpus.bpf.o" "$PIN/corpus"); then
	refused "load the C corpus" corpus "$(pins_in "$PIN/corpus")" "$out"
else
	tap_fail "load the C corpus"
	tap_diag "$(cat "$TMP/err")"
fi
# rawprogs loads what the kernel takes and reports the rest with their log.
"$TMP/rawprogs" "$PIN/raw" 2>"$TMP/raw.err"
rc=$?
out=$(awk '/^rawprogs: .* refused:$/ { if (name != "") print name "\t" word; name = $2; word = ""; next }
	name != "" && NF && !/^(processed |verification time|stack depth)/ { word = $0 }
	END { if (name != "") print name "\t" word }' "$TMP/raw.err")
if [ $rc != 0 ] && [ -z "$out" ]; then
	tap_fail "load the hand-assembled corpus"
	tap_diag "$(cat "$TMP/raw.err")"
else
	refused "load the hand-assembled corpus" raw "$(pins_in "$PIN/raw")" "$out"
fi
for obj in "$TPK_BUILD"/bpf/*.bpf.o; do
	name=$(basename "$obj" .bpf.o)
	case $name in
	tracepkt*)
		# Its programs need the tool to pick them and their attach
		# points; they are compared while tracepkt runs (below).
		mkdir -p "$PIN/tool-$name"
		if ! bpftool prog loadall "$obj" "$PIN/tool-$name" >"$TMP/err" 2>&1; then
			# Not a test: one program the kernel or a missing target
			# refuses fails the whole object (probe_fexit names no
			# target; netfilter programs need 6.4), as without tracepkt.
			tap_diag "$name.bpf.o: loaded by its tool only: $(grep -m1 'failed to load' "$TMP/err")"
			rm -rf "${PIN:?}/tool-$name"
		fi
		;;
	*)
		if out=$(load_obj "$obj" "$PIN/tool-$name"); then
			refused "load $name.bpf.o unattached" "tool-$name" \
				"$(pins_in "$PIN/tool-$name")" "$out"
		else
			tap_fail "load $name.bpf.o unattached"
			tap_diag "$(cat "$TMP/err")"
		fi
		;;
	esac
done

# Every program pinned, and the ones compared: all of them here. In guests,
# where a dump costs seconds (bpftool reads all of /proc/kallsyms for each),
# two of each source (the C corpus, the hand-assembled one, the tools'): the
# first in full, the second by its plain dump, which is where the kernels'
# rewrites show. Of the raw ones, those the verifier rewrites most (signed
# division and may_goto) where the kernel took them, else the others.
ids=() cmp_ids=() cmp_what=() cmp_how=()
declare -A seen=()
for p in "$PIN"/*/*; do
	[ -e "$p" ] || continue
	id=$(bpftool -j prog show pinned "$p" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
	[ -n "$id" ] || continue
	ids+=("$id")
	src=${p%/*}
	src=${src##*/}
	group=${src%%-*}
	how=full
	if [ -n "$VM" ]; then
		case $src/${p##*/} in
		raw/alu|raw/loop) ;;
		raw/*) { [ -e "$PIN/raw/alu" ] || [ -e "$PIN/raw/loop" ]; } && continue ;;
		esac
		case ${seen[$group]:-0} in
		0) ;;
		1) how=plain ;;
		*) continue ;;
		esac
	fi
	seen[$group]=$((${seen[$group]:-0} + 1))
	cmp_ids+=("$id")
	cmp_what+=("$src/${p##*/}")
	cmp_how+=("$how")
done
tap_ok "corpus has programs (${#ids[@]})" test "${#ids[@]}" -ge 3

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
		# (Files, not <(...): the matrix's guests have no /dev/fd.)
		head -n "$n" "$TMP/got" >"$TMP/head"
		if [ $prc = 0 ] && cmp -s "$TMP/want" "$TMP/head"; then
			tap_pass "$desc (bpftool died of signal $((brc - 128)) after $n lines: those match)"
		else
			tap_fail "$desc (bpftool died of signal $((brc - 128)); progdump exited $prc)"
			tap_diag "$(diff "$TMP/want" "$TMP/head" | head -20)"
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

# The modifier combinations compared: all here; in guests the plain dump,
# the richest text, the graph and JSON.
if [ -n "$VM" ]; then
	MODS=("" "opcodes linum" visual)
else
	MODS=("" opcodes linum "opcodes linum" visual "visual linum" "visual opcodes linum")
fi

# compare_prog ID WHAT [plain]: show and dump ID with both tools; with
# plain, show, show --json and the plain dump only.
compare_prog() {
	local id=$1 what=$2 m
	same "$what $id: show" -- prog show id "$id" -- show id "$id"
	same "$what $id: show --json" -- -j prog show id "$id" -- --json show id "$id"
	if [ "${3-}" = plain ]; then
		same "$what $id: dump xlated" -- prog dump xlated id "$id" -- dump xlated id "$id"
		return
	fi
	[ -n "$VM" ] ||
		same "$what $id: show --json --pretty" -- -jp prog show id "$id" -- --json --pretty show "$id"
	for m in "${MODS[@]}"; do
		# shellcheck disable=SC2086 # the modifiers are words
		same "$what $id: dump xlated $m" -- prog dump xlated id "$id" $m -- dump xlated id "$id" $m
	done
	same "$what $id: dump xlated --json" -- -j prog dump xlated id "$id" -- -j dump xlated id "$id"
	[ -n "$VM" ] ||
		same "$what $id: dump xlated --json --pretty opcodes linum" -- \
			-jp prog dump xlated id "$id" opcodes linum -- -p dump xlated id "$id" opcodes linum
}

for i in "${!cmp_ids[@]}"; do
	compare_prog "${cmp_ids[$i]}" "${cmp_what[$i]}" "${cmp_how[$i]}"
done

# The selectors, on the first C program the kernel took.
FORMATS=("" -j -jp)
[ -n "$VM" ] && FORMATS=("" -j)
cname=
for n in corpus_tc corpus_xdp; do
	[ -e "$PIN/corpus/$n" ] && { cname=$n; break; }
done
if [ -n "$cname" ]; then
	p=$PIN/corpus/$cname
	same "show pinned PATH" -- prog show pinned "$p" -- show pinned "$p"
	same "show name NAME" -- prog show name "$cname" -- show name "$cname"
	tag=$(bpftool -j prog show pinned "$p" | sed -n 's/.*"tag":"\([0-9a-f]*\)".*/\1/p')
	same "show tag TAG" -- prog show tag "$tag" -- show tag "$tag"
	# (In guests one dump less: a dump costs seconds there.)
	[ -n "$VM" ] ||
		same "dump xlated pinned PATH" -- prog dump xlated pinned "$p" -- dump xlated pinned "$p"

	# Pinned paths (-f), one program pinned three times.
	xname=corpus_xdp
	[ -e "$PIN/corpus/$xname" ] || xname=$cname
	xid=$(bpftool -j prog show pinned "$PIN/corpus/$xname" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
	mkdir -p "$PIN/pins/sub"
	bpftool prog pin id "$xid" "$PIN/pins/one"
	bpftool prog pin id "$xid" "$PIN/pins/sub/two"
	for f in "${FORMATS[@]}"; do
		# shellcheck disable=SC2086 # empty or one option
		same "show -f ${f:-text}, three pins" -- -f $f prog show id "$xid" -- -f $f show id "$xid"
		# shellcheck disable=SC2086
		same "show -f ${f:-text}, one pin" -- -f $f prog show id "${ids[0]}" -- -f $f show id "${ids[0]}"
	done

	# A name that several programs share: all of them, as bpftool lists them.
	if out=$(load_obj "$TMP/corpus.bpf.o" "$PIN/again") && [ -e "$PIN/again/$xname" ]; then
		for f in "${FORMATS[@]}"; do
			# shellcheck disable=SC2086 # empty or one option
			same "show name NAME, two programs ${f:-text}" -- \
				$f prog show name "$xname" -- $f show name "$xname"
			[ -n "$VM" ] && continue
			# shellcheck disable=SC2086
			same "dump xlated name NAME, two programs ${f:-text}" -- \
				$f prog dump xlated name "$xname" linum -- $f dump xlated name "$xname" linum
		done
	else
		tap_fail "load the C corpus again"
		tap_diag "$(cat "$TMP/err")"
	fi
	rm -rf "${PIN:?}/again"
else
	tap_skip "selectors: pinned, name, tag, -f, a shared name" "the kernel took no C program"
fi

# Every program ID compared appears in list and list --json exactly as in
# show.
list=$("$PD" list)
jlist=$("$PD" --json list)
missing=0
for id in "${cmp_ids[@]}"; do
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
	bpftool prog show | sed -n 's/^\([0-9]*\): .*/\1/p' | sort >"$TMP/before"
	"$TPK_BUILD/tracepkt" --all >/dev/null 2>&1 &
	BG=$!
	new=()
	# Up to 10 s here, 60 in guests (TAP_SETTLE), for it to load.
	for _ in $(seq $((TAP_SETTLE * 5))); do
		sleep 0.2
		bpftool prog show | sed -n 's/^\([0-9]*\): .*name \(btf_\|nf_\|raw_\|tp_\).*/\1/p' | sort >"$TMP/now"
		comm -13 "$TMP/before" "$TMP/now" >"$TMP/new"
		mapfile -t new <"$TMP/new"
		[ "${#new[@]}" -ge 4 ] && break
	done
	tap_ok "tracepkt --all loaded programs (${#new[@]})" test "${#new[@]}" -ge 4
	# Its programs differ in attach point, not in shape: a few suffice
	# (six here; in guests two, the second by its plain dump).
	NLIVE=6
	[ -n "$VM" ] && NLIVE=2
	for i in "${!new[@]}"; do
		[ "$i" -lt $NLIVE ] || break
		how=full
		[ -n "$VM" ] && [ "$i" = 1 ] && how=plain
		ID_GONE_OK=${new[$i]} compare_prog "${new[$i]}" tracepkt $how
	done
	kill "$BG" 2>/dev/null
	wait "$BG" 2>/dev/null
	BG=
else
	tap_skip "tracepkt's programs" "no build/tracepkt"
fi

if [ -n "$VM" ]; then
	tap_skip "valgrind run" "under emulation (progdump-memcheck.t and the host's run cover it)"
elif [ -n "${TPK_SANITIZE:-}" ]; then
	:	# ASan and valgrind do not mix: make check runs valgrind on the plain build
elif command -v valgrind >/dev/null; then
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
