import json,sys,os,glob
def camel(s):
    p=s.split('_'); return p[0]+''.join(x[:1].upper()+x[1:] for x in p[1:])
def g(o,k):
    if not isinstance(o,dict): return None
    return o[k] if k in o else o.get(camel(k))
def load(path):
    if os.path.isdir(path):
        b=json.load(open(path+'/block.json'))
        sh=[json.load(open(path+'/shard_%d.json'%c['shard_id'])) for c in b['chunks']]
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
if __name__=='__main__':
    print(json.dumps(counts([load(p) for p in sys.argv[1:]])))
