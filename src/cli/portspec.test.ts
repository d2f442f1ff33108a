// nat.ParsePortSpec / ParsePortSpecs as docker 28 vendors them: bindings, ranges, IPv6 hosts,
// the long --publish syntax, --expose, and the exact error texts `run` prints.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePortRange, parsePorts, parsePortSpec, splitProtoPort, toStandardNotation } from './portspec.js';

const spec = (raw: string): Array<[string, string, string]> =>
  parsePortSpec(raw).map(({ port, binding }) => [port, binding.HostIp, binding.HostPort]);

test('port specs: container port, host port, IP and protocol', () => {
  assert.deepEqual(spec('80'), [['80/tcp', '', '']]);
  assert.deepEqual(spec('8080:80'), [['80/tcp', '', '8080']]);
  assert.deepEqual(spec('127.0.0.1:8080:80/udp'), [['80/udp', '127.0.0.1', '8080']]);
  assert.deepEqual(spec('127.0.0.1::80'), [['80/tcp', '127.0.0.1', '']]);
  assert.deepEqual(spec('[::1]:90:90/SCTP'), [['90/sctp', '::1', '90']]);
  assert.deepEqual(spec('::1:90:90'), [['90/tcp', '::1', '90']]);
  assert.deepEqual(spec('8087:0'), [['0/tcp', '', '8087']]); // accepted, as INDEX 07 notes
});

test('port specs: ranges', () => {
  assert.deepEqual(spec('8000-8002:80-82'), [
    ['80/tcp', '', '8000'],
    ['81/tcp', '', '8001'],
    ['82/tcp', '', '8002'],
  ]);
  // One container port on a host range: the daemon picks from the range.
  assert.deepEqual(spec('8000-8010:80'), [['80/tcp', '', '8000-8010']]);
  assert.deepEqual(spec('70-71'), [
    ['70/tcp', '', ''],
    ['71/tcp', '', ''],
  ]);
});

test('port specs: docker error texts', () => {
  const err = (raw: string): string => {
    try {
      parsePortSpec(raw);
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.equal(err('99999:80'), 'invalid hostPort: 99999');
  assert.equal(err('80/sctpx'), 'invalid proto: sctpx');
  assert.equal(err('8087-8088:80-82'), 'invalid ranges specified for container and host Ports: 80-82 and 8087-8088');
  assert.equal(err('300.1.1.1:80:80'), 'invalid IP address: 300.1.1.1');
  assert.equal(err('8080:'), 'no port specified: 8080:<empty>');
  assert.equal(err('8080:abc'), 'invalid containerPort: abc');
  assert.equal(err('90-80'), 'invalid containerPort: 90-80');
});

test('port helpers: ranges, proto split, long syntax, --expose merge', () => {
  assert.deepEqual(parsePortRange('8000-8010'), [8000, 8010]);
  assert.throws(() => parsePortRange('65536'), /value out of range/);
  assert.deepEqual(splitProtoPort('53/udp'), ['udp', '53']);
  assert.deepEqual(splitProtoPort('53/'), ['tcp', '53']);
  assert.equal(toStandardNotation('target=80,published=8080,protocol=udp'), '8080:80/udp');
  assert.throws(() => toStandardNotation('target=80,bogus'), /should be name=value but got 'bogus'/);
  const { exposed, bindings } = parsePorts(['8080:80', '8081:80'], ['80', '90-91/udp']);
  assert.deepEqual([...exposed], ['80/tcp', '90/udp', '91/udp']);
  assert.deepEqual(bindings.get('80/tcp'), [
    { HostIp: '', HostPort: '8080' },
    { HostIp: '', HostPort: '8081' },
  ]);
  assert.throws(() => parsePorts([], ['1:2']), /invalid port format for --expose: 1:2/);
  assert.throws(() => parsePorts([], ['99999']), /invalid range format for --expose: 99999, error: strconv.ParseUint: parsing "99999": value out of range/);
});
