#!/usr/bin/env python3
"""Cuts the request bodies tether takes out of moby's Engine API document (api/swagger.yaml) into
src/api/docker/spec/engine-api-1.43.json: the schemas of the bodies and every definition they
reference, descriptions dropped. The property test (test/api-spec-bodies.test.ts) generates
bodies from it. Regenerate: git -C <moby> show v24.0.9:api/swagger.yaml > s.yaml; python3 this s.yaml
"""
import json
import sys

import yaml

SOURCE = 'https://github.com/moby/moby/blob/v24.0.9/api/swagger.yaml (commit fca702de7f71362c8d103073c7e4a1d0a467fadd, API 1.43)'
BODIES = {
    'networkCreate': ('/networks/create', 'post'),
    'networkConnect': ('/networks/{id}/connect', 'post'),
    'networkDisconnect': ('/networks/{id}/disconnect', 'post'),
    'containerCreate': ('/containers/create', 'post'),
}


def strip(node):
    """Drops prose; keeps what a generator needs (types, enums, examples, refs, nullability)."""
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in ('description', 'title')}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def refs(node, out):
    if isinstance(node, dict):
        r = node.get('$ref')
        if isinstance(r, str):
            out.add(r.rsplit('/', 1)[1])
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def main():
    doc = yaml.safe_load(open(sys.argv[1]))
    bodies, responses = {}, {}
    for key, (path, method) in BODIES.items():
        op = doc['paths'][path][method]
        bodies[key] = strip(next(p['schema'] for p in op['parameters'] if p['in'] == 'body'))
        responses[key] = sorted(int(c) for c in op['responses'])
    wanted, seen = set(), set()
    refs(bodies, wanted)
    while wanted - seen:
        name = (wanted - seen).pop()
        seen.add(name)
        refs(doc['definitions'][name], wanted)
    out = {
        'source': SOURCE,
        'apiVersion': doc['info']['version'],
        'bodies': bodies,
        'documentedStatuses': responses,
        'definitions': {n: strip(doc['definitions'][n]) for n in sorted(seen)},
    }
    json.dump(out, open('src/api/docker/spec/engine-api-1.43.json', 'w'), indent=1, sort_keys=False)
    print(f"{len(bodies)} bodies, {len(seen)} definitions")


main()
