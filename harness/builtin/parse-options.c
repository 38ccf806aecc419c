// SPDX-License-Identifier: GPL-2.0
/*
 * A small option parser in git's parse-options shape (see parse-options.h).
 * Not getopt_long: getopt keeps global state, prints its own messages
 * without the command's name, and cannot reset the variables of a table.
 */
#define _GNU_SOURCE
#include "parse-options.h"

#include <stdlib.h>
#include <string.h>

static void reset(const struct option_desc *o)
{
	for (; o->type != OPT_END_T; o++) {
		switch (o->type) {
		case OPT_BOOL_T:
			*(bool *)o->value = false;
			break;
		case OPT_STRING_T:
			*(const char **)o->value = NULL;
			break;
		case OPT_STRV_T:
		case OPT_CONFIG_T:
			/* OPT_CONFIG options of one table may share a list */
			strv_free(o->value);
			break;
		case OPT_UINT_T:
			*(unsigned int *)o->value = 0;
			break;
		case OPT_CALLBACK_T:
			o->cb(o->value, NULL);
			break;
		case OPT_END_T:
			break;
		}
	}
}

/* "--name" or "-c", as the user would type it, for messages. */
static char *opt_name(const struct option_desc *o)
{
	if (o->long_name)
		return xasprintf("--%s", o->long_name);
	return xasprintf("-%c", o->short_name);
}

static int take(const char *cmd, const struct option_desc *o, const char *arg)
{
	char *name;
	uint64_t u;
	int ret = 0;

	/* an empty value is a slip (-o "$UNSET"): -o '' would write into / */
	if (o->argh && arg && !*arg) {
		name = opt_name(o);
		fprintf(stderr, "zdbench %s: %s: empty value\n", cmd, name);
		free(name);
		return -1;
	}
	switch (o->type) {
	case OPT_BOOL_T:
		*(bool *)o->value = true;
		return 0;
	case OPT_STRING_T:
		/* one value: a second -c or -o would silently win */
		if (*(const char **)o->value) {
			name = opt_name(o);
			fprintf(stderr, "zdbench %s: %s given twice\n", cmd, name);
			free(name);
			return -1;
		}
		*(const char **)o->value = arg;
		return 0;
	case OPT_STRV_T:
		strv_push(o->value, arg);
		return 0;
	case OPT_CONFIG_T:
		strv_pushf(o->value, "%s=%s", o->cfg_key, arg);
		return 0;
	case OPT_UINT_T:
		if (!parse_u64(arg, &u) && u >= o->min && u <= o->max) {
			*(unsigned int *)o->value = (unsigned int)u;
			return 0;
		}
		name = opt_name(o);
		fprintf(stderr, "zdbench %s: %s %s: expected an integer in [%u, %u]\n",
			cmd, name, arg, o->min, o->max);
		free(name);
		return -1;
	case OPT_CALLBACK_T:
		if (o->cb(o->value, arg)) {
			name = opt_name(o);
			fprintf(stderr, "zdbench %s: %s %s refused (see above)\n", cmd, name, arg);
			free(name);
			ret = -1;
		}
		return ret;
	case OPT_END_T:
		break;
	}
	return -1;
}

static const struct option_desc *find_long(const struct option_desc *o, const char *name,
					   size_t len)
{
	for (; o->type != OPT_END_T; o++)
		if (o->long_name && strlen(o->long_name) == len &&
		    !strncmp(o->long_name, name, len))
			return o;
	return NULL;
}

static const struct option_desc *find_short(const struct option_desc *o, int c)
{
	for (; o->type != OPT_END_T; o++)
		if (o->short_name && o->short_name == c)
			return o;
	return NULL;
}

static int unknown(const char *cmd, const char *arg)
{
	fprintf(stderr, "zdbench %s: unknown option '%s' (see 'zdbench %s --help')\n",
		cmd, arg, cmd);
	return PARSE_ERROR;
}

int parse_options(const char *cmd, int argc, char **argv,
		  const struct option_desc *opts, const char *usage,
		  const char *exit_help, struct strv *args)
{
	bool dashdash = false;

	reset(opts);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct option_desc *o;

		if (dashdash || a[0] != '-' || !a[1]) {
			strv_push(args, a);
			continue;
		}
		if (!strcmp(a, "--")) {
			dashdash = true;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			print_help(stdout, opts, usage, exit_help);
			return PARSE_HELP;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');

			o = find_long(opts, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
			if (!o)
				return unknown(cmd, a);
			if (eq && !o->argh) {
				fprintf(stderr, "zdbench %s: --%s takes no value\n", cmd, o->long_name);
				return PARSE_ERROR;
			}
			val = eq ? eq + 1 : NULL;
		} else {
			o = find_short(opts, a[1]);
			if (!o)
				return unknown(cmd, a);
			if (a[2] && !o->argh)
				return unknown(cmd, a); /* no bundling of flags */
			val = a[2] ? a + 2 : NULL;
		}
		if (o->argh && !val) {
			if (i + 1 >= argc) {
				char *name = opt_name(o);

				fprintf(stderr, "zdbench %s: %s needs a value (%s)\n", cmd, name,
					o->argh);
				free(name);
				return PARSE_ERROR;
			}
			val = argv[++i];
		}
		if (take(cmd, o, val))
			return PARSE_ERROR;
	}
	return PARSE_OK;
}

void print_help(FILE *f, const struct option_desc *opts, const char *usage,
		const char *exit_help)
{
	fputs(usage, f);
	fputs("\noptions:\n", f);
	for (const struct option_desc *o = opts; o->type != OPT_END_T; o++) {
		char spec[64];
		int n = 0;

		if (o->short_name)
			n = snprintf(spec, sizeof(spec), "-%c%s", o->short_name,
				     o->long_name ? ", " : "");
		else
			n = snprintf(spec, sizeof(spec), "    ");
		if (o->long_name)
			n += snprintf(spec + n, sizeof(spec) - n, "--%s", o->long_name);
		if (o->argh)
			snprintf(spec + n, sizeof(spec) - n, " %s", o->argh);
		fprintf(f, "  %-30s %s\n", spec, o->help ? o->help : "");
	}
	fprintf(f, "  %-30s %s\n", "-h, --help", "this text");
	if (exit_help)
		fprintf(f, "\n%s", exit_help);
}
