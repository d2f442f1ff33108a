// tetherd's cluster flags, with dockerd's names and forms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDaemonArgs } from './tetherd-flags.js';

const NO_FILE = ['--config-file', '/nonexistent/daemon.json'];

describe('tetherd cluster flags', () => {
  it('takes etcd://h:p,h:p as client URLs, https once TLS files are given', () => {
    const plain = parseDaemonArgs([...NO_FILE, '--cluster-store', 'etcd://10.0.0.1:2379,etcd1:2379', '--cluster-advertise', 'eth0:2376']);
    assert.deepEqual([plain.clusterStore, plain.clusterAdvertise], [['http://10.0.0.1:2379', 'http://etcd1:2379'], 'eth0:2376']);
    const tls = parseDaemonArgs([...NO_FILE, '--cluster-store', 'etcd://h:2379', '--cluster-advertise', '10.0.0.1', '--cluster-store-opt', 'kv.cacertfile=/ca.pem,kv.certfile=/c.pem', '--cluster-store-opt', 'kv.keyfile=/k.pem']);
    assert.deepEqual(tls.clusterStore, ['https://h:2379']);
    assert.deepEqual(tls.clusterStoreOpts, { 'kv.cacertfile': '/ca.pem', 'kv.certfile': '/c.pem', 'kv.keyfile': '/k.pem' });
    assert.deepEqual(parseDaemonArgs(NO_FILE).clusterStore, []);
  });

  it('refuses other stores, bad addresses, unknown options and a store without an advertise address', () => {
    assert.throws(() => parseDaemonArgs([...NO_FILE, '--cluster-store', 'consul://h:8500', '--cluster-advertise', '10.0.0.1']), /unsupported --cluster-store/);
    assert.throws(() => parseDaemonArgs([...NO_FILE, '--cluster-store', 'etcd://h', '--cluster-advertise', '10.0.0.1']), /want host:port/);
    assert.throws(() => parseDaemonArgs([...NO_FILE, '--cluster-store-opt', 'kv.path=/x']), /invalid --cluster-store-opt/);
    assert.throws(() => parseDaemonArgs([...NO_FILE, '--cluster-store', 'etcd://h:2379']), /needs --cluster-advertise/);
  });
});
