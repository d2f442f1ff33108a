import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseResolvConf, toUpstreams } from './upstreams.js';

test('resolv.conf: nameservers in order, the last search line, comments ignored', () => {
  const conf = parseResolvConf('# x\nnameserver 10.0.0.1\nsearch a.example\nnameserver fd00::1 # v6\n; c\nsearch B.example. c.example\noptions ndots:0\n');
  assert.deepEqual(conf, { nameservers: ['10.0.0.1', 'fd00::1'], search: ['b.example', 'c.example'] });
});

test('upstreams: our own address, duplicates and non-addresses are dropped', () => {
  const ups = toUpstreams(['127.0.0.11', '10.0.0.1', 'bogus', '10.0.0.1', '127.0.0.53', 'fd00::1'], 5353, ['127.0.0.11']);
  assert.deepEqual(ups.map((u) => `${u.address}:${u.port}`), ['10.0.0.1:5353', '127.0.0.53:5353', 'fd00::1:5353']);
});
