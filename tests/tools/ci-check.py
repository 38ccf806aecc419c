#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check the CI job templates in contrib/: each parses as YAML (PyYAML,
python3-yaml) and holds what docs/results.md promises: a matrix over
variants that exist in kernels/, a runner tag for real-pmem machines, each
job running zdbench with a JUnit report and uploading its results folder,
and a last job that merges and compares. Prints "ok", or each problem.

usage: ci-check.py PROJECT_DIR
"""
import os
import sys

import yaml

RUN = '--format junit --format-out report.xml -o'
problems = []


def need(cond, what):
    if not cond:
        problems.append(what)


def variants_exist(proj, names, where):
    need(isinstance(names, list) and names, where + ': no variant list')
    for v in names or []:
        need(os.path.isdir(os.path.join(proj, 'kernels', str(v))),
             '%s: variant %r is not in kernels/' % (where, v))


def gitlab(proj):
    path = os.path.join(proj, 'contrib/gitlab-ci.yml')
    with open(path) as f:
        ci = yaml.safe_load(f)
    m = ci.get('measure') or {}
    need('pmem' in (m.get('tags') or []), 'gitlab: measure has no pmem tag')
    matrix = ((m.get('parallel') or {}).get('matrix') or [{}])[0]
    variants_exist(proj, matrix.get('V'), 'gitlab: measure matrix')
    script = ' '.join(m.get('script') or [])
    need('build/zdbench run --variant "$V" ' + RUN + ' "results/$CI_JOB_ID"' in script,
         'gitlab: measure does not run zdbench with a JUnit report into results/$CI_JOB_ID')
    art = m.get('artifacts') or {}
    need('results/' in (art.get('paths') or []), 'gitlab: results/ is no artifact')
    need((art.get('reports') or {}).get('junit') == 'report.xml', 'gitlab: no JUnit report')
    need(art.get('when') == 'always', 'gitlab: artifacts not kept when the kernel fails')
    c = ci.get('compare') or {}
    need(c.get('stage') == 'compare' and 'compare' in (ci.get('stages') or []),
         'gitlab: compare is not the last stage')
    need(any((n.get('job') if isinstance(n, dict) else n) == 'measure'
             for n in c.get('needs') or []), 'gitlab: compare does not need measure')
    script = c.get('script') or []
    need('build/zdbench merge -o merged results/*/' in script, 'gitlab: no merge')
    need(any(s.startswith('build/zdbench compare') for s in script), 'gitlab: no compare')


def github(proj):
    path = os.path.join(proj, 'contrib/github-actions.yml')
    with open(path) as f:
        wf = yaml.safe_load(f)
    # YAML 1.1 reads the key "on" as true
    need(wf.get('on', wf.get(True)), 'github: no trigger (on:)')
    jobs = wf.get('jobs') or {}
    m = jobs.get('measure') or {}
    need({'self-hosted', 'pmem'} <= set(m.get('runs-on') or []),
         'github: measure does not run on [self-hosted, pmem]')
    variants_exist(proj, ((m.get('strategy') or {}).get('matrix') or {}).get('variant'),
                   'github: measure matrix')
    steps = m.get('steps') or []
    runs = ' '.join(s.get('run', '') for s in steps)
    need('build/zdbench run --variant "$V" ' + RUN in runs,
         'github: measure does not run zdbench with a JUnit report')
    uploads = [s.get('with', {}).get('path') for s in steps
               if str(s.get('uses', '')).startswith('actions/upload-artifact')]
    need('results/' in uploads, 'github: results/ is not uploaded')
    need('report.xml' in uploads, 'github: the JUnit report is not uploaded')
    c = jobs.get('compare') or {}
    need(c.get('needs') == 'measure' and 'always()' in str(c.get('if')),
         'github: compare does not follow every measure job')
    steps = c.get('steps') or []
    need(any(str(s.get('uses', '')).startswith('actions/download-artifact') for s in steps),
         'github: compare downloads nothing')
    runs = '\n'.join(s.get('run', '') for s in steps)
    need('build/zdbench merge -o merged results/*/' in runs, 'github: no merge')
    need('build/zdbench compare --pool $sides' in runs, 'github: no compare')


def main():
    proj = sys.argv[1]
    for check in (gitlab, github):
        try:
            check(proj)
        except (OSError, yaml.YAMLError, AttributeError, TypeError) as e:
            problems.append('%s: %s' % (check.__name__, e))
    for p in problems:
        print(p)
    if not problems:
        print('ok')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
