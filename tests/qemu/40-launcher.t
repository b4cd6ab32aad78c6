#!/usr/bin/env bash
# scripts/run: usage errors, timeouts, a missing QEMU, exit-status mapping.
source "$(dirname "$0")/../lib/tap.sh"

out=$(scripts/run 2>&1); rc=$?
is "$rc" 64 "no image: usage error"
like "$out" 'run: no image given' "no image: said so"
out=$(scripts/run --frobnicate "$BUILD/hello.elf" 2>&1); rc=$?
is "$rc" 64 "unknown option: usage error"
like "$out" "unknown option --frobnicate" "unknown option: named"
out=$(scripts/run build/nope.elf 2>&1); rc=$?
is "$rc" 64 "missing image: usage error"
out=$(scripts/run --mem 3 "$BUILD/hello.elf" 2>&1); rc=$?
is "$rc" 64 "tiny --mem refused"
out=$(scripts/run --help); rc=$?
is "$rc" 0 "--help exits 0"
like "$out" 'SKIFF_ACCEL=kvm\|tcg' "--help documents the accelerator override"

out=$(SKIFF_QEMU=/nonexistent/qemu scripts/run "$BUILD/hello.elf" 2>&1); rc=$?
is "$rc" 127 "QEMU missing: 127"
like "$out" 'apt-get install qemu-system-x86' "QEMU missing: names the package"

out=$(SKIFF_ACCEL=warp scripts/run "$BUILD/hello.elf" 2>&1); rc=$?
is "$rc" 64 "bad SKIFF_ACCEL refused"

# A guest paused at reset (-S) never finishes: the timeout stops it. Its
# QEMU is named after this test's PID, so no other QEMU on the machine (other
# test runs boot the same image path) can be taken for it.
qname=skiff-timeout-test-$$
start=$(date +%s)
out=$(SKIFF_QEMU_ARGS="-S -name $qname" scripts/run --timeout 2 "$BUILD/hello.elf" 2>&1); rc=$?
took=$(( $(date +%s) - start ))
is "$rc" 124 "timeout: status 124"
like "$out" 'timed out after 2s' "timeout: said so"
ok "$([ "$took" -le 6 ] && echo 0 || echo 1)" "timeout: stopped within a few seconds (${took}s)"
sleep 0.5
ok "$(pgrep -f "qemu-system.* -name $qname( |$)" >/dev/null && echo 1 || echo 0)" "timeout: no QEMU left behind"

# glibc tunables for QEMU (malloc on huge pages: a faster start): scripts/run's
# unless the caller has GLIBC_TUNABLES of its own or sets SKIFF_QEMU_TUNABLES.
tun='glibc.malloc.hugetlb=1:glibc.malloc.top_pad=33554432'
like "$(scripts/run --dry-run "$BUILD/hello.elf")" "^env GLIBC_TUNABLES=$tun qemu-system-x86_64 " \
	"dry-run: QEMU's glibc tunables lead the line, as env (usable after timeout)"
like "$(SKIFF_QEMU_TUNABLES= scripts/run --dry-run "$BUILD/hello.elf")" '^qemu-system-x86_64 ' \
	"SKIFF_QEMU_TUNABLES= : QEMU gets none"
like "$(SKIFF_QEMU_TUNABLES=glibc.malloc.hugetlb=1 scripts/run --dry-run "$BUILD/hello.elf")" \
	'^env GLIBC_TUNABLES=glibc.malloc.hugetlb=1 qemu' "SKIFF_QEMU_TUNABLES replaces them"
like "$(GLIBC_TUNABLES=glibc.malloc.arena_max=1 scripts/run --dry-run "$BUILD/hello.elf")" \
	'^env GLIBC_TUNABLES=glibc.malloc.arena_max=1 qemu-system-x86_64 ' \
	"the caller's own GLIBC_TUNABLES: passed to QEMU as they are, not ours"
qname=skiff-tunables-test-$$
SKIFF_QEMU_ARGS="-S -name $qname" scripts/run --timeout 5 "$BUILD/hello.elf" >/dev/null 2>&1 &
runner=$!
qpid=""
for _ in $(seq 50); do
	qpid=$(pgrep -f "qemu-system.* -name $qname( |$)") && break
	sleep 0.1
done
# (glibc 2.36 shortens the variable in place to its first tunable once it
# has parsed them all: `GLIBC_TUNABLES=... /lib64/ld-linux-x86-64.so.2
# --list-tunables` shows both in effect.)
like "$(tr '\0' '\n' <"/proc/${qpid:-0}/environ" 2>/dev/null | grep '^GLIBC_TUNABLES=')" \
	'^GLIBC_TUNABLES=glibc\.malloc\.hugetlb=1' "the running QEMU got them"
[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
wait "$runner" 2>/dev/null

out=$(SKIFF_QEMU_ARGS="-device no-such-device" scripts/run "$BUILD/hello.elf" 2>&1); rc=$?
is "$rc" 125 "QEMU error: status 125"
like "$out" "QEMU failed with status 1" "QEMU error: said so"

log=$(mktemp)
out=$(scripts/run --prefix hello1 --log "$log" "$BUILD/hello.elf" 2>&1); rc=$?
is "$rc" 0 "prefix: runs"
like "$out" '^hello1\| Skiff ' "prefix: console lines carry the name"
like "$(cat "$log")" '^Skiff ' "log: holds the console without the prefix"
unlike "$(cat "$log")" $'\r' "log: no carriage returns"
rm -f "$log"

done_testing
