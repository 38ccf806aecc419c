/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_PARSE_OPTIONS_H
#define ZD_PARSE_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "util.h"

/*
 * Per-command option tables in git's parse-options shape: each command
 * declares what it takes, and anything else is an error that names the
 * command and the option. An option's variable holds what the command line
 * said, zero/NULL/empty if it said nothing: parse_options() resets every
 * variable of the table first, and the command applies its own default.
 */
enum opt_type {
	OPT_END_T,
	OPT_BOOL_T,	/* bool *: set by the flag, takes no value */
	OPT_STRING_T,	/* const char **: given once (twice is an error) */
	OPT_STRV_T,	/* struct strv *: each occurrence appended (repeatable) */
	OPT_UINT_T,	/* unsigned int *: in [min, max] */
	OPT_CONFIG_T,	/* struct strv *: appends "cfg_key=VALUE", a -s override */
	OPT_CALLBACK_T,	/* cb(value, arg): -1 after printing why; arg NULL resets */
};

struct option_desc {
	enum opt_type type;
	int short_name;		/* 0: none */
	const char *long_name;
	void *value;
	const char *argh;	/* the value's name in help ("FILE"); NULL: a flag */
	const char *help;
	unsigned int min, max;	/* OPT_UINT */
	const char *cfg_key;	/* OPT_CONFIG: "run.reps" */
	int (*cb)(void *value, const char *arg);
};

#define OPT_BOOL(s, l, v, h) { OPT_BOOL_T, (s), (l), (v), NULL, (h) }
#define OPT_STRING(s, l, v, a, h) { OPT_STRING_T, (s), (l), (v), (a), (h) }
#define OPT_STRV(s, l, v, a, h) { OPT_STRV_T, (s), (l), (v), (a), (h) }
#define OPT_UINT(s, l, v, a, lo, hi, h) { OPT_UINT_T, (s), (l), (v), (a), (h), (lo), (hi) }
#define OPT_CONFIG(l, v, a, key, h) { OPT_CONFIG_T, 0, (l), (v), (a), (h), 0, 0, (key) }
#define OPT_CALLBACK(s, l, v, a, fn, h) { OPT_CALLBACK_T, (s), (l), (v), (a), (h), 0, 0, NULL, (fn) }
#define OPT_END() { OPT_END_T }

enum parse_result { PARSE_OK = 0, PARSE_HELP = 1, PARSE_ERROR = -1 };

/*
 * Parse argv[1..argc-1] of command cmd against opts. Options and positional
 * arguments may interleave (GNU style); "--" ends the options; "-" alone is
 * a positional argument (stdin). Positional arguments go to args in order.
 * -h/--help prints the help (usage, the options, the exit table) to stdout
 * and returns PARSE_HELP. A value is never empty. An unknown option, a missing or unexpected value,
 * or a value a checker refuses prints "zdbench CMD: ..." naming the option
 * and returns PARSE_ERROR.
 */
int parse_options(const char *cmd, int argc, char **argv,
		  const struct option_desc *opts, const char *usage,
		  const char *exit_help, struct strv *args);
/* The help text: usage, then one line per option, then the exit table. */
void print_help(FILE *f, const struct option_desc *opts, const char *usage,
		const char *exit_help);

#endif
