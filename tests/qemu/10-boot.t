#!/usr/bin/env bash
# The hello image boots through PVH on pc, q35 and microvm and through
# multiboot, reports what it found and exits 0.
source "$(dirname "$0")/../lib/tap.sh"

rev=$(git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
mhz=()
for m in pc q35 microvm; do
	run_guest hello -M "$m" --append "loglevel=debug"
	is "$RC" 0 "$m: hello exits 0"
	like "$OUT" "^Skiff $rev: image hello, build lto=[01] alloc=(pool|heap) debug=[01]" \
		"$m: banner names Skiff, image, revision and options"
	like "$OUT" '^boot: pvh, command line "loglevel=debug"' "$m: booted through PVH"
	like "$OUT" '^mem: [0-9]+ MiB usable, image 0x100000-0x[0-9a-f]+ \([0-9]+ KiB\), [0-9]+ MiB free' \
		"$m: memory summary"
	like "$OUT" '^mem: +0x000000100000-0x[0-9a-f]+ usable' "$m: memory map at loglevel=debug"
	like "$OUT" '^time: TSC [0-9]+\.[0-9]{3} MHz \(' "$m: clock calibration printed"
	mhz+=("$(sed -n 's/^time: TSC \([0-9.]*\) MHz.*/\1/p' <<<"$OUT")")
	if grep -q '^time: .*(pit' <<<"$OUT"; then
		ppm=$(sed -n 's/^time: .*(pit, within \([0-9]*\) ppm)$/\1/p' <<<"$OUT")
		ok "$(within 0 "$ppm" 200)" "$m: the PIT calibration says how sure it is: within ${ppm:-?} ppm (at most 200)"
	fi
	# delay_us() against time_ns(): the same TSC on both sides, so only
	# "never returns early" is a property of the code; how long it took
	# beyond that is the host's scheduling, and the clock's rate is
	# checked against the host's below.
	like "$OUT" '^hello: clock .* a 10 ms delay took (9[5-9][0-9]{2}|[1-9][0-9]{4,}) us' \
		"$m: delay_us(10000) does not return before 9.5 ms on the guest's own clock"
	like "$OUT" '^kernel config: loglevel=debug config=\(none\)' "$m: parsed command line printed"
	like "$OUT" '^hello: cpu_idle\(1 ms\) halted and took (9[5-9][0-9]|[1-9][0-9]{3}) us' \
		"$m: idle halts and the APIC timer wakes it after at least 1 ms"
	like "$OUT" '^skiff: exit 0$' "$m: final exit line"
done

run_guest hello -M pc --append "loglevel=debug"
like "$OUT" '^pci: +00:00\.0 8086:1237 class 06\.00\.00' "pc: i440FX host bridge in the PCI list"
like "$OUT" '^pci: +BAR4 io 0xc000 size 0x10' "pc: IDE BAR sized"
run_guest hello -M q35 --append "loglevel=debug"
like "$OUT" '^pci: +00:00\.0 8086:29c0' "q35: Q35 host bridge in the PCI list"
like "$OUT" '^pci: +BAR5 mem32 0xfebff000 size 0x1000' "q35: AHCI memory BAR sized"
like "$OUT" 'capabilities \(id@offset\): 05@80 12@a8' "q35: capability list walked"
run_guest hello -M microvm
like "$OUT" '^pci: no PCI bus' "microvm: no PCI bus, said plainly"

# The guest's clock against the host's. pktgen sends for duration=4 s by its
# calibrated TSC (ns_to_tsc) and reports how long that took by the same
# clock (tsc_to_ns); the host stamps the console lines as they arrive. A
# calibration 20% off would make the host see 3.3 or 5 s: both checks allow
# 10%: the calibration is far closer (checked above), but the host stamps
# lines as a busy host schedules their reader.
for m in pc q35; do
	run_guest_timed pktgen -M "$m" --net sink --append "duration=4 rate=1000"
	guest=$(sed -n 's/^pktgen summary elapsed=\([0-9.]*\) .*/\1/p' <<<"$OUT")
	host=$(host_seconds '^pktgen: sending' '^pktgen summary ')
	ok "$(within 3.6 "$host" 4.4)" "$m: duration=4 lasts ${host:-?} s by the host's clock (within 10%)"
	ok "$(within 0.9 "$(awk -v h="$host" -v g="$guest" 'BEGIN { if (g > 0) print h / g }')" 1.1)" \
		"$m: the guest says it took ${guest:-?} s (within 10% of the host's)"
done

# pc, q35 and microvm measure one TSC (the host's, or the hypervisor's
# virtual one) through the same PIT: their figures must agree to 0.1%.
lo=$(printf '%s\n' "${mhz[@]}" | sort -g | head -1)
hi=$(printf '%s\n' "${mhz[@]}" | sort -g | tail -1)
ok "$(within 0 "$(awk -v l="$lo" -v h="$hi" 'BEGIN { if (l > 0) print (h - l) / l }')" 0.001)" \
	"three machines calibrate the same TSC to within 0.1%: ${mhz[*]} MHz"

# A machine without a PIT: a warning naming the guess, and the boot goes on.
SKIFF_QEMU_ARGS="-machine pit=off" run_guest hello -M microvm
is "$RC" 0 "microvm without a PIT: hello still exits 0"
like "$OUT" '^warn: time: could not calibrate the TSC; assuming 1 GHz' \
	"microvm without a PIT: the guessed clock is said plainly"

run_guest hello -M pc
like "$OUT" '^hello: pool: took all 256 netbufs, then none left; in use 256$' \
	"the netbuf pool works in the kernel: 256 taken, the 257th refused"
like "$OUT" '^hello: pool: given back, in use 0, gets 256, puts 256, empty 1$' \
	"and all given back, counted"
unlike "$OUT" '^pci: +00:' "PCI list hidden at the default loglevel"
like "$OUT" '^hello: +00:01\.0 8086:7000 class 06\.01' "hello prints the PCI devices itself"

run_guest hello --multiboot --append "crash=none"
is "$RC" 0 "multiboot: hello exits 0"
like "$OUT" '^boot: multiboot, command line "crash=none"' \
	"multiboot: kernel path dropped from the command line"
like "$OUT" '^hello: done' "multiboot: NF ran"

run_guest hello -M pc --mem 2048 --append "loglevel=debug"
is "$RC" 0 "2 GiB guest boots"
like "$OUT" '^mem: (20[0-9][0-9]|19[0-9][0-9]) MiB usable' "2 GiB counted"

run_guest hello -M q35 --mem 5120
is "$RC" 0 "5 GiB guest (RAM above 4 GiB mapped) boots"
like "$OUT" '^mem: (50[0-9][0-9]|51[0-9][0-9]) MiB usable' "5 GiB counted"
like "$OUT" '^hello: highest RAM byte 0x1[0-9a-f]{8} is mapped' "RAM above 4 GiB is mapped"

done_testing
