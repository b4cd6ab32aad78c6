/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiler helpers shared by the kernel, the drivers, the NFs and the hosted
 * unit tests. Nothing here depends on the kernel: this header must compile
 * both freestanding and against glibc (SKIFF_HOSTED).
 */
#ifndef SKIFF_COMPILER_H
#define SKIFF_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define CACHE_LINE 64

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define __aligned(n)	__attribute__((aligned(n)))
#define __cache_aligned	__aligned(CACHE_LINE)
#define __packed	__attribute__((packed))
#define __noreturn	__attribute__((noreturn))
#define __maybe_unused	__attribute__((unused))
#define __used		__attribute__((used))
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define __section(s)	__attribute__((section(s)))
#ifndef __always_inline	/* glibc's sys/cdefs.h has the same */
#define __always_inline	inline __attribute__((always_inline))
#endif
#define __noinline	__attribute__((noinline))

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a)	(((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_POW2(x)	((x) != 0 && (((x) & ((x) - 1)) == 0))

#define STATIC_ASSERT(c, msg) _Static_assert(c, msg)

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* Compiler-only barrier: stops the compiler from reordering or caching. */
#define barrier()	__asm__ __volatile__("" ::: "memory")

/*
 * CPU barriers for memory shared with devices and other cores. x86 is TSO:
 * stores are not reordered with older stores and loads not with older loads,
 * so wmb/rmb only need to stop the compiler; a store followed by a load of
 * another location can be reordered, which is what mb() (mfence) is for.
 */
#if defined(__x86_64__)
#define mb()	__asm__ __volatile__("mfence" ::: "memory")
#define rmb()	barrier()
#define wmb()	barrier()
#else
#define mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

static inline void cpu_relax(void)
{
#if defined(__x86_64__)
	__asm__ __volatile__("pause" ::: "memory");
#endif
}

#endif /* SKIFF_COMPILER_H */
