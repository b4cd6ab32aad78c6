/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hello: the smoke test for every change. Prints what the kernel found
 * (memory, clock, PCI devices, every CPU; the banner and the parsed settings
 * come from the kernel) and exits 0. crash= makes it fail on purpose, on the
 * CPU crash_cpu= names, so tests can check that faults are reported, name
 * their CPU and stop the VM with a non-zero status.
 */
#include <skiff/console.h>
#include <skiff/idle.h>
#include <skiff/mem.h>
#include <skiff/netdev.h>
#include <skiff/nf.h>
#include <skiff/panic.h>
#include <skiff/pci.h>
#include <skiff/smp.h>
#include <skiff/time.h>

static const char *const crash_kinds[] = {
	"none", "null", "ud", "div", "gp", "panic", "assert", NULL,
};
enum { CRASH_NONE, CRASH_NULL, CRASH_UD, CRASH_DIV, CRASH_GP, CRASH_PANIC, CRASH_ASSERT };
static unsigned crash;
static uint64_t crash_cpu;

static const struct param params[] = {
	PARAM_CHOICE("crash", crash, crash_kinds,
		     "fail on purpose: NULL write, invalid opcode, divide by zero, "
		     "general protection, panic, assert"),
	PARAM_INT("crash_cpu", crash_cpu, 0, SKIFF_MAX_CPUS - 1,
		  "the CPU that does the crash="),
};

/* Not inlined: the fault tests resolve RIP to this name. */
static __noinline void do_crash(void)
{
	volatile int zero = 0;

	switch (crash) {
	case CRASH_NULL:
		*(volatile uint64_t *)(uintptr_t)zero = 0xdead;
		break;
	case CRASH_UD:
		__asm__ __volatile__("ud2");
		break;
	case CRASH_DIV: {
		/* In asm: gcc may legally turn a C division by zero into anything. */
		uint32_t eax = 1, edx = 0, divisor = (uint32_t)zero;
		__asm__ __volatile__("divl %2" : "+a"(eax), "+d"(edx) : "r"(divisor));
		break;
	}
	case CRASH_GP:
		/* A non-canonical address. */
		*(volatile uint64_t *)0x8000000000000000ULL = 1;
		break;
	case CRASH_PANIC:
		panic("crash=panic requested");
	case CRASH_ASSERT:
		assert(zero == 1);
		break;
	}
}

static int crash_on_worker(void *unused)
{
	do_crash();
	return EXIT_OK;
}

/* crash= on crash_cpu; EXIT_CONFIG if there is no such CPU. */
static int crash_there(void)
{
	if (crash == CRASH_NONE)
		return EXIT_OK;
	if (crash_cpu == 0) {
		do_crash();
		return EXIT_OK;
	}
	if (crash_cpu >= cpu_count()) {
		printf("hello: crash_cpu=%llu, but there %s only %u CPU%s\n",
		       (unsigned long long)crash_cpu, cpu_count() == 1 ? "is" : "are",
		       cpu_count(), cpu_count() == 1 ? "" : "s");
		return EXIT_CONFIG;
	}
	smp_launch((unsigned)crash_cpu, crash_on_worker, NULL);
	return smp_wait((unsigned)crash_cpu);	/* the fault stops the VM first */
}

/* What each CPU says about itself. */
struct cpu_report {
	unsigned id;		/* its cpu_id() */
	uint64_t idle_ns;	/* a cpu_idle(1 ms) took */
	uint64_t wakeups;	/* APIC timer interrupts it took meanwhile */
};

static struct cpu_report reports[SKIFF_MAX_CPUS];

static int report_in(void *arg)
{
	struct cpu_report *r = &((struct cpu_report *)arg)[cpu_id()];
	uint64_t w0 = cpu_idle_wakeups(), t0 = time_ns(), spent;

	/* Any interrupt ends a halt (idle.h). A launch kick can still be on
	 * its way when the worker has already seen its slot BUSY and started
	 * (launch.c: both sides look at each other, so the launcher may kick
	 * a worker that did not sleep): it cuts the first halt short. Halt
	 * again for what is left of the 1 ms, a few times at most. */
	for (unsigned i = 0; i < 4 && (spent = time_ns() - t0) < 1000000; i++)
		cpu_idle(1000000 - spent);
	r->idle_ns = time_ns() - t0;
	r->wakeups = cpu_idle_wakeups() - w0;
	r->id = cpu_id();
	return EXIT_OK;
}

/*
 * Every CPU runs report_in() at once (the workers through the launch API),
 * then CPU 0 prints what they wrote, which smp_wait() makes visible. Each
 * must have seen its own index in cpu_id() and halted on its own timer.
 */
static int cpus_check(void)
{
	unsigned cpu;
	int rc = EXIT_OK;

	memset(reports, 0xff, sizeof(reports));
	if (smp_launch_workers(report_in, reports) != 0) {
		printf("hello: smp_launch_workers failed\n");
		return EXIT_FAIL;
	}
	report_in(reports);
	if (smp_wait_workers() != EXIT_OK)
		rc = EXIT_FAIL;
	for (cpu = 0; cpu < cpu_count(); cpu++) {
		const struct cpu_report *r = &reports[cpu];

		printf("hello: cpu %u: cpu_id() %u, cpu_idle(1 ms) took %llu us, %llu timer"
		       " wake-up%s\n", cpu, r->id, (unsigned long long)(r->idle_ns / 1000),
		       (unsigned long long)r->wakeups, r->wakeups == 1 ? "" : "s");
		if (r->id != cpu || (cpu_idle_halts() && r->wakeups == 0))
			rc = EXIT_FAIL;
	}
	printf("hello: %u CPU%s %s\n", cpu_count(), cpu_count() == 1 ? "" : "s",
	       rc == EXIT_OK ? "reported in" : "did NOT all report in right");
	return rc;
}

/* The packet-buffer pool works in the kernel: take every netbuf, give them back. */
static void pool_check(void)
{
	struct netbuf_pool *np = netbuf_pool_alloc("hello", 256, 2048 - 64, 32);
	struct netbuf *bufs[256];
	struct netbuf_pool_stats st;

	if (!np)
		return;
	int all = netbuf_alloc_bulk(np, bufs, 256);
	struct netbuf *extra = netbuf_alloc(np);
	netbuf_pool_stats(np, &st);
	printf("hello: pool: took %s netbufs, then %s; in use %llu\n",
	       all == 0 ? "all 256" : "fewer than 256", extra ? "one more (wrong)" : "none left",
	       (unsigned long long)st.in_use);
	if (all == 0)
		netbuf_free_bulk(bufs, 256);
	netbuf_free(extra);
	netbuf_pool_stats(np, &st);
	printf("hello: pool: given back, in use %llu, gets %llu, puts %llu, empty %llu\n",
	       (unsigned long long)st.in_use, (unsigned long long)st.allocs,
	       (unsigned long long)st.frees, (unsigned long long)st.fails);
}

static int hello_main(void)
{
	uint64_t t0, t1;
	int rc;

	printf("hello: memory %llu KiB total, %llu KiB used\n",
	       (unsigned long long)(mem_total() >> 10),
	       (unsigned long long)(mem_used() >> 10));
	/* Touch the last byte of RAM: faults if the identity map falls short. */
	volatile uint8_t *last = (volatile uint8_t *)(uintptr_t)(mem_top() - 1);
	*last = *last;
	printf("hello: highest RAM byte %p is mapped\n", (void *)last);
	t0 = time_ns();
	delay_us(10000);
	t1 = time_ns();
	printf("hello: clock %s at %llu Hz; a 10 ms delay took %llu us\n", tsc_source,
	       (unsigned long long)tsc_hz, (unsigned long long)((t1 - t0) / 1000));
	t0 = time_ns();
	cpu_idle(1000000);
	t1 = time_ns();
	printf("hello: cpu_idle(1 ms) %s and took %llu us\n",
	       cpu_idle_halts() ? "halted" : "spun", (unsigned long long)((t1 - t0) / 1000));
	printf("hello: %u PCI functions\n", pci_count());
	for (unsigned i = 0; i < pci_count(); i++) {
		const struct pci_dev *d = pci_get(i);
		printf("hello:   %02x:%02x.%x %04x:%04x class %02x.%02x\n", d->bus,
		       d->dev, d->fn, d->vendor, d->device, d->class, d->subclass);
	}
	pool_check();
	if ((rc = cpus_check()) != EXIT_OK || (rc = crash_there()) != EXIT_OK)
		return rc;
	printf("hello: done\n");
	return EXIT_OK;
}

NF_DEFINE("hello", "prints what the kernel found and exits", params, hello_main);
