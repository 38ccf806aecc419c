/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_EXITCODE_H
#define ZD_EXITCODE_H

/*
 * The exit-status contract of every zdbench command (README, each --help):
 * one table, so a script or a CI runner can tell a broken kernel from a
 * broken lab. bisect-run alone keeps git bisect run's 0/1/125/128.
 */
enum zd_exit {
	ZD_EXIT_CLEAN = 0,	/* clean; no significant regression */
	ZD_EXIT_KERNEL = 1,	/* the kernel under test failed: a failure
				 * signature, hang, crash, a kernel that does
				 * not build, a significant regression, a new
				 * failure signature, a side with no samples */
	ZD_EXIT_USAGE = 2,	/* usage or configuration error */
	ZD_EXIT_INFRA = 3,	/* infrastructure: QEMU missing or killed, boot
				 * trouble that says nothing about the kernel,
				 * no usable result */
};

/* The heavier of two statuses among 0, 1, 3: a kernel failure outranks infra. */
static inline int zd_exit_worse(int a, int b)
{
	static const int rank[] = { [ZD_EXIT_CLEAN] = 0, [ZD_EXIT_KERNEL] = 2,
				    [ZD_EXIT_USAGE] = 3, [ZD_EXIT_INFRA] = 1 };

	return rank[b] > rank[a] ? b : a;
}

/* The same table as text, for every command's --help. */
#define ZD_EXIT_HELP \
	"Exit: 0 clean (no significant regression); 1 the kernel under test failed\n" \
	"(failure signature, hang, crash, does not build, significant regression,\n" \
	"new failure signature, a side with no samples); 2 usage or configuration\n" \
	"error; 3 infrastructure failure (QEMU missing or killed, no usable result).\n"

#endif
