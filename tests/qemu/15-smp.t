#!/usr/bin/env bash
# SMP: every CPU starts and reports in on pc, q35 (ACPI MADT) and microvm
# (which scripts/run starts with acpi=off: qboot's MP table alone; with
# ACPI on, the MADT), with 1, 2 and 4 vCPUs; cpus= is
# checked; a fault or panic on a worker names its CPU, stops the others and
# the VM with the usual status; the pool balances across cores under
# poolstress, also in a DEBUG=1 build.
source "$(dirname "$0")/../lib/tap.sh"

# "0 1 2 3" for 4.
seq_line() { seq -s ' ' 0 $(($1 - 1)); }

# Every CPU's boot line, APIC ids distinct, and hello's own per-CPU report.
check_cpus() {	# what n
	local what=$1 n=$2 ids apics
	ids=$(sed -n 's/^smp: cpu \([0-9]*\) online, APIC id [0-9]*.*/\1/p' <<<"$OUT" | sort -n | tr '\n' ' ')
	is "${ids% }" "$(seq_line "$n")" "$what: a boot line from each of the $n CPUs"
	apics=$(sed -n 's/^smp: cpu [0-9]* online, APIC id \([0-9]*\).*/\1/p' <<<"$OUT" | sort -un | wc -l)
	is "$apics" "$n" "$what: $n distinct APIC ids"
	ids=$(sed -n 's/^hello: cpu [0-9]*: cpu_id() \([0-9]*\), .*/\1/p' <<<"$OUT" | tr '\n' ' ')
	is "${ids% }" "$(seq_line "$n")" "$what: cpu_id() on each CPU is its own index"
	is "$(grep -cE '^hello: cpu [0-9]+: .* took [0-9]+ us, [1-9][0-9]* timer wake-ups?$' <<<"$OUT")" \
		"$n" "$what: cpu_idle() halted on each CPU's own APIC timer"
}

for m in pc q35 microvm; do
	table="ACPI MADT"
	[ "$m" = microvm ] && table="MP table"
	for n in 1 2 4; do
		run_guest hello -M "$m" --cpus "$n"
		is "$RC" 0 "$m, $n CPUs: hello exits 0"
		like "$OUT" "^smp: $n CPUs? in the $table at 0x" "$m, $n CPUs: found in the $table"
		like "$OUT" "^smp config: cpus=$n\$" "$m, $n CPUs: cpus= defaults to all of them"
		check_cpus "$m, $n CPUs" "$n"
	done
done

SKIFF_QEMU_ARGS="-machine acpi=on" run_guest hello -M microvm --cpus 4
is "$RC" 0 "microvm acpi=on, 4 CPUs: hello exits 0"
like "$OUT" '^smp: 4 CPUs in the ACPI MADT at 0x' "microvm acpi=on: CPUs from QEMU's MADT"
check_cpus "microvm acpi=on" 4

run_guest hello --multiboot --cpus 2
is "$RC" 0 "multiboot, 2 CPUs: hello exits 0"
check_cpus "multiboot" 2

# cpus=: fewer than the VM has is fine; more, or nonsense, is not.
run_guest hello --cpus 4 --append "cpus=2"
is "$RC" 0 "cpus=2 of 4: runs"
like "$OUT" '^smp config: cpus=2$' "cpus=2 of 4: effective setting printed"
check_cpus "cpus=2 of 4" 2
for bad in 3 0 17 two; do
	run_guest hello --cpus 2 --append "cpus=$bad"
	is "$RC" 2 "cpus=$bad on 2 CPUs: exit status 2"
	case $bad in
	3)	like "$OUT" '^config error: cpus=3, but this VM has 2 CPUs \(ACPI MADT\)$' \
			"cpus=3 on 2: says how many there are"
		unlike "$OUT" '^smp: cpu 1 online' "cpus=3 on 2: no CPU started" ;;
	two)	like "$OUT" "^config error: bad value 'two' for 'cpus' \(command line\): expected an integer in 1\.\.16" \
			"cpus=two: named, with the range" ;;
	esac
done

# A fault on CPU 1: named, the others stopped, the usual status, no hang.
elf=$(ls -t "$BUILD"/obj/*/hello.elf | head -1)
run_guest hello --cpus 2 --append "crash=null crash_cpu=1"
is "$RC" 4 "fault on cpu 1: exit status 4"
like "$OUT" '^\*\*\* CPU EXCEPTION 14 \(#PF page fault\) on cpu 1, error code 0x2$' \
	"fault on cpu 1: vector and CPU named"
like "$OUT" '^\*\*\* on cpu 1 \(APIC id 1\); other CPUs stopped: 0$' \
	"fault on cpu 1: CPU 0 stopped"
rip=$(sed -n 's/^RIP \(0x[0-9a-f]*\) .*/\1/p' <<<"$OUT")
like "$(addr2line -fe "$elf" "$rip")" '^do_crash$' "fault on cpu 1: RIP resolves to do_crash()"
is "$(tail -n 1 <<<"$OUT")" "skiff: exit 4" "fault on cpu 1: the exit line is the last"

run_guest hello --cpus 4 --append "crash=panic crash_cpu=3"
is "$RC" 3 "panic on cpu 3 of 4: exit status 3"
like "$OUT" '^\*\*\* PANIC: crash=panic requested$' "panic on cpu 3: message"
like "$OUT" '^\*\*\* on cpu 3 \(APIC id 3\); other CPUs stopped: 0 1 2$' \
	"panic on cpu 3: named, the 3 others stopped"

run_guest hello --cpus 4 --append "crash=ud"
is "$RC" 4 "fault on cpu 0 of 4: exit status 4"
like "$OUT" '^\*\*\* on cpu 0 \(APIC id 0\); other CPUs stopped: 1 2 3$' \
	"fault on cpu 0: the 3 workers stopped"

run_guest hello --cpus 2 --append "crash=gp crash_cpu=2"
is "$RC" 2 "crash_cpu=2 on 2 CPUs: exit status 2"
like "$OUT" '^hello: crash_cpu=2, but there are only 2 CPUs$' "crash_cpu=2: explained"

# The pool across cores: a million objects per phase and pair, bounded by
# count; status 1 and the reason when it does not balance.
check_stress() {	# what phases...
	local what=$1 p
	shift
	is "$RC" 0 "$what: exit status 0"
	for p in "$@"; do
		like "$OUT" "^poolstress: $p: balanced: every object once and in order, all back$" \
			"$what: $p phase balanced"
	done
	like "$OUT" '^poolstress summary .* failed=0$' "$what: summary"
}

GUEST_TIMEOUT=120 run_guest poolstress --cpus 2
check_stress "poolstress, 2 CPUs" single bulk netbuf
like "$OUT" '^poolstress: bulk: 1 pair passed 1000000 objects' "2 CPUs: 1 pair, 1000000 objects"

GUEST_TIMEOUT=120 run_guest poolstress --cpus 4 --append "count=200000"
check_stress "poolstress, 4 CPUs" single bulk netbuf
like "$OUT" '^poolstress: 4 CPUs: cpu 0 -> cpu 1, cpu 2 -> cpu 3$' "4 CPUs: two pairs"

run_guest poolstress --cpus 2 --append "phase=bulk count=50000 inject=leak"
is "$RC" 1 "a leaked object: exit status 1"
like "$OUT" '^poolstress: bulk: FAILED: pool: 50000 gets, 49999 puts, 1 in use' "a leak: named"
run_guest poolstress --cpus 2 --append "phase=netbuf count=50000 inject=skip"
is "$RC" 1 "a skipped sequence number: exit status 1"
like "$OUT" '^poolstress: netbuf: FAILED: pair 0: expected seq 25000, got seq 25001' \
	"a gap: named"
run_guest poolstress --cpus 1
is "$RC" 2 "poolstress on 1 CPU: exit status 2"

# DEBUG=1: the pool poisons and checks every object and catches double puts.
dbg=$BUILD/smp-debug
if make --no-print-directory -j2 BUILD="$dbg" DEBUG=1 NF="poolstress hello" >"$dbg.log" 2>&1; then
	tap_result 0 "DEBUG=1 images build"
	OUT=$(scripts/run --timeout 120 --cpus 2 --append "count=400000" "$dbg/poolstress.elf" 2>&1)
	RC=$?
	like "$OUT" '^Skiff .* build lto=0 alloc=pool debug=1' "DEBUG=1 image booted"
	check_stress "poolstress DEBUG=1, 2 CPUs" single bulk netbuf
	OUT=$(scripts/run --timeout 30 --cpus 2 --append "crash=null crash_cpu=1" "$dbg/hello.elf" 2>&1)
	RC=$?
	is "$RC" 4 "DEBUG=1 fault on cpu 1: exit status 4"
	like "$OUT" '^backtrace: 0x[0-9a-f]+ 0x[0-9a-f]+' \
		"DEBUG=1 fault on cpu 1: a backtrace walked on cpu 1's own stack"
else
	tap_result 1 "DEBUG=1 images build" "$(tail -n 5 "$dbg.log")"
fi

done_testing
