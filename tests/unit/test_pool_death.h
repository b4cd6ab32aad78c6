/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Death tests for the pool, heap and netbuf unit tests: run the bad operation
 * in a forked child, then check that it died of SIGABRT (hosted panic()
 * aborts) and that its stderr says what we expect.
 */
#ifndef TEST_POOL_DEATH_H
#define TEST_POOL_DEATH_H

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tap.h"

/*
 * Runs fn(arg) in a child with stderr captured into out[0..len). Returns the
 * signal that ended the child, or 0 if it exited.
 */
static int run_in_child(void (*fn)(void *), void *arg, char *out, size_t len)
{
	int fds[2], status;
	size_t got = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		fn(arg);
		_exit(0);
	}
	close(fds[1]);
	while (got + 1 < len && (r = read(fds[0], out + got, len - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* Two TAP results: the child aborted, and its stderr contains each of @want. */
static void dies_with(const char *name, void (*fn)(void *), void *arg,
		      const char *const *want)
{
	char out[4096];
	int sig = run_in_child(fn, arg, out, sizeof(out));
	int all = 1;

	ok(sig == SIGABRT, "%s: aborts (signal %d)", name, sig);
	for (; *want; want++)
		all &= strstr(out, *want) != NULL;
	if (!ok(all, "%s: message names the culprit", name))
		printf("#   stderr: %s\n", out);
}

#define DIES_WITH(name, fn, arg, ...) \
	dies_with(name, fn, arg, (const char *const[]){ __VA_ARGS__, NULL })

#endif
