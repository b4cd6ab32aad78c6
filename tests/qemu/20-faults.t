#!/usr/bin/env bash
# CPU exceptions, panic() and assert() print a diagnosis and stop the VM with
# a non-zero status.
source "$(dirname "$0")/../lib/tap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# debug_elf: the unstripped ELF of the image that printed $OUT. The banner
# names the build options, which name the object directory
# (build/obj/lto<0|1>-<alloc>[-debug]/, as the Makefile's TAG); stripping that
# ELF as the Makefile does must give the booted image byte for byte, so RIP
# is never looked up in another build's ELF (the newest file may be one).
debug_elf() {
	local tag
	tag=$(sed -n 's/^Skiff .*: image hello, build lto=\([01]\) alloc=\([a-z]*\) debug=\([01]\).*/lto\1-\2 \3/p' <<<"$OUT")
	[ -n "$tag" ] || return 1
	[ "${tag#* }" = 1 ] && tag="${tag% *}-debug" || tag=${tag% *}
	echo "$BUILD/obj/$tag/hello.elf"
}

check_exception() {	# crash-kind vector name
	run_guest hello --append "crash=$1"
	is "$RC" 4 "crash=$1: exit status 4 (CPU fault)"
	like "$OUT" "^\*\*\* CPU EXCEPTION $2 \($3" "crash=$1: vector $2 named"
	like "$OUT" '^RIP 0x[0-9a-f]{16}  CS 0x8  RFLAGS 0x[0-9a-f]+$' "crash=$1: RIP printed"
	like "$OUT" '^CR2 0x[0-9a-f]{16}  CR3 0x[0-9a-f]+  RSP 0x[0-9a-f]{16}$' "crash=$1: CR2 printed"
	like "$OUT" '^RAX [0-9a-f]{16} RBX [0-9a-f]{16} RCX [0-9a-f]{16} RDX [0-9a-f]{16}$' \
		"crash=$1: registers printed"
	local rip elf
	rip=$(sed -n 's/^RIP \(0x[0-9a-f]*\) .*/\1/p' <<<"$OUT")
	elf=$(debug_elf)
	rm -f "$tmp/stripped"
	[ -f "$elf" ] && objcopy --strip-debug "$elf" "$tmp/stripped"
	ok "$(cmp -s "$tmp/stripped" "$BUILD/hello.elf"; echo $?)" \
		"crash=$1: ${elf:-no ELF named by the banner} is the booted image, unstripped"
	like "$OUT" "^find it: addr2line -fie (.*/)?obj/${elf#"$BUILD"/obj/} $(printf '%#x' "$rip") " \
		"crash=$1: the report names that ELF and RIP"
	like "$(addr2line -fe "$elf" "$rip")" '^do_crash$' "crash=$1: RIP resolves to do_crash() in it"
}

check_exception null 14 '#PF page fault'
like "$OUT" '^CR2 0x0000000000000000 ' "NULL write: CR2 is 0"
like "$OUT" 'error code 0x2$' "NULL write: error code says write to a non-present page"
check_exception ud 6 '#UD invalid opcode'
check_exception div 0 '#DE divide error'
check_exception gp 13 '#GP general protection'

run_guest hello --append "crash=panic"
is "$RC" 3 "panic: exit status 3"
like "$OUT" '^\*\*\* PANIC: crash=panic requested$' "panic: message printed"
like "$OUT" '^\*\*\* called from 0x[0-9a-f]+$' "panic: caller printed"

run_guest hello --append "crash=assert"
is "$RC" 3 "assert: exit status 3"
like "$OUT" '^\*\*\* PANIC: assertion failed: zero == 1 \(nf/hello/main.c:[0-9]+\)$' \
	"assert: condition, file and line printed"

done_testing
