/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Error numbers. Skiff functions that can fail return 0 or a negative one of
 * these. The values are Linux's, so a hosted build can use the C library's
 * <errno.h> (and strerror) without a clash.
 */
#ifndef SKIFF_ERRNO_H
#define SKIFF_ERRNO_H

#ifdef SKIFF_HOSTED
#include <errno.h>
#else
#define EIO		5	/* the device failed or refused */
#define ENOMEM		12	/* out of memory */
#define ENODEV		19	/* no such device */
#define EINVAL		22	/* invalid argument */
#define ENOSPC		28	/* no space left (ring or queue full) */
#define EOVERFLOW	75	/* value too large for its field */
#define ENOTSUP		95	/* the device cannot do that */
#define ENOBUFS		105	/* no buffer available (pool empty) */
#define ETIMEDOUT	110	/* the device did not answer in time */
#endif

#endif
