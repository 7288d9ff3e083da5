#!/usr/bin/env python3
"""Run splinter lint SQL files against the RLS corpus and score them against the hand audits.

Usage: compare.py PORT CORPUS_DIR FIXTURE_SQL LINT_DIR OUT_DIR
Each schema / mutant gets its own fresh database: fixture, then schema, then (mutants) the mutation SQL.
Each lint runs in its own transaction (create schema lint; create view ...; select; rollback),
so one lint erroring never affects another. Two configurations:
  supabase : search_path = '' and pgrst.db_schemas = <audit exposed_schemas> (as on a Supabase project)
  plain    : server defaults (search_path "$user", public; pgrst.db_schemas unset)
"""
import glob, json, os, re, subprocess, sys

PORT, CORPUS, FIXTURE, LINTS, OUT = sys.argv[1:6]
PSQL = ['psql', '-h', '127.0.0.1', '-p', PORT, '-U', 'postgres', '-X', '-q']
PERF = {'unindexed_foreign_keys', 'no_primary_key', 'unused_index', 'multiple_permissive_policies',
        'duplicate_index', 'auth_rls_initplan', 'table_bloat', 'invalid_index', 'autovacuum_disabled',
        'unused_replication_slot'}

def run(args, sql=None, db='postgres'):
    return subprocess.run(PSQL + ['-d', db] + args, input=sql, capture_output=True, text=True)

def cases():
    out = []
    for audit in sorted(glob.glob(os.path.join(CORPUS, '*.audit.json'))):
        name = os.path.basename(audit)[:-len('.audit.json')]
        d = json.load(open(audit))
        if 'base' in d:
            base = json.load(open(os.path.join(CORPUS, d['base'] + '.audit.json')))
            objs = {k: dict(v) for k, v in base['objects'].items()}
            for k, v in d['objects'].items():
                objs[k] = v
            out.append(dict(name=name, schema=os.path.join(CORPUS, d['base'] + '.sql'),
                            mutation=d['mutation'], objects=objs,
                            exposed=(base.get('security') or {}).get('exposed_schemas', ['public'])))
        else:
            out.append(dict(name=name, schema=os.path.join(CORPUS, d['schema_file']), mutation=None,
                            objects=d['objects'],
                            exposed=(d.get('security') or {}).get('exposed_schemas', ['public'])))
    return out

def lint_files():
    return sorted(glob.glob(os.path.join(LINTS, '0*.sql')))

def load(case):
    db = 'sc_' + re.sub(r'[^a-z0-9_]', '_', case['name'].lower())
    run(['-c', f'drop database if exists {db}'])
    r = run(['-c', f'create database {db}'])
    assert r.returncode == 0, r.stderr
    for f in [FIXTURE, case['schema']]:
        r = run(['-v', 'ON_ERROR_STOP=1', '-f', f], db=db)
        if r.returncode:
            raise SystemExit(f'{case["name"]}: loading {f} failed: {r.stderr}')
    if case['mutation']:
        r = run(['-v', 'ON_ERROR_STOP=1'], sql=case['mutation'], db=db)
        if r.returncode:
            raise SystemExit(f'{case["name"]}: mutation failed: {r.stderr}')
    run(['-c', 'analyze'], db=db)
    return db

def run_lint(db, path, config, exposed):
    view = os.path.basename(path)[:-4]
    settings = ''
    if config == 'supabase':
        settings = "set local search_path = '';\nset local pgrst.db_schemas = '%s';\n" % ','.join(exposed)
    sql = ("\\set ON_ERROR_STOP 1\nbegin;\n" + settings + "create schema lint;\n" + open(path).read() +
           "\n;\nselect coalesce(json_agg(json_build_object('name', name, 'level', level, 'detail', detail, "
           "'metadata', metadata, 'cache_key', cache_key)), '[]') from lint.\"%s\";\nrollback;\n" % view)
    r = run(['-At'], sql=sql, db=db)
    if r.returncode:
        return None, r.stderr.strip().splitlines()[-1] if r.stderr.strip() else 'error'
    return json.loads(r.stdout.strip().splitlines()[-1]), None

def obj_keys(f):
    m = f.get('metadata') or {}
    schema, name = m.get('schema'), m.get('name') or m.get('table')
    if f['name'] == 'public_bucket_allows_listing':
        return ['storage.objects']          # a bucket finding is about the policies on storage.objects
    if name is None:
        return []
    name = str(name)
    if '.' in name:                         # regclass text, e.g. 0015 under search_path ''
        schema, name = name.rsplit('.', 1)
    return ['%s.%s' % (str(schema).strip('"'), name.strip('"'))]

def score(case, findings, errors):
    objs = case['objects']
    per_obj = {k: [] for k in objs}
    unmapped = []
    for f in findings:
        ks = [k for k in obj_keys(f) if k in objs]
        for k in ks:
            per_obj[k].append(f)
        if not ks:
            unmapped.append(f)
    res = dict(case=case['name'], weak_total=0, weak_caught=0, weak_caught_security=0,
               protected_total=0, false_alarms=0, false_alarms_security=0, info=0,
               info_on_audited=0, lint_errors=len(errors), errors=errors, objects={}, unmapped=[])
    for k, v in objs.items():
        hits = per_obj[k]
        ew = [f for f in hits if f['level'] in ('ERROR', 'WARN')]
        ews = [f for f in ew if f['name'] not in PERF]
        res['objects'][k] = dict(verdict=v['verdict'],
                                 findings=sorted({'%s:%s' % (f['level'], f['name']) for f in hits}))
        if v['verdict'] == 'weak':
            res['weak_total'] += 1
            res['weak_caught'] += bool(ew)
            res['weak_caught_security'] += bool(ews)
        else:
            res['protected_total'] += 1
            res['false_alarms'] += bool(ew)
            res['false_alarms_security'] += bool(ews)
    res['info'] = sum(1 for f in findings if f['level'] == 'INFO')
    res['info_on_audited'] = sum(len([f for f in per_obj[k] if f['level'] == 'INFO']) for k in objs)
    res['unmapped'] = sorted({'%s:%s:%s' % (f['level'], f['name'], f['cache_key']) for f in unmapped})
    res['findings'] = len(findings)
    return res

def main():
    os.makedirs(OUT, exist_ok=True)
    allres = {}
    for config in ('supabase', 'plain'):
        allres[config] = []
    for case in cases():
        db = load(case)
        for config in ('supabase', 'plain'):
            findings, errors = [], []
            for lf in lint_files():
                rows, err = run_lint(db, lf, config, case['exposed'])
                if err:
                    errors.append('%s: %s' % (os.path.basename(lf)[:-4], err))
                else:
                    findings += rows
            json.dump(findings, open(os.path.join(OUT, '%s.%s.findings.json' % (case['name'], config)), 'w'), indent=1)
            allres[config].append(score(case, findings, errors))
        # the superseded 0024 variant, reported separately (supabase config only)
        sup = []
        for lf in sorted(glob.glob(os.path.join(LINTS, 'superseded', '*.sql'))):
            rows, err = run_lint(db, lf, 'supabase', case['exposed'])
            sup.append(dict(lint=os.path.basename(lf), error=err,
                            objects=sorted({k for f in (rows or []) for k in obj_keys(f)})))
        allres.setdefault('superseded', []).append(dict(case=case['name'], results=sup))
        run(['-c', f'drop database {db}'])
    json.dump(allres, open(os.path.join(OUT, 'results.json'), 'w'), indent=1)
    for config in ('supabase', 'plain'):
        rs = allres[config]
        lines = ['| schema | weak caught / weak total (any ERROR/WARN) | weak caught by a SECURITY lint | false alarms on protected (any ERROR/WARN) / protected total | of which SECURITY lints | INFO findings (all / on audited objects) | lint errors |',
                 '|---|---|---|---|---|---|---|']
        T = dict(wc=0, wt=0, ws=0, fa=0, pt=0, fs=0, info=0, infoa=0, err=0)
        for r in rs:
            lines.append('| %s | %d / %d | %d | %d / %d | %d | %d / %d | %d |' % (
                r['case'], r['weak_caught'], r['weak_total'], r['weak_caught_security'], r['false_alarms'],
                r['protected_total'], r['false_alarms_security'], r['info'], r['info_on_audited'], r['lint_errors']))
            for a, b in (('wc', 'weak_caught'), ('wt', 'weak_total'), ('ws', 'weak_caught_security'),
                         ('fa', 'false_alarms'), ('pt', 'protected_total'), ('fs', 'false_alarms_security'),
                         ('info', 'info'), ('infoa', 'info_on_audited'), ('err', 'lint_errors')):
                T[a] += r[b]
        lines.append('| **total** | **%d / %d** | **%d** | **%d / %d** | **%d** | **%d / %d** | **%d** |' % (
            T['wc'], T['wt'], T['ws'], T['fa'], T['pt'], T['fs'], T['info'], T['infoa'], T['err']))
        open(os.path.join(OUT, 'table.%s.md' % config), 'w').write('\n'.join(lines) + '\n')
        print('## config:', config)
        print('\n'.join(lines))
        print()

main()
