import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flagUsages, FlagError, parseFlags, type FlagSpec } from './args.js';

const specs: FlagSpec[] = [
  { name: 'quiet', short: 'q', kind: 'bool', usage: 'Only display IDs' },
  { name: 'force', short: 'f', kind: 'bool', usage: 'Force' },
  { name: 'opt', short: 'o', kind: 'map', usage: 'Set driver specific options' },
  { name: 'subnet', kind: 'strings', usage: 'Subnet' },
  { name: 'label', kind: 'list', usage: 'Set metadata', validate: (v) => { if (v === '') throw new Error('empty'); return v; } },
  { name: 'driver', short: 'd', kind: 'string', default: 'bridge', usage: 'Driver' },
  { name: 'filter', kind: 'filter', usage: 'Filter' },
  { name: 'ipv4', kind: 'bool', default: true, usage: 'IPv4' },
  { name: 'prio', kind: 'int', usage: 'Priority' },
];

test('long, short, attached and separated values; interspersed positionals', () => {
  const { flags, args } = parseFlags(['a', '--driver=macvlan', '-o', 'x=1', '-oy=2', '-o=z', 'b', '--subnet', '10.0.0.0/8,fd00::/64', '--subnet=1.0.0.0/8'], specs);
  assert.deepEqual(args, ['a', 'b']);
  assert.equal(flags.string('driver'), 'macvlan');
  assert.deepEqual([...flags.map('opt')], [['x', '1'], ['y', '2'], ['z', '']]);
  assert.deepEqual(flags.list('subnet'), ['10.0.0.0/8', 'fd00::/64', '1.0.0.0/8']);
});

test('defaults, bool chains, explicit false, changed()', () => {
  const { flags } = parseFlags(['-qf', '--ipv4=false'], specs);
  assert.equal(flags.bool('quiet'), true);
  assert.equal(flags.bool('force'), true);
  assert.equal(flags.bool('ipv4'), false);
  assert.equal(flags.changed('ipv4'), true);
  assert.equal(flags.changed('driver'), false);
  assert.equal(flags.string('driver'), 'bridge');
  assert.equal(parseFlags([], specs).flags.bool('ipv4'), true);
});

test('-- ends flags', () => {
  const { flags, args } = parseFlags(['-q', '--', '-f', '--x'], specs);
  assert.equal(flags.bool('force'), false);
  assert.deepEqual(args, ['-f', '--x']);
});

test('filter items are normalised like docker FilterOpt', () => {
  const { flags } = parseFlags(['--filter', ' Label = a=b ', '--filter', ''], specs);
  assert.deepEqual(flags.list('filter'), ['label=a=b']);
});

test('int flag', () => {
  assert.equal(parseFlags(['--prio', '-5'], specs).flags.int('prio'), -5);
});

test('pflag error messages', () => {
  const err = (argv: string[]): string => {
    try {
      parseFlags(argv, specs);
    } catch (e) {
      assert.ok(e instanceof FlagError);
      return e.message;
    }
    return 'no error';
  };
  assert.equal(err(['--bogus']), 'unknown flag: --bogus');
  assert.equal(err(['-qx']), "unknown shorthand flag: 'x' in -qx");
  assert.equal(err(['-o']), "flag needs an argument: 'o' in -o");
  assert.equal(err(['--driver']), 'flag needs an argument: --driver');
  assert.equal(err(['--ipv4=maybe']), 'invalid argument "maybe" for "--ipv4" flag: strconv.ParseBool: parsing "maybe": invalid syntax');
  assert.equal(err(['-q=2']), 'invalid argument "2" for "-q, --quiet" flag: strconv.ParseBool: parsing "2": invalid syntax');
  assert.equal(err(['--label', '']), 'invalid argument "" for "--label" flag: empty');
  assert.equal(err(['--filter', 'x']), 'invalid argument "x" for "--filter" flag: bad format of filter (expected name=value)');
  assert.equal(err(['--prio', 'x']), 'invalid argument "x" for "--prio" flag: strconv.ParseInt: parsing "x": invalid syntax');
});

test('help block matches docker network create --help (80 columns)', () => {
  const create: FlagSpec[] = [
    { name: 'aux-address', kind: 'map', usage: 'Auxiliary IPv4 or IPv6 addresses used by Network driver' },
    { name: 'driver', short: 'd', kind: 'string', default: 'bridge', usage: 'Driver to manage the Network' },
    { name: 'ipv4', kind: 'bool', default: true, usage: 'Enable or disable IPv4 address assignment' },
    { name: 'label', kind: 'list', usage: 'Set metadata on a network' },
    { name: 'subnet', kind: 'strings', usage: 'Subnet in CIDR format that represents a network segment' },
  ];
  assert.equal(
    flagUsages(create, 79),
    '      --aux-address map   Auxiliary IPv4 or IPv6 addresses used by\n' +
      '                          Network driver (default map[])\n' +
      '  -d, --driver string     Driver to manage the Network (default "bridge")\n' +
      '      --ipv4              Enable or disable IPv4 address assignment\n' +
      '                          (default true)\n' +
      '      --label list        Set metadata on a network\n' +
      '      --subnet strings    Subnet in CIDR format that represents a network\n' +
      '                          segment\n',
  );
});
