import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayWidth, tabwrite, TabWriter } from './tabwriter.js';

const rows = (lines: string[][]): string => lines.map((l) => l.join('\t')).join('\n') + '\n';

test('network ls table, byte for byte (01-network-ls-inspect)', () => {
  const out = tabwrite(
    rows([
      ['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'],
      ['c48056864c90', 'bridge', 'bridge', 'local'],
      ['48dcdf6662e7', 'custom_network', 'bridge', 'local'],
      ['899a42ab0660', 'host', 'host', 'local'],
      ['d88de5682cef', 'none', 'null', 'local'],
    ]),
  );
  assert.equal(
    out,
    'NETWORK ID     NAME             DRIVER    SCOPE\n' +
      'c48056864c90   bridge           bridge    local\n' +
      '48dcdf6662e7   custom_network   bridge    local\n' +
      '899a42ab0660   host             host      local\n' +
      'd88de5682cef   none             null      local\n',
  );
});

test('header only (10-api-trace: empty network ls)', () => {
  assert.equal(tabwrite('NETWORK ID\tNAME\tDRIVER\tSCOPE\n'), 'NETWORK ID   NAME      DRIVER    SCOPE\n');
});

test('column blocks: a single-cell line splits the table (docker version layout)', () => {
  const tw = new TabWriter(20, 1);
  tw.write('Client:\n Version:\t28.2.2\n API version:\t1.41\n\nServer:\n Engine:\n  Version:\t20.10\n  GitCommit:\t\n');
  assert.equal(
    tw.flush(),
    'Client:\n Version:           28.2.2\n API version:       1.41\n\nServer:\n Engine:\n  Version:          20.10\n  GitCommit:        \n',
  );
});

test('a column is as wide as its block; a later column only spans lines that have it', () => {
  assert.equal(
    tabwrite('aaaaaaaaaaaaaaa\tb\tc\nx\ty\nlonglonglonglonglong\tz\n'),
    `aaaaaaaaaaaaaaa${' '.repeat(8)}b${' '.repeat(9)}c\nx${' '.repeat(22)}y\nlonglonglonglonglong   z\n`,
  );
  // A single-cell line in between starts a new block with its own widths.
  assert.equal(tabwrite('a\tb\n-\nlonger-cell-here\tc\n'), `a${' '.repeat(9)}b\n-\nlonger-cell-here   c\n`);
});

test('display width counts wide characters twice', () => {
  assert.equal(displayWidth('网络'), 4);
  assert.equal(displayWidth('e\u0301'), 1);
});
