// SPDX-License-Identifier: GPL-2.0
/*
 * What every command shares: the config options, loading the config once
 * for a NEED_CONFIG command, the reproducer line, and run_builtin(), the
 * one path from argv to a command (main and the tests both take it).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "util.h"

struct cfg_opts cfg_opts;

/* The project folder: $ZDBENCH_HOME, else two levels above build/zdbench. */
char *project_dir(void)
{
	const char *env = getenv("ZDBENCH_HOME");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return xstrdup(".");
	exe[n] = '\0';
	for (int i = 0; i < 2; i++) {
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
	}
	return xstrdup(exe[0] ? exe : "/");
}

/* --tree DIR: two overrides, so it lands in order with the other -s. */
int opt_tree_cb(void *value, const char *arg)
{
	struct strv *sets = value;

	if (!arg)
		return 0; /* reset: the list is cleared with the others */
	strv_push(sets, "kernel.source=tree");
	strv_pushf(sets, "kernel.tree=%s", arg);
	cfg_opts.tree = true;
	return 0;
}

static char *join_list(const struct strv *sv)
{
	return sv->n ? strv_join(sv, " ") : NULL;
}

/*
 * Built-in defaults, then the config file, then the command line in its
 * order (-s and the options that stand for keys), then --variant and
 * --workload; then the cross-field checks. Every error is printed, each
 * naming file:line:key, not only the first.
 */
static struct zd_config *load_config(const struct builtin *b, struct cmd_ctx *ctx)
{
	struct zd_config *c = config_new();
	const char *path = cfg_opts.path;
	char *l;

	c->project_dir = project_dir();
	if ((b->flags & CONFIG_ARG) && ctx->args.n == 1 && !path)
		path = ctx->args.v[0];
	config_load_defaults(c);
	if (path)
		config_load_file(c, path);
	for (size_t i = 0; i < cfg_opts.sets.n; i++)
		config_set_override(c, cfg_opts.sets.v[i]);
	if ((b->flags & TREE_REVS) && (l = join_list(&ctx->args))) {
		list_set(&c->variants, l); /* revisions of --tree, in their order */
		free(l);
	} else if ((l = join_list(&cfg_opts.variants))) {
		list_set(&c->variants, l);
		free(l);
	}
	if ((l = join_list(&cfg_opts.workloads))) {
		list_set(&c->run_workloads, l);
		free(l);
	}
	if (config_validate(c)) {
		for (size_t i = 0; i < c->errors.n; i++)
			fprintf(stderr, "zdbench %s: %s\n", b->name, c->errors.v[i]);
		fprintf(stderr, "zdbench %s: %zu configuration error%s\n", b->name,
			c->errors.n, c->errors.n == 1 ? "" : "s");
		config_free(c);
		return NULL;
	}
	return c;
}

int run_builtin(const struct builtin *b, int argc, char **argv)
{
	struct cmd_ctx ctx = { .cmd = b->name };
	struct sbuf repro = { 0 };
	int usage_exit = b->usage_exit ? b->usage_exit : ZD_EXIT_USAGE;
	int ret;

	sbuf_addstr(&repro, "zdbench");
	for (int i = 0; i < argc; i++) {
		sbuf_addstr(&repro, " ");
		sbuf_add_quoted(&repro, argv[i]);
	}
	ctx.reproducer = sbuf_detach(&repro, NULL);
	memset(&cfg_opts, 0, sizeof(cfg_opts));
	ret = parse_options(b->name, argc, argv, b->options, b->usage,
			    b->exit_help ? b->exit_help : ZD_EXIT_HELP, &ctx.args);
	if (ret == PARSE_HELP) {
		ret = 0;
		goto out;
	}
	if (ret == PARSE_ERROR) {
		ret = usage_exit;
		goto out;
	}
	zd_set_quiet(cfg_opts.quiet);
	if ((b->flags & NEED_CONFIG) || ((b->flags & TREE_REVS) && cfg_opts.tree)) {
		ctx.cfg = load_config(b, &ctx);
		if (!ctx.cfg) {
			ret = usage_exit;
			goto out;
		}
	}
	ret = b->fn(&ctx);
out:
	/*
	 * What the command printed must have arrived: `config > /dev/full`
	 * is a failure, said here, once for every command (--help too).
	 */
	errno = 0;
	if (fflush(stdout) || ferror(stdout)) {
		int e = errno;

		fprintf(stderr, "zdbench %s: cannot write the output (stdout)%s%s\n", b->name,
			e ? ": " : "", e ? strerror(e) : "");
		clearerr(stdout);
		if (ret == ZD_EXIT_CLEAN)
			ret = ZD_EXIT_INFRA;
	}
	config_free(ctx.cfg);
	strv_free(&ctx.args);
	strv_free(&cfg_opts.sets);
	strv_free(&cfg_opts.variants);
	strv_free(&cfg_opts.workloads);
	free(ctx.reproducer);
	return ret;
}
