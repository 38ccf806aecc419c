/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_GIT_H
#define ZD_GIT_H

/*
 * git, run the same way everywhere: an argv (never a shell), a fixed author,
 * committer and dates (so an imported tree always gets the same commit id),
 * and no system-wide git config.
 */

/*
 * Run `git -C tree args...` (args NULL-terminated, without "git"), killing it
 * after timeout seconds (0: none). Its stdout, trimmed, goes to *out (the
 * caller frees it) if out is non-NULL; its stderr to ours. 0 if git exited 0,
 * else -1 (*out untouched); a timeout is reported, other failures only with
 * ZDBENCH_DEBUG set, since callers often ask git questions that may say no.
 */
int git_run(const char *tree, char *const args[], char **out, double timeout);
/* `git rev-parse --verify --quiet what`: the full object id in *out; -1 if none. */
int git_rev_parse(const char *tree, const char *what, char **out);

#endif
