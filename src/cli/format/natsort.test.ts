import assert from 'node:assert/strict';
import { test } from 'node:test';
import { naturalCompare, naturalLess } from './natsort.js';

test('docker network ls order (03-user-bridge transcript)', () => {
  const names = ['ref-net-v6', 'ref-net-range', 'ref-net', 'none', 'ref-net2', 'perf-dnet2', 'ref-net-aux', 'bridge', 'perf-dnet',
    'custom_network', 'ref-net-mtu', 'host', 'ref-net-label', 'ref-net-internal', 'ref-net-dual', 'ref-net-brname'];
  assert.deepEqual([...names].sort(naturalCompare), [
    'bridge', 'custom_network', 'host', 'none', 'perf-dnet', 'perf-dnet2', 'ref-net', 'ref-net2', 'ref-net-aux',
    'ref-net-brname', 'ref-net-dual', 'ref-net-internal', 'ref-net-label', 'ref-net-mtu', 'ref-net-range', 'ref-net-v6',
  ]);
});

test('numbers compare by value, then by leading zeros', () => {
  assert.ok(naturalLess('n2', 'n10'));
  assert.ok(!naturalLess('n10', 'n2'));
  assert.ok(naturalLess('n2', 'n02'));
  assert.ok(naturalLess('a', 'ab'));
  assert.ok(!naturalLess('a', 'a'));
  assert.ok(naturalLess('B', 'a')); // bytewise, not case-folded
});
