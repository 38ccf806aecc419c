#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read a KTAP file with the kernel's own parser, as `kunit.py parse FILE`
does (tools/testing/kunit/kunit_parser.py, Linux 6.12), and print what it
found: one "test NAME STATUS" line per leaf test, then
"counts passed N failed N crashed N skipped N errors N status S".

usage: ktap-counts.py KUNIT_DIR FILE   (KUNIT_DIR holds kunit_parser.py)
"""
import contextlib
import sys


def leaves(test):
    if not test.subtests:
        yield test
    for sub in test.subtests:
        yield from leaves(sub)


def main():
    kdir, path = sys.argv[1], sys.argv[2]
    sys.path.insert(0, kdir)
    import kunit_parser  # noqa: E402 (the kernel's, from KUNIT_DIR)

    # kunit.py parse opens the file the same way
    with open(path, 'r', errors='backslashreplace') as f:
        lines = f.readlines()
    # the parser's own progress lines go to stderr, ours to stdout
    with contextlib.redirect_stdout(sys.stderr):
        test = kunit_parser.parse_run_tests(lines)
    for t in test.subtests:
        for leaf in leaves(t):
            print('test', leaf.name, leaf.status.name)
    c = test.counts
    print('counts passed %d failed %d crashed %d skipped %d errors %d status %s' %
          (c.passed, c.failed, c.crashed, c.skipped, c.errors, test.status.name))


if __name__ == '__main__':
    main()
