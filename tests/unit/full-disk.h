/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A disk that fills up, for the unit tests of what writes files (plot,
 * nightly): RLIMIT_FSIZE stands in, so writes past 4 KiB fail, in gnuplot
 * too. Include after cmocka.h.
 */
#ifndef ZD_TEST_FULL_DISK_H
#define ZD_TEST_FULL_DISK_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* fn(ctx) in a child with 4 KiB of file size, stderr to errpath: its exit status. */
static inline int run_on_full_disk(int (*fn)(void *ctx), void *ctx, const char *errpath)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct rlimit rl = { 4096, 4096 };
		int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 2);
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		_exit(fn(ctx));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* PNG, SVG and temporaries (gnuplot's or ours) left in dir: a count. */
static inline int count_plot_files(const char *dir)
{
	char *cmd = xasprintf("ls -a '%s' 2>/dev/null | grep -c '\\.png\\|\\.svg\\|tmp\\|gnuplot'", dir);
	FILE *f = popen(cmd, "r");
	char out[32] = "";

	assert_non_null(f);
	assert_non_null(fgets(out, sizeof(out), f));
	pclose(f);
	free(cmd);
	return atoi(out);
}

#endif
