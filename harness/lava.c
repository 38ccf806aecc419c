// SPDX-License-Identifier: GPL-2.0
/*
 * LAVA's formats: job definitions and the device dictionary out (built as
 * json-c trees, emitted by libyaml), the job log in (parsed by libyaml).
 * Nothing from a config or a log is pasted into YAML text.
 */
#define _GNU_SOURCE
#include "lava.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "frame.h"

/* ---- YAML out ---- */

static int write_handler(void *data, unsigned char *buf, size_t size)
{
	sbuf_add(data, buf, size);
	return 1;
}

static int emit_scalar(yaml_emitter_t *em, const char *s, bool plain_ok)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s),
				     plain_ok, !plain_ok,
				     plain_ok ? YAML_ANY_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	return yaml_emitter_emit(em, &ev);
}

/*
 * A string is emitted quoted always: "yes", "1" or "null" must stay strings.
 * Numbers and booleans plain, so YAML reads them as such.
 */
static int emit_node(yaml_emitter_t *em, struct json_object *o)
{
	yaml_event_t ev;
	char buf[32];

	switch (json_object_get_type(o)) {
	case json_type_object:
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
		if (!yaml_emitter_emit(em, &ev))
			return 0;
		json_object_object_foreach(o, k, v) {
			if (!emit_scalar(em, k, true) || !emit_node(em, v))
				return 0;
		}
		yaml_mapping_end_event_initialize(&ev);
		return yaml_emitter_emit(em, &ev);
	case json_type_array:
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(em, &ev))
			return 0;
		for (size_t i = 0; i < json_object_array_length(o); i++)
			if (!emit_node(em, json_object_array_get_idx(o, i)))
				return 0;
		yaml_sequence_end_event_initialize(&ev);
		return yaml_emitter_emit(em, &ev);
	case json_type_string:
		return emit_scalar(em, json_object_get_string(o), false);
	case json_type_int:
		snprintf(buf, sizeof(buf), "%lld", (long long)json_object_get_int64(o));
		return emit_scalar(em, buf, true);
	case json_type_double:
		snprintf(buf, sizeof(buf), "%.17g", json_object_get_double(o));
		return emit_scalar(em, buf, true);
	case json_type_boolean:
		return emit_scalar(em, json_object_get_boolean(o) ? "true" : "false", true);
	case json_type_null:
	default:
		return emit_scalar(em, "null", true);
	}
}

char *lava_yaml_string(struct json_object *o)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	struct sbuf sb = SBUF_INIT;
	int ok;

	if (!yaml_emitter_initialize(&em)) {
		zd_err("libyaml: cannot initialise the emitter");
		return NULL;
	}
	yaml_emitter_set_output(&em, write_handler, &sb);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1); /* no folding of long command lines */
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	ok = yaml_emitter_emit(&em, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	ok = ok && yaml_emitter_emit(&em, &ev);
	ok = ok && emit_node(&em, o);
	yaml_document_end_event_initialize(&ev, 1);
	ok = ok && yaml_emitter_emit(&em, &ev);
	yaml_stream_end_event_initialize(&ev);
	ok = ok && yaml_emitter_emit(&em, &ev);
	ok = ok && yaml_emitter_flush(&em);
	if (!ok) {
		zd_err("libyaml emitter: %s", em.problem ? em.problem : "error");
		yaml_emitter_delete(&em);
		sbuf_free(&sb);
		return NULL;
	}
	yaml_emitter_delete(&em);
	return sbuf_detach(&sb, NULL);
}

int lava_yaml_write(const char *path, struct json_object *o)
{
	char *s = lava_yaml_string(o);
	int ret = -1;

	if (!s)
		return -1;
	if (write_file_atomic(path, s, strlen(s)))
		zd_err("cannot write %s: %s", path, strerror(errno));
	else
		ret = 0;
	free(s);
	return ret;
}

/* ---- the job ---- */

static struct json_object *secs(unsigned int s)
{
	struct json_object *t = json_object_new_object();

	json_object_object_add(t, "seconds", json_object_new_int(s ? s : 1));
	return t;
}

/*
 * LAVA joins the QEMU command into one string that pexpect splits at
 * blanks and quotes, after substituting {NAME}s: none of that may come
 * from the data.
 */
static bool lava_safe(const char *what, const char *s, bool blanks_ok)
{
	const char *bad = strpbrk(s, "\"'\\{}`$");

	if (!bad && !blanks_ok)
		bad = strpbrk(s, " \t\n");
	if (!bad)
		bad = strpbrk(s, "\n\r");
	if (bad) {
		zd_err("lava: %s \"%s\" has '%c', which LAVA's QEMU command line would split or substitute",
		       what, s, *bad == '\n' ? 'n' : *bad);
		return false;
	}
	return true;
}

static struct json_object *image(const char *path, const char *arg)
{
	struct json_object *i = json_object_new_object();
	char *url = xasprintf("file://%s", path);

	json_object_object_add(i, "url", json_object_new_string(url));
	json_object_object_add(i, "image_arg", json_object_new_string(arg));
	free(url);
	return i;
}

struct json_object *lava_job(const struct lava_job_spec *s)
{
	struct json_object *j, *t, *acts, *dep, *d, *imgs, *boot, *b, *pr;
	unsigned int boot_s = s->timeout > 120 ? s->timeout - 60 : s->timeout / 2;
	char *karg;

	if (!lava_safe("kernel command line", s->cmdline, true) ||
	    !lava_safe("kernel path", s->kernel, false) ||
	    !lava_safe("ramdisk path", s->ramdisk, false))
		return NULL;
	j = json_object_new_object();
	json_object_object_add(j, "job_name", json_object_new_string(s->name));
	json_object_object_add(j, "device_type", json_object_new_string(s->device_type));
	json_object_object_add(j, "visibility", json_object_new_string("public"));
	json_object_object_add(j, "priority", json_object_new_string("medium"));
	t = json_object_new_object();
	json_object_object_add(t, "job", secs(s->timeout));
	json_object_object_add(t, "action", secs(boot_s));
	json_object_object_add(t, "connection", secs(boot_s));
	json_object_object_add(j, "timeouts", t);
	{
		struct json_object *ctx = json_object_new_object();

		json_object_object_add(ctx, "arch", json_object_new_string("amd64"));
		json_object_object_add(j, "context", ctx);
	}
	acts = json_object_new_array();
	dep = json_object_new_object();
	d = json_object_new_object();
	json_object_object_add(d, "to", json_object_new_string("tmpfs"));
	json_object_object_add(d, "timeout", secs(60));
	imgs = json_object_new_object();
	/* the qemu device type takes the command line only from here */
	karg = xasprintf("-kernel {kernel} -append \"%s %s\"", s->cmdline, ZD_CONSOLE_ARG);
	json_object_object_add(imgs, "kernel", image(s->kernel, karg));
	json_object_object_add(imgs, "ramdisk", image(s->ramdisk, "-initrd {ramdisk}"));
	free(karg);
	json_object_object_add(d, "images", imgs);
	json_object_object_add(dep, "deploy", d);
	json_object_array_add(acts, dep);
	boot = json_object_new_object();
	b = json_object_new_object();
	json_object_object_add(b, "method", json_object_new_string("qemu"));
	json_object_object_add(b, "media", json_object_new_string("tmpfs"));
	json_object_object_add(b, "timeout", secs(boot_s));
	pr = json_object_new_array();
	/*
	 * The guest's reboot after the agent's done (kernel_restart()): the
	 * boot is over when the guest is, as QEMU's exit ends a local boot;
	 * a reboot stuck behind a failed teardown is LAVA's boot timeout.
	 */
	json_object_array_add(pr, json_object_new_string("reboot: Restarting system"));
	json_object_object_add(b, "prompts", pr);
	json_object_object_add(boot, "boot", b);
	json_object_array_add(acts, boot);
	json_object_object_add(j, "actions", acts);
	return j;
}

/* ---- the device ---- */

struct json_object *lava_device(const char *qemu, const struct strv *options,
				unsigned int timeout)
{
	struct json_object *d = json_object_new_object();
	struct json_object *cst = json_object_new_object(), *posix = json_object_new_object();
	struct json_object *act = json_object_new_object(), *dep = json_object_new_object();
	struct json_object *dm = json_object_new_object(), *boot = json_object_new_object();
	struct json_object *bm = json_object_new_object(), *q = json_object_new_object();
	struct json_object *p = json_object_new_object(), *opts = json_object_new_array();
	struct json_object *arch = json_object_new_array(), *t = json_object_new_object();
	struct json_object *ta = json_object_new_object();

	json_object_object_add(cst, "shutdown-message", json_object_new_string("The system is going down for reboot NOW"));
	json_object_object_add(cst, "kernel-start-message", json_object_new_string("Linux version [0-9]"));
	json_object_object_add(cst, "default-shell-prompt", json_object_new_string("lava-test: # "));
	json_object_object_add(posix, "lava_test_sh_cmd", json_object_new_string("/bin/sh"));
	json_object_object_add(posix, "lava_test_results_dir", json_object_new_string("/lava-%s"));
	json_object_object_add(posix, "lava_test_shell_file", json_object_new_string("~/.bashrc"));
	json_object_object_add(cst, "posix", posix);
	json_object_object_add(cst, "boot_retry", json_object_new_int(0));
	json_object_object_add(cst, "failure_retry", json_object_new_int(1));
	json_object_object_add(cst, "failure_retry_interval", json_object_new_int(1));
	json_object_object_add(d, "constants", cst);
	json_object_array_add(arch, json_object_new_string("amd64"));
	json_object_array_add(arch, json_object_new_string("x86_64"));
	json_object_object_add(d, "available_architectures", arch);
	json_object_object_add(d, "parameters", json_object_new_object());
	/* deploy/image.py's strategy for "to: tmpfs" looks for "image" */
	json_object_object_add(dm, "image", json_object_new_object());
	json_object_object_add(dm, "tmpfs", json_object_new_object());
	json_object_object_add(dep, "methods", dm);
	json_object_object_add(act, "deploy", dep);
	json_object_object_add(p, "command", json_object_new_string(qemu));
	json_object_object_add(p, "boot_options", json_object_new_object());
	for (size_t i = 0; i < options->n; i++)
		json_object_array_add(opts, json_object_new_string(options->v[i]));
	json_object_object_add(p, "options", opts);
	json_object_object_add(q, "parameters", p);
	json_object_object_add(bm, "qemu", q);
	json_object_object_add(boot, "methods", bm);
	{
		struct json_object *conn = json_object_new_object();

		/* lava_common/schemas/device.py: required; QEMU's console is serial */
		json_object_object_add(conn, "serial", json_object_new_object());
		json_object_object_add(boot, "connections", conn);
	}
	json_object_object_add(act, "boot", boot);
	json_object_object_add(d, "actions", act);
	json_object_object_add(ta, "apply-overlay-image", secs(60));
	json_object_object_add(ta, "lava-test-shell", secs(timeout));
	json_object_object_add(t, "actions", ta);
	json_object_object_add(t, "connections", json_object_new_object());
	json_object_object_add(d, "timeouts", t);
	return d;
}

/* ---- the log ---- */

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);

		if (k && k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, key))
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

/* One log entry: a mapping with dt, lvl, msg. -1 if it is none. */
static int log_entry(struct lava_log *l, yaml_document_t *doc)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	const char *lvl;
	yaml_node_t *msg;

	/* a server's log is a sequence of the same entries */
	if (root && root->type == YAML_SEQUENCE_NODE &&
	    root->data.sequence.items.top - root->data.sequence.items.start == 1)
		root = yaml_document_get_node(doc, *root->data.sequence.items.start);
	lvl = scalar(map_get(doc, root, "lvl"));
	msg = map_get(doc, root, "msg");
	if (!lvl || !msg)
		return -1;
	l->entries++;
	if (!strcmp(lvl, "target") && scalar(msg)) {
		const char *m = scalar(msg);

		/*
		 * lava_dispatcher/shell.py's ShellLogger put a backslash before
		 * every '"' of the console (and dropped '\r'): each '"' has one,
		 * so dropping the character before each '"' gives the line back.
		 */
		for (const char *q; (q = strchr(m, '"')); m = q + 1) {
			sbuf_add(&l->console, m, q > m && q[-1] == '\\' ? (size_t)(q - m - 1) : (size_t)(q - m));
			sbuf_addstr(&l->console, "\"");
		}
		sbuf_addstr(&l->console, m);
		sbuf_addstr(&l->console, "\n");
	} else if (!strcmp(lvl, "results") && msg->type == YAML_MAPPING_NODE) {
		const char *c = scalar(map_get(doc, msg, "case"));
		const char *def = scalar(map_get(doc, msg, "definition"));

		if (c && def && !strcmp(c, "job") && !strcmp(def, "lava")) {
			yaml_node_t *extra = map_get(doc, msg, "extra");

			set_str(&l->result, scalar(map_get(doc, msg, "result")));
			/* 2023.01 puts them beside result; older versions under extra */
			if (!extra)
				extra = msg;
			set_str(&l->error_type, scalar(map_get(doc, extra, "error_type")));
			set_str(&l->error_msg, scalar(map_get(doc, extra, "error_msg")));
			/* "wait for prompt timed out", "<action> timed out after N seconds" */
			if (l->error_msg && strstr(l->error_msg, "timed out"))
				l->timed_out = true;
		}
	} else if ((!strcmp(lvl, "error") || !strcmp(lvl, "exception")) && scalar(msg) &&
		   strstr(scalar(msg), "timed out after")) {
		/* lava_common/timeout.py: "<action> timed out after <n> seconds";
		 * the job's result may name another ("wait for prompt timed out") */
		l->timed_out = true;
	}
	return 0;
}

int lava_log_parse(const char *buf, size_t len, struct lava_log *l)
{
	const char *p = buf, *end = buf + len;

	memset(l, 0, sizeof(*l));
	sbuf_init(&l->console);
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *le = nl ? nl : end;
		yaml_parser_t ps;
		yaml_document_t doc;
		bool ok = false;

		if (le == p) {
			p = nl ? nl + 1 : end;
			continue;
		}
		if (yaml_parser_initialize(&ps)) {
			yaml_parser_set_input_string(&ps, (const unsigned char *)p, le - p);
			if (yaml_parser_load(&ps, &doc)) {
				ok = !log_entry(l, &doc);
				yaml_document_delete(&doc);
			}
			yaml_parser_delete(&ps);
		}
		if (!ok) {
			l->bad++;
			if (!nl) /* the log ends inside this entry */
				l->cut = true;
		}
		p = nl ? nl + 1 : end;
	}
	if (!l->result)
		l->cut = true; /* lava-run always ends with the job's result */
	return l->entries ? 0 : -1;
}

int lava_log_read(const char *path, struct lava_log *l)
{
	size_t len;
	char *buf = read_file_max(path, ZD_MAX_JSON_BYTES, &len);
	int ret;

	if (!buf) {
		memset(l, 0, sizeof(*l));
		sbuf_init(&l->console);
		l->cut = true;
		zd_err("%s: %s", path, read_file_strerror(errno));
		return -1;
	}
	ret = lava_log_parse(buf, len, l);
	free(buf);
	return ret;
}

void lava_log_free(struct lava_log *l)
{
	sbuf_free(&l->console);
	free(l->result);
	free(l->error_type);
	free(l->error_msg);
	memset(l, 0, sizeof(*l));
}
