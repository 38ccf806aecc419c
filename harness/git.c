// SPDX-License-Identifier: GPL-2.0
/* Running git: see git.h. */
#define _GNU_SOURCE
#include "git.h"

#include <stdlib.h>

#include "proc.h"
#include "util.h"

static char *const git_env[] = {
	"GIT_AUTHOR_NAME=zdbench", "GIT_AUTHOR_EMAIL=zdbench@localhost",
	"GIT_COMMITTER_NAME=zdbench", "GIT_COMMITTER_EMAIL=zdbench@localhost",
	"GIT_AUTHOR_DATE=2024-11-17T00:00:00Z",
	"GIT_COMMITTER_DATE=2024-11-17T00:00:00Z",
	"GIT_CONFIG_NOSYSTEM=1", NULL
};

int git_run(const char *tree, char *const args[], char **out, double timeout)
{
	struct strv av = { 0 };
	struct sbuf cap = { 0 };
	struct proc_opts o = { .env = git_env, .timeout = timeout };
	struct proc_result r;
	int ret = -1;

	strv_push(&av, "git");
	strv_push(&av, "-C");
	strv_push(&av, tree);
	for (char *const *a = args; *a; a++)
		strv_push(&av, *a);
	/* stdout is captured; git's own complaints go to our stderr. */
	o.capture = &cap;
	if (proc_run(av.v, &o, &r) || r.exit_code != 0) {
		if (r.exec_failed)
			zd_err("git not found: install it (scripts/install-deps.sh)");
		else if (getenv("ZDBENCH_DEBUG"))
			zd_err("git %s: exit %d signal %d", args[0], r.exit_code, r.signal);
		if (r.timed_out)
			zd_err("git %s timed out after %.0fs in %s", args[0], timeout, tree);
		goto out;
	}
	if (out)
		*out = xstrdup(cap.len ? trim(cap.buf) : "");
	ret = 0;
out:
	sbuf_free(&cap);
	strv_free(&av);
	return ret;
}

int git_rev_parse(const char *tree, const char *what, char **out)
{
	char *args[] = { "rev-parse", "--verify", "--quiet", (char *)what, NULL };

	return git_run(tree, args, out, 60);
}
