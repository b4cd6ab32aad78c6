/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared between the files of kernel/smp/ (the public side is include/skiff/smp.h). */
#ifndef SKIFF_KERNEL_SMP_INTERNAL_H
#define SKIFF_KERNEL_SMP_INTERNAL_H

#include "cpus.h"

/* What smp_discover() found, and what cpus= asks for. */
extern struct cpu_list smp_cpus;
unsigned smp_cpus_wanted(void);

#endif
