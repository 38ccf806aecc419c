/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sh(FMT, ...): a test fixture's shell line (git init, format-patch, ...),
 * run with system(); its exit status, the line printed when it failed.
 * Only for fixtures a test writes itself: never with input from a result,
 * a config or a console.
 */
#ifndef ZD_TESTS_SHELL_H
#define ZD_TESTS_SHELL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));

static int sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	r = system(cmd);
	if (r)
		fprintf(stderr, "failed (%d): %s\n", r, cmd);
	free(cmd);
	return r;
}

#endif
