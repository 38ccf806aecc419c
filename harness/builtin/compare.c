// SPDX-License-Identifier: GPL-2.0
/*
 * zdbench compare BASE PATCHED: per workload and metric, n, median, mean,
 * stddev, % change with a bootstrap CI, Mann-Whitney significance, the
 * metric's direction and the smallest change the samples could detect;
 * failure signatures side by side. Non-zero exit on a significant
 * regression beyond the threshold.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "result.h"
#include "stats.h"
#include "util.h"

static const char usage[] =
	"usage: zdbench compare BASE PATCHED [--json] [--threshold X%] [--alpha A]\n"
	"\n"
	"BASE and PATCHED are variant folders (results/<run>/<variant>), run\n"
	"folders holding one variant, or RUN:VARIANT (variants inside one run).\n"
	"Exit: 0 no significant regression beyond the threshold (default 0%),\n"
	"1 a regression, 2 error.\n";

struct metric {
	const char *name;
	bool higher_is_better;
};

static const struct metric metrics[] = {
	{ "ns_per_page", false },
	{ "elapsed_ns", false },
};

struct side {
	char *dir;
	struct zd_result *res;
	size_t n;
};

/* "path" or "path:variant" to the folder holding <workload>.json files. */
static char *resolve(const char *arg)
{
	char *spec = xstrdup(arg), *colon = strrchr(spec, ':'), *dir = NULL;
	DIR *d;
	struct dirent *de;
	int found = 0;

	if (colon && !is_dir(spec)) {
		*colon = '\0';
		dir = xasprintf("%s/%s", spec, colon + 1);
		free(spec);
		if (!is_dir(dir)) {
			zd_err("%s: no such variant folder", dir);
			free(dir);
			return NULL;
		}
		return dir;
	}
	if (!is_dir(spec)) {
		zd_err("%s: not a results folder", spec);
		free(spec);
		return NULL;
	}
	/* a run folder: take its only variant */
	d = opendir(spec);
	while (d && (de = readdir(d))) {
		char *sub = path_join(spec, de->d_name);

		if (de->d_name[0] != '.' && is_dir(sub)) {
			found++;
			free(dir);
			dir = sub;
		} else {
			free(sub);
		}
	}
	if (d)
		closedir(d);
	if (found == 1) {
		free(spec);
		return dir;
	}
	free(dir);
	if (found > 1) {
		zd_err("%s holds %d variants: say which, as %s:VARIANT", spec, found, spec);
		free(spec);
		return NULL;
	}
	return spec; /* a variant folder itself */
}

static int load(const char *arg, struct side *s)
{
	DIR *d;
	struct dirent *de;

	memset(s, 0, sizeof(*s));
	s->dir = resolve(arg);
	if (!s->dir)
		return -1;
	d = opendir(s->dir);
	while (d && (de = readdir(d))) {
		char *p, *err = NULL;
		struct zd_result r;

		if (!str_ends(de->d_name, ".json") || !strcmp(de->d_name, "plan.json"))
			continue;
		p = path_join(s->dir, de->d_name);
		if (result_read(p, &r, &err)) {
			zd_err("%s", err);
			free(err);
			free(p);
			closedir(d);
			return -1;
		}
		s->res = xrealloc(s->res, (s->n + 1) * sizeof(r));
		s->res[s->n++] = r;
		free(p);
	}
	if (d)
		closedir(d);
	if (!s->n) {
		zd_err("%s: no results", s->dir);
		return -1;
	}
	return 0;
}

static double *values(const struct zd_result *r, const char *metric, size_t *n)
{
	double *v = xcalloc(r->nr_samples + 1, sizeof(double));

	for (size_t i = 0; i < r->nr_samples; i++)
		v[i] = !strcmp(metric, "ns_per_page") ? r->samples[i].ns_per_page :
		       (double)r->samples[i].elapsed_ns;
	*n = r->nr_samples;
	return v;
}

static const struct zd_result *find(const struct side *s, const char *wl)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->res[i].workload, wl))
			return &s->res[i];
	return NULL;
}

static struct json_object *sigs_json(const struct zd_result *a, const struct zd_result *b)
{
	struct json_object *o = json_object_new_object();
	const struct zd_result *side[2] = { a, b };

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < side[k]->signatures.n; i++) {
			const char *sig = side[k]->signatures.v[i];
			struct json_object *e;

			if (!json_object_object_get_ex(o, sig, &e)) {
				e = json_object_new_object();
				json_object_object_add(e, "base", json_object_new_string("0/1"));
				json_object_object_add(e, "patched", json_object_new_string("0/1"));
				json_object_object_add(o, sig, e);
			}
			json_object_object_add(e, k ? "patched" : "base", json_object_new_string("1/1"));
		}
	return o;
}

int cmd_compare(int argc, char **argv)
{
	struct side a = { 0 }, b = { 0 };
	bool json = false, regress = false, tty = isatty(1);
	double thresh = 0, alpha = 0.05;
	const char *args[2] = { NULL, NULL };
	struct json_object *out = json_object_new_array();
	int nargs = 0, ret = 2;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--threshold") && i + 1 < argc) {
			char *end;

			thresh = strtod(argv[++i], &end) / (*end == '%' ? 100 : 1);
		} else if (!strcmp(argv[i], "--alpha") && i + 1 < argc) {
			alpha = strtod(argv[++i], NULL);
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("%s", usage);
			json_object_put(out);
			return 0;
		} else if (nargs < 2 && argv[i][0] != '-') {
			args[nargs++] = argv[i];
		} else {
			fprintf(stderr, "%s", usage);
			json_object_put(out);
			return 2;
		}
	}
	if (nargs != 2) {
		fprintf(stderr, "%s", usage);
		json_object_put(out);
		return 2;
	}
	if (load(args[0], &a) || load(args[1], &b))
		goto out;
	if (!json)
		printf("%-28s %22s %30s %10s  %s\n", "workload.metric", "base (med ±sd%)",
		       "change [95% CI]", "p (MWU)", "verdict");
	for (size_t i = 0; i < a.n; i++) {
		const struct zd_result *ra = &a.res[i], *rb = find(&b, ra->workload);

		if (!rb)
			continue;
		for (size_t m = 0; m < ARRAY_SIZE(metrics); m++) {
			size_t na, nb;
			double *va = values(ra, metrics[m].name, &na);
			double *vb = values(rb, metrics[m].name, &nb);
			struct cmp_stats s;
			const char *verdict = "no change";
			bool worse;

			if (compare_samples_at(va, na, vb, nb, alpha, &s)) {
				free(va);
				free(vb);
				continue;
			}
			worse = metrics[m].higher_is_better ? s.change < 0 : s.change > 0;
			if (cmp_significant(&s) && fabs(s.change) > thresh) {
				verdict = worse ? "REGRESSION" : "improvement";
				regress |= worse;
			} else if (cmp_significant(&s)) {
				verdict = "within threshold";
			}
			if (json) {
				struct json_object *o = json_object_new_object();

				json_object_object_add(o, "workload", json_object_new_string(ra->workload));
				json_object_object_add(o, "metric", json_object_new_string(metrics[m].name));
				json_object_object_add(o, "direction", json_object_new_string(
					metrics[m].higher_is_better ? "higher is better" : "lower is better"));
				json_object_object_add(o, "n_base", json_object_new_int(s.na));
				json_object_object_add(o, "n_patched", json_object_new_int(s.nb));
				json_object_object_add(o, "median_base", json_object_new_double(s.med_a));
				json_object_object_add(o, "median_patched", json_object_new_double(s.med_b));
				json_object_object_add(o, "mean_base", json_object_new_double(s.mean_a));
				json_object_object_add(o, "mean_patched", json_object_new_double(s.mean_b));
				json_object_object_add(o, "stddev_base", json_object_new_double(s.sd_a));
				json_object_object_add(o, "stddev_patched", json_object_new_double(s.sd_b));
				json_object_object_add(o, "change", json_object_new_double(s.change));
				json_object_object_add(o, "change_ci95_lo", json_object_new_double(s.ci_lo));
				json_object_object_add(o, "change_ci95_hi", json_object_new_double(s.ci_hi));
				json_object_object_add(o, "ci_method", json_object_new_string("bootstrap of medians, 2000 resamples, seeded"));
				json_object_object_add(o, "test", json_object_new_string(s.exact ? "Mann-Whitney U (exact)" : "Mann-Whitney U (normal approximation)"));
				json_object_object_add(o, "p", json_object_new_double(s.p));
				json_object_object_add(o, "p_welch", json_object_new_double(s.p_welch));
				json_object_object_add(o, "min_detectable_change", json_object_new_double(s.mde));
				json_object_object_add(o, "verdict", json_object_new_string(verdict));
				json_object_object_add(o, "signatures", sigs_json(ra, rb));
				json_object_array_add(out, o);
			} else {
				char *name = xasprintf("%s.%s", ra->workload, metrics[m].name);
				const char *hl = tty && !strcmp(verdict, "REGRESSION") ? "\033[1;31m" : "";

				printf("%-28s %12.1f ±%5.1f%%   %+7.2f%% [%+6.2f%%, %+6.2f%%] %10.2g  %s%s%s (n=%zu/%zu, MDE %.2f%%)\n",
				       name, s.med_a, 100 * s.sd_a / s.mean_a, 100 * s.change,
				       100 * s.ci_lo, 100 * s.ci_hi, s.p, hl, verdict, *hl ? "\033[0m" : "",
				       s.na, s.nb, 100 * s.mde);
				free(name);
			}
			free(va);
			free(vb);
		}
		if (!json) {
			struct json_object *sj = sigs_json(ra, rb);

			json_object_object_foreach(sj, k, v)
				printf("  failure %-50s base %s  patched %s\n", k,
				       jstr(v, "base"), jstr(v, "patched"));
			json_object_put(sj);
		}
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	ret = regress ? 1 : 0;
out:
	json_object_put(out);
	for (size_t i = 0; i < a.n; i++)
		result_free(&a.res[i]);
	for (size_t i = 0; i < b.n; i++)
		result_free(&b.res[i]);
	free(a.res);
	free(b.res);
	free(a.dir);
	free(b.dir);
	return ret;
}
