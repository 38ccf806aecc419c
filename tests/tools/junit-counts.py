#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Read a JUnit XML file with python3-junitparser and print what it found:
one "case CLASSNAME NAME OUTCOME MESSAGE" line per testcase (the message
of its failure or skip as a Python literal, so a newline stays visible),
then "counts tests N passed N failed N skipped N errors N suites N".

usage: junit-counts.py FILE
"""
import sys

from junitparser import Error, Failure, JUnitXml, Skipped


def main():
    xml = JUnitXml.fromfile(sys.argv[1])
    n = {'tests': 0, 'passed': 0, 'failed': 0, 'skipped': 0, 'errors': 0}
    suites = 0
    for suite in xml:
        suites += 1
        for case in suite:
            n['tests'] += 1
            results = case.result
            if not isinstance(results, list):  # junitparser 1.x: one result
                results = [results] if results else []
            outcome, msg = 'passed', None
            for r in results:
                if isinstance(r, Failure):
                    outcome, msg = 'failed', r.message
                elif isinstance(r, Error):
                    outcome, msg = 'errors', r.message
                elif isinstance(r, Skipped):
                    outcome, msg = 'skipped', r.message
            n[outcome] += 1
            print('case', case.classname, case.name, outcome, repr(msg))
    print('counts tests %d passed %d failed %d skipped %d errors %d suites %d' %
          (n['tests'], n['passed'], n['failed'], n['skipped'], n['errors'], suites))


if __name__ == '__main__':
    main()
