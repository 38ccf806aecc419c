// SPDX-License-Identifier: GPL-2.0
/*
 * zdbench-micro: one workload kind of the agent (workloads/agent/wl_*.c),
 * run by hand on a DAX filesystem you mounted (--dir), on a devdax device
 * (--devdax) or on anonymous memory (--memory anon), printing the same
 * JSON lines the agent sends zdbench (sample, workload, ...) on stdout.
 * The parameters are the kind's table in workloads/kinds.c, the same one
 * zdbench validates a config against. It never mounts or formats anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "kinds.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: zdbench-micro KIND [--dir DIR | --devdax /dev/daxN.M] [--reps N]\n"
		   "                     [--timeout SECONDS] [--name NAME] [--PARAM VALUE]...\n"
		   "       zdbench-micro KIND --help\n"
		   "\n"
		   "Runs one workload kind; JSON lines on stdout (docs/agent-protocol.md).\n"
		   "--dir: a directory on a filesystem mounted -o dax (fsdax); --devdax: the\n"
		   "device itself (destroys its data). Exit 0 if the run passed its checks.\n"
		   "\nkinds:\n");
	for (const struct wl_kind_desc *k = wl_kinds; k->name; k++)
		fprintf(f, "  %-9s %s\n", k->name, k->summary);
}

static void kind_help(const struct wl_kind_desc *k)
{
	printf("zdbench-micro %s: %s (runs on %s)\n\n", k->name, k->summary, k->modes);
	for (const struct wl_param_spec *p = k->params; p->key; p++) {
		printf("  --%-15s %s", p->key, p->help);
		if (p->choices) {
			printf(" [");
			for (const char *const *c = p->choices; *c; c++)
				printf("%s%s", c == p->choices ? "" : "|", *c);
			printf("]");
		}
		printf(" (default %s)\n", p->dflt ? p->dflt : "none: required");
	}
}

/* A parameter value, checked by the kind's row (kinds.c's checker) and typed as a plan types it. */
static int set_param(struct json_object *params, const struct wl_param_spec *p, const char *v)
{
	char why[256];

	if (wl_param_check(p, v, why, sizeof(why))) {
		fprintf(stderr, "zdbench-micro: --%s %s: %s (--help)\n", p->key, v, why);
		return -1;
	}
	json_object_object_add(params, p->key, p->type == WP_UINT ?
			       json_object_new_int64((int64_t)strtoull(v, NULL, 10)) :
			       json_object_new_string(v));
	return 0;
}

/* The job of a fio run travels as text, as in a plan. */
static int fio_job_text(struct json_object *params)
{
	struct json_object *j;
	char path[512], *text;
	size_t n;
	FILE *f;

	if (!json_object_object_get_ex(params, "job", &j))
		return 0;
	snprintf(path, sizeof(path), strchr(json_object_get_string(j), '/') ? "%s" :
				     "workloads/fio/%s.fio", json_object_get_string(j));
	f = fopen(path, "r");
	text = f ? calloc(1, 1 << 20) : NULL;
	if (!text) {
		fprintf(stderr, "zdbench-micro: job %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	n = fread(text, 1, (1 << 20) - 1, f);
	text[n] = '\0';
	fclose(f);
	json_object_object_add(params, "job_text", json_object_new_string(text));
	free(text);
	return 0;
}

struct opts {
	const char *dir, *devdax, *name;
	int reps, timeout;
};

static int parse(int argc, char **argv, const struct wl_kind_desc *k, struct opts *o,
		 struct json_object *params)
{
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		const struct wl_param_spec *p;

		if (!strcmp(a, "--help")) {
			kind_help(k);
			exit(0);
		}
		if (strncmp(a, "--", 2) || !v) {
			fprintf(stderr, "zdbench-micro: %s: expected --OPTION VALUE\n", a);
			return -1;
		}
		i++;
		if (!strcmp(a, "--dir"))
			o->dir = v;
		else if (!strcmp(a, "--devdax"))
			o->devdax = v;
		else if (!strcmp(a, "--name"))
			o->name = v;
		else if (!strcmp(a, "--reps"))
			o->reps = atoi(v);
		else if (!strcmp(a, "--timeout"))
			o->timeout = atoi(v);
		else if ((p = wl_param_find(k, a + 2))) {
			if (set_param(params, p, v))
				return -1;
		} else {
			fprintf(stderr, "zdbench-micro: unknown option %s for kind %s (--help)\n", a,
				k->name);
			return -1;
		}
	}
	if (o->reps < 1 || o->timeout < 1) {
		fprintf(stderr, "zdbench-micro: --reps and --timeout must be >= 1\n");
		return -1;
	}
	/* the table's defaults, as zdbench fills them into a plan */
	for (const struct wl_param_spec *p = k->params; p->key; p++)
		if (!json_object_object_get_ex(params, p->key, NULL) &&
		    (!p->dflt || set_param(params, p, p->dflt))) {
			fprintf(stderr, "zdbench-micro: --%s is required\n", p->key);
			return -1;
		}
	return k == &wl_kinds[WK_fio] ? fio_job_text(params) : 0;
}

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif

/* A DAX directory is one whose new files have the DAX inode flag. */
static bool dir_is_dax(const char *dir)
{
	char path[512];
	struct statx stx;
	bool dax = false;
	int fd;

	snprintf(path, sizeof(path), "%s/.zdbench-micro-daxcheck", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	if (!statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx))
		dax = stx.stx_attributes & STATX_ATTR_DAX;
	close(fd);
	unlink(path);
	return dax;
}

/* Where the buffers live: a DAX directory, a devdax device, or nowhere (anon). */
static int backing(const struct opts *o, struct json_object *params, struct plan *p,
		   struct pmem *pm)
{
	struct json_object *mem;
	bool anon = json_object_object_get_ex(params, "memory", &mem) &&
		    !strcmp(json_object_get_string(mem), "anon");

	char path[256];
	uint64_t size;
	struct stat st;

	if (o->devdax) {
		if (stat(o->devdax, &st) || !S_ISCHR(st.st_mode)) {
			fprintf(stderr, "zdbench-micro: %s: not a character device\n", o->devdax);
			return -1;
		}
		snprintf(pm->devpath, sizeof(pm->devpath), "%s", o->devdax);
		snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/size",
			 strrchr(o->devdax, '/') ? strrchr(o->devdax, '/') + 1 : o->devdax);
		pm->size = read_u64_file(path, &size) ? 0 : size;
		pm->devdax = true;
		p->dax_mode = "devdax";
		return 0;
	}
	p->mountpoint = o->dir ? o->dir : "/tmp";
	if (anon)
		return 0;
	if (o->dir && (stat(o->dir, &st) || !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "zdbench-micro: --dir %s: no such directory\n", o->dir);
		return -1;
	}
	if (!o->dir || !dir_is_dax(o->dir)) {
		fprintf(stderr, "zdbench-micro: %s is not on a DAX filesystem (no STATX_ATTR_DAX): "
			"give --dir on a mount -o dax, --devdax, or --memory anon for the control\n",
			o->dir ? o->dir : "no --dir");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct wl_kind_desc *k = argc > 1 ? wl_kind_find(argv[1]) : NULL;
	const struct workload_ops *ops = k ? workload_find(k->name) : NULL;
	struct opts o = {.reps = 10, .timeout = 600};
	struct json_object *params = json_object_new_object(), *wo;
	/*
	 * No harness read this kernel's sources: what its O_DIRECT takes is
	 * unknown, so odirect and fio accept pins or FOLL_GET references.
	 */
	struct plan p = {.run_id = "", .variant = "micro", .pmem_mode = "host",
			 .dax_mode = "fsdax", .host = true, .dio_refs = "unknown"};
	struct pmem pm = {0};
	struct wl_spec w = {0};
	struct wl_ctx ctx = {.plan = &p, .pm = &pm, .spec = &w};
	char msg[512] = "";
	bool ok;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (!k || !ops) {
		if (argc > 1)
			fprintf(stderr, "zdbench-micro: unknown kind '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	if (parse(argc, argv, k, &o, params) || backing(&o, params, &p, &pm))
		return 2;
	/*
	 * The gup kind and its selftest peer drive mm/gup_test.c through
	 * debugfs: without it the kernel cannot run them, which says nothing
	 * of the kernel's GUP (exit 3, infrastructure, not 1).
	 */
	if (k == &wl_kinds[WK_gup] && access("/sys/kernel/debug/gup_test", R_OK | W_OK)) {
		fprintf(stderr, "zdbench-micro: no /sys/kernel/debug/gup_test (%s): the kernel needs "
			"CONFIG_GUP_TEST and debugfs mounted\n", strerror(errno));
		return 3;
	}
	p.step_timeout = o.timeout;
	p.teardown_timeout = o.timeout;
	w.name = o.name ? o.name : k->name;
	w.kind = k->name;
	w.reps = o.reps;
	w.params = params;
	/* the rules across parameters, as zdbench and the agent apply them */
	if (workload_check(&w, msg, sizeof(msg))) {
		fprintf(stderr, "zdbench-micro: %s\n", msg);
		return 2;
	}
	emit_use_fd(1);
	emit_hello();
	emit_set_phase(w.name);
	ok = ops->run(&ctx, msg, sizeof(msg)) == 0;
	wo = msg_new("workload");
	jadd_str(wo, "workload", w.name);
	jadd_str(wo, "kind", w.kind);
	jadd_bool(wo, "ok", ok);
	jadd_str(wo, "msg", msg);
	emit(wo);
	holders_wait();
	emit_done(ok);
	json_object_put(params);
	return ok ? 0 : 1;
}
