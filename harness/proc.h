/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_PROC_H
#define ZD_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

/*
 * Child processes are started with execvp and an argv array, never through a
 * shell, in their own process group so a timeout can kill the whole tree.
 */
struct proc_opts {
	const char *cwd;
	char *const *env;	  /* extra NAME=VALUE entries, NULL-terminated */
	const char *out_path;	  /* stdout+stderr appended here */
	struct sbuf *capture;	  /* or captured here (stdout only) */
	int (*line_cb)(void *ctx, const char *line); /* or fed line by line */
	void *ctx;
	const char *in_path;	  /* stdin from this file, else /dev/null */
	double timeout;		  /* seconds; 0: none */
	bool quiet_stderr;	  /* with capture/line_cb: stderr to /dev/null */
	bool merge_stderr;	  /* with capture: stderr captured too */
};

struct proc_result {
	int exit_code;	 /* -1 if killed by a signal */
	int signal;
	bool timed_out;
	bool exec_failed; /* command not found or not executable */
};

int proc_spawn(char *const argv[], const struct proc_opts *o, int *pipe_out);
int proc_run(char *const argv[], const struct proc_opts *o,
	     struct proc_result *r);
/* SIGTERM the group, wait up to grace seconds, then SIGKILL. */
void proc_kill_group(pid_t pid, double grace, int *status);
void proc_status(int status, struct proc_result *r);
/* Locate an executable on PATH (or a path as given); NULL if absent. */
char *which(const char *name);

#endif
