// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel facts: what the kernel under test does that a workload or a proof
 * depends on, read from the kernel's own sources. zdbench's workloads were
 * written against 6.12; a kernel from 6.1 to mainline differs in ways that
 * would otherwise read as failures (a healthy 6.1 O_DIRECT takes page
 * references, not pins) or as garbage (a gup_test ioctl of another ABI).
 * Each fact is read by a textual test on one file and names the commit that
 * changed it, so a reader can check it against any tree.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "git.h"
#include "kconfig.h"
#include "kfacts.h"
#include "util.h"

const char *kf_refs_name(enum kf_refs r)
{
	switch (r) {
	case KF_REFS_PINS:
		return "pins";
	case KF_REFS_GETS:
		return "gets";
	default:
		return "unknown";
	}
}

unsigned int kfacts_version_code(const char *v)
{
	unsigned int a = 0, b = 0, c = 0;
	int n = 0;

	/* "6.12", "6.12.117", "6.15.0-rc1+": the digits before anything else */
	if (!v || sscanf(v, "%3u.%3u%n", &a, &b, &n) != 2 || !a)
		return 0;
	if (v[n] == '.')
		sscanf(v + n + 1, "%3u", &c);
	return (a > 255 ? 255 : a) << 16 | (b > 255 ? 255 : b) << 8 | (c > 255 ? 255 : c);
}

/* Is name one whole line of text? */
static bool line_in(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, name, n) && (l[n] == '\n' || !l[n]))
			return true;
	return false;
}

/* The files kfacts_from_tree reads, in this order. */
static const char *const fact_files[] = {
	"Makefile", "block/bio.c", "mm/gup_test.h", "arch/x86/Kconfig",
	"include/trace/events/fs_dax.h",
};

/*
 * Each of fact_files at rev (NULL: the work tree) into text[i], or NULL
 * where the version lacks it. One ls-tree says which exist, so a missing
 * file costs no failing `git show` (whose complaint git would print).
 */
static void tree_files(const char *repo, const char *rev, char *text[ARRAY_SIZE(fact_files)])
{
	char *have = NULL;

	if (rev) {
		char *args[3 + 2 + ARRAY_SIZE(fact_files) + 1] = { "ls-tree", "--name-only", (char *)rev, "--" };
		size_t n = 4;

		for (size_t i = 0; i < ARRAY_SIZE(fact_files); i++)
			args[n++] = (char *)fact_files[i];
		args[n] = NULL;
		if (git_run(repo, args, &have, 60))
			have = NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fact_files); i++) {
		char *p;

		text[i] = NULL;
		if (!rev) {
			p = path_join(repo, fact_files[i]);
			text[i] = read_file(p, NULL);
			free(p);
			continue;
		}
		if (!have || !line_in(have, fact_files[i]))
			continue;
		p = xasprintf("%s:%s", rev, fact_files[i]);
		{
			char *args[] = { "show", p, NULL };

			if (git_run(repo, args, &text[i], 120))
				text[i] = NULL;
		}
		free(p);
	}
	free(have);
}

/* Comments removed, runs of whitespace one space, none inside brackets or before ; and , */
static void normalise(char *s)
{
	char *w = s;
	bool space = false;

	for (char *r = s; *r;) {
		if (r[0] == '/' && r[1] == '*') {
			char *e = strstr(r + 2, "*/");

			r = e ? e + 2 : r + strlen(r);
			space = true;
			continue;
		}
		if (isspace((unsigned char)*r)) {
			space = true;
			r++;
			continue;
		}
		if (space && w > s && !strchr(";,])}", *r) && !strchr("([{", w[-1]))
			*w++ = ' ';
		space = false;
		*w++ = *r++;
	}
	*w = 0;
}

/* The normalised text of "#define NAME value" in h, or NULL. */
static char *define_of(const char *h, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = h; (p = strstr(p, "#define")); p += 7) {
		const char *q = p + 7, *e;
		char *v;

		while (*q == ' ' || *q == '\t')
			q++;
		if (strncmp(q, name, n) || (q[n] != ' ' && q[n] != '\t'))
			continue;
		e = strchr(q, '\n');
		v = xasprintf("%.*s", (int)(e ? (size_t)(e - q - n) : strlen(q + n)), q + n);
		normalise(v);
		return v;
	}
	return NULL;
}

/*
 * The ABI workloads/agent/wl_gup.c was written against (mm/gup_test.h,
 * v5.11 "mm/gup_benchmark: rename to mm/gup_test" to v6.12): the struct,
 * with GUP_TEST_MAX_PAGES_TO_DUMP = 8, and the four commands it issues.
 */
static const char agent_gup_struct[] =
	"{__u64 get_delta_usec; __u64 put_delta_usec; __u64 addr; __u64 size; "
	"__u32 nr_pages_per_call; __u32 gup_flags; __u32 test_flags; "
	"__u32 which_pages[GUP_TEST_MAX_PAGES_TO_DUMP];}";
static const struct {
	const char *name, *value;
} agent_gup_ioctls[] = {
	{ "GUP_FAST_BENCHMARK", "_IOWR('g', 1, struct gup_test)" },
	{ "PIN_FAST_BENCHMARK", "_IOWR('g', 2, struct gup_test)" },
	{ "GUP_BASIC_TEST", "_IOWR('g', 4, struct gup_test)" },
	{ "PIN_BASIC_TEST", "_IOWR('g', 5, struct gup_test)" },
	{ "GUP_TEST_MAX_PAGES_TO_DUMP", "8" },
};

static void gup_abi(const char *h, struct kfacts *kf)
{
	const char *p = h ? strstr(h, "struct gup_test {") : NULL;
	char *body;

	if (!h) {
		snprintf(kf->gup_abi_why, sizeof(kf->gup_abi_why), "the tree has no mm/gup_test.h");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(agent_gup_ioctls); i++) {
		char *v = define_of(h, agent_gup_ioctls[i].name);
		bool same = v && !strcmp(v, agent_gup_ioctls[i].value);

		if (!same)
			snprintf(kf->gup_abi_why, sizeof(kf->gup_abi_why),
				 "mm/gup_test.h: %s is %s, the agent issues %s", agent_gup_ioctls[i].name,
				 v ? v : "not defined", agent_gup_ioctls[i].value);
		free(v);
		if (!same)
			return;
	}
	if (!p || !strstr(p, "};")) {
		snprintf(kf->gup_abi_why, sizeof(kf->gup_abi_why),
			 "mm/gup_test.h has no struct gup_test");
		return;
	}
	p += strlen("struct gup_test ");
	body = xasprintf("%.*s", (int)(strstr(p, "};") - p + 1), p);
	normalise(body);
	if (strcmp(body, agent_gup_struct))
		snprintf(kf->gup_abi_why, sizeof(kf->gup_abi_why),
			 "mm/gup_test.h: struct gup_test %.100s differs from the agent's", body);
	free(body);
	kf->gup_longterm = strstr(h, "PIN_LONGTERM_TEST_START") != NULL;
}

static void version_from_makefile(const char *mk, struct kfacts *kf)
{
	unsigned long a[3] = { 0, 0, 0 };
	static const char *const keys[] = { "VERSION = ", "PATCHLEVEL = ", "SUBLEVEL = " };

	if (!mk)
		return;
	for (int i = 0; i < 3; i++) {
		const char *p = strstr(mk, keys[i]);

		if (!p || (p != mk && p[-1] != '\n'))
			return;
		a[i] = strtoul(p + strlen(keys[i]), NULL, 10);
	}
	snprintf(kf->version, sizeof(kf->version), "%lu.%lu.%lu", a[0], a[1], a[2]);
}

void kfacts_from_tree(const char *repo, const char *rev, struct kfacts *kf)
{
	char *text[ARRAY_SIZE(fact_files)];
	char *mk, *bio, *gup, *kc, *tp;

	tree_files(repo, rev, text);
	mk = text[0];
	bio = text[1];
	gup = text[2];
	kc = text[3];
	tp = text[4];

	memset(kf, 0, sizeof(*kf));
	kf->from = "source";
	version_from_makefile(mk, kf);
	/* v6.4 a7e689dd1c06: bio_iov_iter_get_pages extracts (pins) user pages */
	if (bio)
		kf->dio_refs = strstr(bio, "iov_iter_extract_pages") ? KF_REFS_PINS : KF_REFS_GETS;
	gup_abi(gup, kf);
	kf->pte_devmap = kc && strstr(kc, "select ARCH_HAS_PTE_DEVMAP");
	kf->dax_fault_tp = tp && strstr(tp, "dax_pte_fault_done") && strstr(tp, "dax_pmd_fault_done");
	free(mk);
	free(bio);
	free(gup);
	free(kc);
	free(tp);
}

void kfacts_from_config(const char *dotconfig, struct kfacts *kf)
{
	char *t = read_file(dotconfig, NULL);
	char *v = t ? kconfig_version(t) : xstrdup("");

	free(t);
	kfacts_from_version(v, kf);
	free(v);
}

void kfacts_from_version(const char *release, struct kfacts *kf)
{
	unsigned int code;

	memset(kf, 0, sizeof(*kf));
	kf->from = "none";
	snprintf(kf->version, sizeof(kf->version), "%s", release ? release : "");
	code = kfacts_version_code(kf->version);
	if (!code) {
		kf->version[0] = 0;
		return;
	}
	/* the same facts, by the release that changed them (see kfacts.h) */
	kf->from = "version";
	kf->dio_refs = code >= 0x060400 ? KF_REFS_PINS : KF_REFS_GETS;
	kf->gup_longterm = code >= 0x060400;
	if (code < 0x050b00)
		snprintf(kf->gup_abi_why, sizeof(kf->gup_abi_why),
			 "kernel %s predates mm/gup_test.h (v5.11)", kf->version);
	/* v6.15 "fs/dax: Fix ZONE_DEVICE page reference counts": FS-DAX folios are refcounted */
	kf->pte_devmap = code < 0x060f00;
	kf->dax_fault_tp = true;
}

struct json_object *kfacts_json(const struct kfacts *kf)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "version", json_object_new_string(kf->version));
	json_object_object_add(o, "from", json_object_new_string(kf->from ? kf->from : "none"));
	json_object_object_add(o, "dio_refs", json_object_new_string(kf_refs_name(kf->dio_refs)));
	json_object_object_add(o, "gup_test_abi",
			       json_object_new_string(kf->gup_abi_why[0] ? kf->gup_abi_why : "ok"));
	json_object_object_add(o, "pin_longterm_test", json_object_new_boolean(kf->gup_longterm));
	json_object_object_add(o, "pte_devmap", json_object_new_boolean(kf->pte_devmap));
	json_object_object_add(o, "dax_fault_tracepoints", json_object_new_boolean(kf->dax_fault_tp));
	return o;
}
