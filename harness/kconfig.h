/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_KCONFIG_H
#define ZD_KCONFIG_H

#include "config.h"

/*
 * The architecture a .config is for, from its header ("# Linux/x86 6.12.0
 * Kernel Configuration") or, without one, its CONFIG_<ARCH>=y line:
 * "x86_64", "x86" (32-bit), "arm64", ...; "" when nothing says. Malloc'd.
 */
char *kconfig_arch(const char *text);
/*
 * The kernel version a .config's header names ("# Linux/x86 6.1.192 Kernel
 * Configuration" -> "6.1.192"), malloc'd; "" when it has no such header.
 */
char *kconfig_version(const char *text);
/*
 * 0 if the .config at path is for x86_64 (QEMU's and the agent's
 * architecture), else -1 with an error naming the file and its arch.
 * A starting config (built false) may also be a 32-bit x86 one: the
 * fragments set CONFIG_64BIT; a built kernel must be x86_64 itself.
 */
int kconfig_check_arch(const char *path, bool built);
/*
 * What the run needs of a built kernel's .config: each option the plan's
 * workloads (c's [run] workloads, their media) and the pmem mode need, and
 * that text does not set to y. Returns NULL when nothing is missing, else
 * lines "CONFIG_GUP_TEST (workload gup-pin-fast-pte: the gup_test ioctl)",
 * one per missing option and workload, newline-separated. The options are
 * those of kernels/fragments/base.config (and xfs.config) that a workload
 * or the agent uses.
 */
char *kconfig_missing(const struct zd_config *c, const char *text);
/*
 * Does the kernel tree at src (a git work tree) declare `config SYM` (or
 * `menuconfig SYM`; sym without CONFIG_) in one of its Kconfig files?
 * 1 yes, 0 no, -1 cannot tell (not a git tree). An option a fragment asks
 * for that an older kernel does not have is told apart from one whose
 * dependencies are not met by this.
 */
int kconfig_declares(const char *src, const char *sym);

#endif
