/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_BACKEND_H
#define ZD_BACKEND_H

#include <stdbool.h>

#include "config.h"
#include "util.h"

/* What one boot needs: kernel, image, and where its outputs go. */
struct boot_req {
	const struct zd_config *cfg;
	const char *variant;
	const char *bzimage;
	const char *initrd;
	const char *plan;	  /* the plan file (the host agent reads it) */
	const char *console_log;  /* the kernel console (ttyS0) */
	const char *results_log;  /* the agent's JSON lines (ttyS1) */
	const char *qemu_log;	  /* QEMU's own stdout/stderr */
	const char *scratch_dir;  /* NVDIMM backing files etc. */
	const char *accel;	  /* resolved: tcg | kvm */
};

struct boot_out {
	char *timeout;		/* NULL, or boot | step | teardown | shutdown */
	char *last_phase;	/* last phase the agent announced */
	bool saw_hello, saw_done;
	bool agent_ok;		/* the done line said ok */
	int exit_code;		/* QEMU's, -1 if killed */
	bool start_failed;	/* QEMU could not be started */
	bool kernel_running;	/* no boot: the console starts mid-life (host) */
	double wall_secs;
	double boot_secs;	/* start to the agent's hello */
	char *cmdline;		/* kernel command line */
	struct strv argv;	/* the backend command, for provenance */
};

struct zd_kernel;

/* A boot backend (fio-style ops table): a QEMU guest, or this machine. */
struct backend_ops {
	const char *name;
	const char *log_name;	/* the backend's own log in the run folder */
	/*
	 * This machine, its running kernel, its real pmem: no build, no
	 * image; the plan names [host] namespace and leaves sysctls alone.
	 */
	bool real_machine;
	/*
	 * The kernel comes from the backend (the running one), not from a
	 * build: fill k with its provenance. NULL: build the variants.
	 */
	int (*prepare)(const struct zd_config *c, struct zd_kernel *k, char **note);
	/* Resolve the accelerator ("auto" probes); note says why. */
	int (*probe)(const struct zd_config *c, const char *bzimage,
		     const char *initrd, const char *scratch, char **accel,
		     char **note);
	int (*boot)(const struct boot_req *req, struct boot_out *out);
};

extern const struct backend_ops qemu_backend;
extern const struct backend_ops host_backend;
const struct backend_ops *backend_find(const char *name);
void boot_out_free(struct boot_out *o);

/* Exposed for unit tests: the QEMU and kernel command lines for a request. */
int qemu_build_args(const struct boot_req *req, struct strv *argv,
		    char **cmdline);
char *kernel_cmdline(const struct zd_config *c);

#endif
