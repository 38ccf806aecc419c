/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's results lines on the console, for a machine with one serial
 * line (a LAVA board, `zdbench lava`): with ZD_CONSOLE_ARG on the kernel
 * command line the agent (workloads/agent/emit.c) also writes every results
 * line to the console as
 *
 *	ZD_FRAME <decimal length of the JSON> ':' <the JSON line>
 *
 * in one write(). The harness (harness/harvest.c, harvest_unframe) takes
 * the frames out of a console log; a frame whose JSON is not exactly that
 * long was cut by a kernel message and is counted as torn, never parsed.
 */
#ifndef ZD_FRAME_H
#define ZD_FRAME_H

#define ZD_CONSOLE_ARG "zdbench.console=1"
#define ZD_FRAME "@zdbench-json:"

#endif
