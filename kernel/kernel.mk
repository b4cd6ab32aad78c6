# The kernel proper: boot, cpu, smp, memory, console, time, pci, config, ramfs.
KERNEL_SRCS += \
	kernel/boot/entry.S \
	kernel/boot/bootinfo.c \
	kernel/main.c \
	kernel/panic.c \
	kernel/shutdown.c \
	kernel/cpu/cpu.c \
	kernel/cpu/gdt.c \
	kernel/cpu/idt.c \
	kernel/cpu/lapic.c \
	kernel/cpu/trap_entry.S \
	kernel/cpu/traps.c \
	kernel/smp/acpi.c \
	kernel/smp/discover.c \
	kernel/smp/fwtable.c \
	kernel/smp/ipi.c \
	kernel/smp/launch.c \
	kernel/smp/mptable.c \
	kernel/smp/start.c \
	kernel/smp/stop.c \
	kernel/smp/trampoline.S \
	kernel/mem/memmap.c \
	kernel/mem/mem.c \
	kernel/mem/paging.c \
	kernel/console/serial.c \
	kernel/console/fmt.c \
	kernel/console/printf.c \
	kernel/time/tsc.c \
	kernel/time/pit.c \
	kernel/pci/pci.c \
	kernel/bus/probe.c \
	kernel/bus/mmio.c \
	kernel/cmdline/kv.c \
	kernel/cmdline/value.c \
	kernel/cmdline/params.c \
	kernel/cmdline/config.c \
	kernel/ramfs/cpio.c \
	kernel/lib/string.c

# See kernel/lib/string.c for why.
CFLAGS_string := -fno-lto -fno-tree-loop-distribute-patterns
