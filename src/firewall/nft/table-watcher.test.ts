import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ownedStructure } from './table-structure.js';
import { isSuspectLine } from './table-watcher.js';

describe('isSuspectLine', () => {
  it('flags changes to our table except elements and user-chain rules', () => {
    const yes = [
      'delete table inet tether',
      'delete chain inet tether forward',
      'delete rule inet tether forward handle 30',
      'add rule inet tether nat-prerouting ip daddr 1.2.3.4 accept',
      'delete set inet tether bridges',
      'delete chain inet tether user',
    ];
    const no = [
      'add element inet tether ports4_any { tcp . 9090 : 172.18.0.9 . 90 }',
      'delete element inet tether bridges { "br-a" }',
      'add rule inet tether user counter packets 0 bytes 0',
      'delete rule inet tether user handle 38',
      'delete table inet tether2',
      'delete table ip tether',
      'add rule inet other forward accept',
      '# new generation 7 by process 7275 (nft)',
    ];
    for (const l of yes) assert.equal(isSuspectLine(l, 'tether'), true, l);
    for (const l of no) assert.equal(isSuspectLine(l, 'tether'), false, l);
  });
});

describe('ownedStructure', () => {
  const listing = (userRules: string, extra = '') =>
    `table inet tether {\n\tset bridges {\n\t\ttype ifname\n\t}\n\n\tchain user {\n${userRules}\t}\n\n${extra}\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n\t\tjump user\n\t}\n}\n`;

  it('ignores the user chain and objects the user added to our table', () => {
    const a = ownedStructure(listing(''));
    assert.equal(ownedStructure(listing('\t\tcounter packets 0 bytes 0\n')), a);
    assert.equal(ownedStructure(listing('', '\tchain mine {\n\t\taccept\n\t}\n\n')), a);
    assert.match(a, /chain forward \{\n.*\n\t\tjump user\n\t\}/);
  });

  it('differs when one of our chains changed or is gone', () => {
    const a = ownedStructure(listing(''));
    assert.notEqual(ownedStructure(listing('').replace('\t\tjump user\n', '')), a);
    assert.notEqual(ownedStructure(listing('').replace(/\tset bridges \{[^}]*\}\n/, '')), a);
  });
});
