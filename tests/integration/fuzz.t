#!/bin/bash
# Every libFuzzer harness in tests/fuzz/ for a few seconds (FUZZ_SECONDS,
# default 3) from its corpus (tests/fuzz/corpus/), which holds every crash
# found so far: no crash, no sanitizer report. Needs clang's libFuzzer;
# builds the harnesses into $TPK_BUILD/fuzz/.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../lib/tap.sh"

echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; (void)n; return 0; }' |
	clang -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null ||
	tap_skip_all "clang cannot link libFuzzer (-fsanitize=fuzzer)"
out=$(make -s -C "$TPK_ROOT" BUILD="$TPK_BUILD" fuzz-build 2>&1) || tap_bail "cannot build the harnesses: $out"
harnesses=()
for src in "$TPK_ROOT"/tests/fuzz/*.c; do
	harnesses+=("$TPK_BUILD/fuzz/$(basename "$src" .c)")
done
exec "$TPK_ROOT/tests/fuzz/run" "${FUZZ_SECONDS:-3}" "${harnesses[@]}"
