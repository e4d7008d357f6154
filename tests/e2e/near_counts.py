import json,sys,os,glob
def camel(s):
    p=s.split('_'); return p[0]+''.join(x[:1].upper()+x[1:] for x in p[1:])
def g(o,k):
    if not isinstance(o,dict): return None
    return o[k] if k in o else o.get(camel(k))
def load(path):
    if os.path.isdir(path):
        b=json.load(open(path+'/block.json'))
        sh=[json.load(open(path+'/shard_%d.json'%g(c,'shard_id'))) for c in g(b,'chunks')]
        return {'block':b,'shards':sh}
    return json.load(open(path))
def counts(msgs):
    c=dict(blocks=0,chunks=0,transactions=0,receipts=0,receipt_execution_outcomes=0,actions=0)
    for m in msgs:
        b=g(m,'block'); c['blocks']+=1; c['chunks']+=len(g(b,'chunks'))
        for s in g(m,'shards'):
            ch=g(s,'chunk')
            if ch:
                for t in g(ch,'transactions'):
                    c['transactions']+=1; c['actions']+=len(g(g(t,'transaction'),'actions'))
                for r in g(ch,'receipts'):
                    c['receipts']+=1; rr=g(r,'receipt')
                    if 'Action' in rr: c['actions']+=len(g(rr['Action'],'actions'))
            c['receipt_execution_outcomes']+=len(g(s,'receipt_execution_outcomes'))
    return c


def kinds(msgs):
    """(action_kind -> count, total Transfer deposit in yoctoNEAR) over all actions."""
    k, dep = {}, 0
    def one(a):
        nonlocal dep
        kind = a if isinstance(a, str) else next(iter(a))
        k[kind] = k.get(kind, 0) + 1
        if kind == 'Transfer':
            dep += int(g(a[kind], 'deposit'))
    for m in msgs:
        for s in g(m, 'shards'):
            ch = g(s, 'chunk')
            if not ch:
                continue
            for t in g(ch, 'transactions'):
                for a in g(g(t, 'transaction'), 'actions'):
                    one(a)
            for r in g(ch, 'receipts'):
                rr = g(r, 'receipt')
                if 'Action' in rr:
                    for a in g(rr['Action'], 'actions'):
                        one(a)
    return k, dep


if __name__ == '__main__':
    # near_counts.py [--kinds] PATH... : PATH is a <height> lake directory or a streamer-message file
    args = sys.argv[1:]
    if args and args[0] == '--kinds':
        k, dep = kinds([load(p) for p in args[1:]])
        for kind in sorted(k):
            print('%s,%d' % (kind, k[kind]))
        print('transfer_deposit,%d' % dep)
    else:
        print(json.dumps(counts([load(p) for p in args])))
