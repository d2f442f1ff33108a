// The unmodified docker CLI pointed at tetherd: issue 2's must-show, command by command.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { dockerClients, runClient } from './helpers/cli.js';

const clients = dockerClients();

describe('docker CLI against tetherd', { skip: clients.length === 0 ? 'no docker CLI on this machine' : false }, () => {
  let host: TestHost;
  let d: TestDaemon;

  before(async () => {
    host = createTestHost('cli');
    d = await startDaemon(host);
  });

  after(async () => {
    await d?.stop();
    host?.dispose();
  });

  for (const docker of clients) {
    it(`${docker}: network ls / create / inspect / rm / overlap`, () => {
      const ls = runClient([docker, 'network', 'ls'], d.socket);
      assert.equal(ls.code, 0, ls.stderr);
      const lines = ls.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/);
      assert.deepEqual(lines.slice(1).map((l) => l.split(/\s+/).slice(1).join(' ')), ['bridge bridge local', 'host host local', 'none null local']);

      const create = runClient([docker, 'network', 'create', '--subnet', '10.1.1.0/24', '--gateway', '10.1.1.1', 'mybridge'], d.socket);
      assert.equal(create.code, 0, create.stderr);
      assert.match(create.stdout, /^[0-9a-f]{64}\n$/);

      const inspect = runClient([docker, 'network', 'inspect', 'mybridge'], d.socket);
      assert.equal(inspect.code, 0, inspect.stderr);
      const [net] = JSON.parse(inspect.stdout) as Array<Record<string, unknown>>;
      // Same keys and value types as real Docker's (reference 01/03).
      const types = Object.fromEntries(Object.entries(net!).map(([k, v]) => [k, v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v]));
      assert.deepEqual(types, {
        Name: 'string', Id: 'string', Created: 'string', Scope: 'string', Driver: 'string', EnableIPv4: 'boolean', EnableIPv6: 'boolean', IPAM: 'object',
        Internal: 'boolean', Attachable: 'boolean', Ingress: 'boolean', ConfigFrom: 'object', ConfigOnly: 'boolean',
        Containers: 'object', Options: 'object', Labels: 'object',
      });
      assert.deepEqual(net!['IPAM'], { Driver: 'default', Options: {}, Config: [{ Subnet: '10.1.1.0/24', Gateway: '10.1.1.1' }] });

      const overlap = runClient([docker, 'network', 'create', '--subnet', '10.1.1.0/25', 'clash'], d.socket);
      assert.equal(overlap.code, 1);
      assert.match(overlap.stderr, /Error response from daemon: Pool overlaps with other one on this address space/);

      const dup = runClient([docker, 'network', 'create', 'mybridge'], d.socket);
      assert.equal(dup.code, 1);
      assert.match(dup.stderr, /network with name mybridge already exists/);

      const rm = runClient([docker, 'network', 'rm', 'mybridge'], d.socket);
      assert.equal(rm.code, 0, rm.stderr);
      assert.equal(rm.stdout, 'mybridge\n');
      const missing = runClient([docker, 'network', 'inspect', 'mybridge'], d.socket);
      assert.equal(missing.code, 1);
    });
  }
});
