/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_BACKEND_H
#define ZD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "exitcode.h"
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
	/*
	 * Set by a backend that knows the boot says nothing about the kernel
	 * though the guest may have run (a LAVA dispatcher that died, a log
	 * cut short, a QEMU terminated by a signal from outside zdbench): why,
	 * in words. verdict_judge makes an otherwise clean
	 * verdict infra with it; a kernel finding still wins.
	 */
	char *infra;
	/*
	 * The console may stop before the boot did (a LAVA log cut short, a
	 * dispatcher or QEMU killed from outside): verdict_boot judges it as a posted log, where
	 * only a panic says the boot itself died.
	 */
	bool console_partial;
};

struct zd_kernel;
struct json_object;

/* What a backend is; run.c asks these instead of the backend's name. */
enum backend_flags {
	/* The variants are built (source, kbuild); else ->prepare names the kernel. */
	BE_BUILDS_KERNEL = 1u << 0,
	/* It boots the guest image, the plan appended to it as a 2nd cpio. */
	BE_NEEDS_IMAGE = 1u << 1,
};

/*
 * A boot backend (fio's ioengine_ops): a table of hooks and flags, one file
 * each, listed in backend.c's registry. Mandatory: name, log_name, probe,
 * boot, describe_pmem, plan_fields, boot_json, announce; prepare unless
 * BE_BUILDS_KERNEL. test_backend.c checks every registered one.
 */
struct backend_ops {
	const char *name;
	const char *log_name;	/* the backend's own log in the run folder */
	unsigned int flags;	/* enum backend_flags */
	/* Its config section's keys ([qemu], [host]), ending with a NULL key. */
	const struct config_key *keys;
	/*
	 * Cross-key checks of its section once all sources are merged (every
	 * registered backend's, whichever runs); errors via config_fail().
	 */
	int (*validate)(struct zd_config *c);
	/*
	 * Before any work (a build takes minutes): can it run at all? 0, or
	 * the exit status the refusal means (exitcode.h: ZD_EXIT_INFRA for a
	 * missing tool, ZD_EXIT_USAGE for a config it cannot honour), after
	 * printing why.
	 */
	int (*preflight)(const struct zd_config *c);
	/*
	 * Without BE_BUILDS_KERNEL: the kernel is the backend's own (the
	 * running one): fill k with its provenance, note says which.
	 */
	int (*prepare)(const struct zd_config *c, struct zd_kernel *k, char **note);
	/*
	 * Resolve the accelerator ("auto" probes) into *accel; *note says why
	 * (or NULL). bzimage and initrd (a guest with an empty plan) are given
	 * with BE_NEEDS_IMAGE, else NULL; scratch is the run folder.
	 */
	int (*probe)(const struct zd_config *c, const char *bzimage,
		     const char *initrd, const char *scratch, char **accel,
		     char **note);
	int (*boot)(const struct boot_req *req, struct boot_out *out);
	/* The result's pmem field for a medium ("memmap fsdax/ext4 1024M@1024M"), malloc'd. */
	char *(*describe_pmem)(const struct zd_config *c, const char *medium);
	/* Its fields of plan.json: pmem_mode, mountpoint, what the agent may touch. */
	void (*plan_fields)(const struct zd_config *c, struct json_object *plan);
	/* Its fields of run.json's boot object, and the tools it runs with. */
	void (*boot_json)(const struct zd_config *c, struct json_object *boot,
			  struct json_object *tools);
	/* The line before a boot: round is "" or " round 2/3"; malloc'd. */
	char *(*announce)(const struct zd_config *c, const struct zd_kernel *k,
			  const char *round, const char *accel);
};

extern const struct backend_ops qemu_backend;
extern const struct backend_ops host_backend;
extern const struct backend_ops lava_backend;
/* The registry (backend.c), in the order lists name them; NULL past the end. */
const struct backend_ops *backend_at(size_t i);
/* By name; NULL if none is registered under it. */
const struct backend_ops *backend_find(const char *name);
/* "qemu, host": the registered names, for messages; malloc'd. */
char *backend_names(void);
void boot_out_free(struct boot_out *o);

/* Exposed for unit tests: the QEMU and kernel command lines for a request. */
int qemu_build_args(const struct boot_req *req, struct strv *argv,
		    char **cmdline);
char *kernel_cmdline(const struct zd_config *c);
/*
 * The LAVA job definition (job) and qemu device dictionary (dev) of one
 * boot (backend/lava.c), written atomically; *cmdline the kernel command
 * line the job boots, malloc'd. 0, or -1 after an error message.
 */
int lava_job_files(const struct boot_req *req, const char *job, const char *dev,
		   char **cmdline);
/*
 * s as the value of a QEMU option list (-object, -drive, -name): commas
 * doubled ("a,b" -> "a,,b"), so a value never starts another option. The
 * caller frees it.
 */
char *qemu_opt_value(const char *s);

#endif
