#!/usr/bin/env python3
# Prints the Markdown tables of BENCHMARKS.md from a directory of JMH JSON results (run-all.sh OUT_DIR).
# Usage: benchmarks/scripts/tables.py OUT_DIR
import json,sys,glob,os
d=sys.argv[1]
res={}
for f in glob.glob(os.path.join(d,'*.json')):
    try:
        data=json.load(open(f))
    except Exception:
        continue
    for r in data:
        b=r['benchmark'].split('.')[-2]+'.'+r['benchmark'].split('.')[-1]
        p=dict(r.get('params',{}))
        pm=r['primaryMetric']
        raw=[x for fork in pm['rawData'] for x in fork]
        raw.sort()
        med=raw[len(raw)//2] if raw else pm['score']
        res[(b,tuple(sorted(p.items())))]=(pm['score'],pm['scoreError'],med)
def get(b,**p):
    p={k:str(v) for k,v in p.items()}
    return res.get((b,tuple(sorted(p.items()))))
def fmt(x):
    if x is None: return 'n/a'
    s,e,m=x
    return f'{s:,.1f} ± {e:,.1f} (med {m:,.1f})' if s<1000 else f'{s:,.0f} ± {e:,.0f} (med {m:,.0f})'
def ratio(v,t):
    if v is None or t is None: return 'n/a'
    return f'{v[0]/t[0]:.2f}x (med {v[2]/t[2]:.2f}x)'
print('### Virtual-block benchmark (ns/op, mean ± 99.9% CI over 2 forks x 4 iterations; med = median iteration)\n')
print('| alignment | phase | VMA MIN_TIME | TLSF MIN_TIME | VMA / TLSF | VMA MIN_MEMORY | TLSF MIN_MEMORY | VMA / TLSF | first fit |')
print('|---:|---|---:|---:|---:|---:|---:|---:|---:|')
for al in [1,16,64,256]:
    for ph in ['allocateAll','randomOperations','freeAll']:
        b='VirtualBlockBenchmark.'+ph
        g=lambda peer: get(b,alignment=al,peer=peer)
        print(f'| {al} | {ph} | {fmt(g("VMA_MIN_TIME"))} | {fmt(g("TLSF_MIN_TIME"))} | {ratio(g("VMA_MIN_TIME"),g("TLSF_MIN_TIME"))} | {fmt(g("VMA_MIN_MEMORY"))} | {fmt(g("TLSF_MIN_MEMORY"))} | {ratio(g("VMA_MIN_MEMORY"),g("TLSF_MIN_MEMORY"))} | {fmt(g("FIRST_FIT"))} |')
print('\n### Algorithm benchmark (ns/op)\n')
print('| block | free order | VMA MIN_TIME | TLSF MIN_TIME | VMA / TLSF | VMA MIN_MEMORY | TLSF MIN_MEMORY | VMA / TLSF | first fit |')
print('|---|---|---:|---:|---:|---:|---:|---:|---:|')
for pf in ['false','true']:
    for o in ['FORWARD','BACKWARD','RANDOM']:
        g=lambda peer: get('AlgorithmBenchmark.rounds',prefilled=pf,freeOrder=o,peer=peer)
        print(f'| {"pre-filled" if pf=="true" else "empty"} | {o.lower()} | {fmt(g("VMA_MIN_TIME"))} | {fmt(g("TLSF_MIN_TIME"))} | {ratio(g("VMA_MIN_TIME"),g("TLSF_MIN_TIME"))} | {fmt(g("VMA_MIN_MEMORY"))} | {fmt(g("TLSF_MIN_MEMORY"))} | {ratio(g("VMA_MIN_MEMORY"),g("TLSF_MIN_MEMORY"))} | {fmt(g("FIRST_FIT"))} |')
print('\n### Scaling (ns per free + allocate pair)\n')
print('| victims | peer | 1k live | 100k live | 1M live | 1M / 1k |')
print('|---|---|---:|---:|---:|---:|')
for v in ['RANDOM','RECENT']:
    for peer in ['TLSF_MIN_TIME','VMA_MIN_TIME','FIRST_FIT']:
        g=lambda n: get('BlockAllocatorScalingBenchmark.freeThenAllocate',liveAllocations=n,peer=peer,victims=v)
        a,b,c=g(1000),g(100000),g(1000000)
        print(f'| {v.lower()} | {peer} | {fmt(a)} | {fmt(b)} | {fmt(c)} | {ratio(c,a)} |')
