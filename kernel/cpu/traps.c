/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fatal CPU exceptions: stop the other CPUs, print what is needed to find
 * the fault with `addr2line -e build/obj/<tag>/<nf>.elf <RIP>` and which CPU
 * took it, and stop with EXIT_FAULT. An NMI is how one CPU stops the others
 * (kernel/smp/stop.c): then it is no fault, and the CPU parks.
 */
#include <skiff/console.h>
#include <skiff/shutdown.h>
#include "../kernel.h"
#include "cpu.h"
#include "percpu.h"

static const char *const names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault", "coprocessor overrun",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
};

void trap_handler(struct trap_frame *f);

/* Frame-pointer walk: only DEBUG=1 builds keep frame pointers. */
static void backtrace(uint64_t rbp)
{
	uint64_t lo = this_cpu()->stack_lo, hi = this_cpu()->stack_hi;

#ifndef SKIFF_DEBUG
	printf("backtrace: build with DEBUG=1 for one\n");
	return;
#endif
	printf("backtrace:");
	for (int depth = 0; depth < 16; depth++) {
		if (rbp < lo || rbp + 16 > hi || (rbp & 7))
			break;
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
		printf(" %#llx", (unsigned long long)frame[1]);
		rbp = frame[0];
	}
	printf("\n");
}

void trap_handler(struct trap_frame *f)
{
	const char *name = f->vector < 32 && names[f->vector] ? names[f->vector]
							      : "reserved";

	if (f->vector == VEC_NMI && smp_stopping())
		smp_park();
	smp_stop_others();
	printf("\n*** CPU EXCEPTION %llu (%s) on cpu %u, error code %#llx\n",
	       (unsigned long long)f->vector, name, cpu_id(),
	       (unsigned long long)f->error);
	printf("RIP 0x%016llx  CS %#llx  RFLAGS %#llx\n",
	       (unsigned long long)f->rip, (unsigned long long)f->cs,
	       (unsigned long long)f->rflags);
	printf("CR2 0x%016llx  CR3 %#llx  RSP 0x%016llx\n",
	       (unsigned long long)read_cr2(), (unsigned long long)read_cr3(),
	       (unsigned long long)f->rsp);
	printf("RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n",
	       (unsigned long long)f->rax, (unsigned long long)f->rbx,
	       (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	printf("RSI %016llx RDI %016llx RBP %016llx R8  %016llx\n",
	       (unsigned long long)f->rsi, (unsigned long long)f->rdi,
	       (unsigned long long)f->rbp, (unsigned long long)f->r8);
	printf("R9  %016llx R10 %016llx R11 %016llx R12 %016llx\n",
	       (unsigned long long)f->r9, (unsigned long long)f->r10,
	       (unsigned long long)f->r11, (unsigned long long)f->r12);
	printf("R13 %016llx R14 %016llx R15 %016llx\n",
	       (unsigned long long)f->r13, (unsigned long long)f->r14,
	       (unsigned long long)f->r15);
	backtrace(f->rbp);
	printf("find it: addr2line -fie build/obj/%s/%s.elf %#llx  (revision %s)\n",
	       build_tag, build_image, (unsigned long long)f->rip, build_rev);
	smp_report_stop();
	shutdown(EXIT_FAULT);
}
