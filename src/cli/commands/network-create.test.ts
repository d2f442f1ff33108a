import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFlags } from '../args.js';
import { buildCreateRequest, createFlags, ipamConfigs, withCheckDuplicate } from './network-create.js';

const body = (argv: string[], version = '1.41'): string => {
  const { flags, args } = parseFlags(argv, createFlags);
  return JSON.stringify(withCheckDuplicate(buildCreateRequest(args[0] as string, flags), version));
};

test('plain create: the body docker 28 sent (10-api-trace/02-network.log)', () => {
  assert.equal(
    body(['trace-n1']),
    '{"Driver":"bridge","Scope":"","IPAM":{"Driver":"default","Options":{},"Config":[]},"Internal":false,"Attachable":false,"Ingress":false,"ConfigOnly":false,"ConfigFrom":null,"Options":{},"Labels":{},"Name":"trace-n1","CheckDuplicate":true}',
  );
});

test('--subnet --gateway -o --label: same shape as the trace', () => {
  assert.equal(
    body(['--subnet', '10.1.1.0/24', '--gateway', '10.1.1.1', '-o', 'a=b', '--label', 'x', 'mynet']),
    '{"Driver":"bridge","Scope":"","IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"10.1.1.0/24","Gateway":"10.1.1.1"}]},"Internal":false,"Attachable":false,"Ingress":false,"ConfigOnly":false,"ConfigFrom":null,"Options":{"a":"b"},"Labels":{"x":""},"Name":"mynet","CheckDuplicate":true}',
  );
});

test('trace-n3 and --ipv6 bodies, byte for byte', () => {
  assert.equal(
    body(['--subnet', '10.231.0.0/24', '--gateway', '10.231.0.1', '--ip-range', '10.231.0.128/25', '-o', 'com.docker.network.bridge.name=trace-br3',
      '-o', 'com.docker.network.driver.mtu=1400', '--label', 'trace=1', '--label', 'trace-prune=1', 'trace-n3']),
    '{"Driver":"bridge","Scope":"","IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"10.231.0.0/24","IPRange":"10.231.0.128/25","Gateway":"10.231.0.1"}]},"Internal":false,"Attachable":false,"Ingress":false,"ConfigOnly":false,"ConfigFrom":null,"Options":{"com.docker.network.bridge.name":"trace-br3","com.docker.network.driver.mtu":"1400"},"Labels":{"trace":"1","trace-prune":"1"},"Name":"trace-n3","CheckDuplicate":true}',
  );
  assert.equal(
    body(['--ipv6', '--subnet', 'fd00:dead:beef::/64', 'trace-n5']),
    '{"Driver":"bridge","Scope":"","EnableIPv6":true,"IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"fd00:dead:beef::/64"}]},"Internal":false,"Attachable":false,"Ingress":false,"ConfigOnly":false,"ConfigFrom":null,"Options":{},"Labels":{},"Name":"trace-n5","CheckDuplicate":true}',
  );
});

test('CheckDuplicate is only sent to daemons older than API 1.44', () => {
  assert.ok(!body(['n'], '1.44').includes('CheckDuplicate'));
  assert.ok(body(['n'], '1.43').endsWith('"CheckDuplicate":true}'));
});

test('client-side IPAM checks with docker\'s messages (06-errors)', () => {
  const err = (s: string[], r: string[], g: string[], aux: Array<[string, string]> = []): string => {
    try {
      ipamConfigs(s, r, g, new Map(aux));
      return 'ok';
    } catch (e) {
      return (e as Error).message;
    }
  };
  assert.equal(err(['10.60.0.0/24'], [], ['10.61.0.1']), 'no matching subnet for gateway 10.61.0.1');
  assert.equal(err(['10.71.0.0/24'], [], ['10.71.0.999']), 'no matching subnet for gateway 10.71.0.999');
  assert.equal(err([], [], ['10.60.0.1']), 'every ip-range or gateway must have a corresponding subnet');
  assert.equal(err(['10.60.0.0/24'], [], ['10.60.0.1', '10.60.0.2']), 'every ip-range or gateway must have a corresponding subnet');
  assert.equal(err(['10.60.0.0/24'], ['10.62.0.0/24'], []), 'no matching subnet for range 10.62.0.0/24');
  assert.equal(err(['10.60.0.0/24'], [], [], [['a', '10.63.0.5']]), 'no matching subnet for aux-address 10.63.0.5');
  assert.equal(err(['10.60.0.0/16', '10.60.1.0/24'], [], []), 'multiple overlapping subnet configuration is not supported');
  assert.equal(err(['foo', '10.0.0.0/8'], [], []), 'invalid subnet: invalid CIDR address: foo');
  assert.equal(err(['foo'], [], []), 'ok'); // a single bad subnet is left for the daemon to reject
  assert.equal(err(['10.64.0.5/24', 'fd00:4::/64'], ['10.64.0.128/25'], ['fd00:4::1'], [['h', '10.64.0.2']]), 'ok');
});
