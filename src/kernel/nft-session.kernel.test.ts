// The long-running nft session must behave as `nft -f -` does: a batch applies whole or not at
// all, its error is its own (not the next batch's), and batches queued at once complete in order.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { NftSession, oneLine } from './nft-session.js';

// Named as test hosts are (tt<pid><letters><n>), so a killed run's namespace is reaped by the next.
const NS = `tt${process.pid}nft1`;
const listing = (): string => execFileSync('nsenter', [`--net=/run/netns/${NS}`, 'nft', 'list', 'ruleset'], { encoding: 'utf8' });

describe('NftSession', () => {
  let s: NftSession;
  before(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    s = new NftSession(['nsenter', `--net=/run/netns/${NS}`, 'nft', '-i']);
  });
  after(() => {
    s?.close();
    execFileSync('ip', ['netns', 'del', NS]);
  });

  it('applies a multi-line batch, braces and all, as one transaction', async () => {
    await s.exec(oneLine('add table inet t\nadd set inet t s {\n  type ipv4_addr\n  flags interval\n}\nadd chain inet t c { type filter hook input priority 0; }\nadd rule inet t c ip saddr @s drop\n')!);
    assert.match(listing(), /set s \{\s+type ipv4_addr\s+flags interval/);
    assert.match(listing(), /ip saddr @s drop/);
  });

  it('a failing batch changes nothing and reports its own error; the next one is fine', async () => {
    const bad = s.exec(oneLine('add element inet t s { 10.0.0.0/8 }\nadd rule inet t nosuch drop\n')!);
    const good = s.exec(oneLine('add element inet t s { 192.168.0.0/16 }\n')!);
    await assert.rejects(bad, /nft: Error: .*No such file or directory[\s\S]*nosuch/);
    await good;
    assert.doesNotMatch(listing(), /10\.0\.0\.0\/8/);
    assert.match(listing(), /192\.168\.0\.0\/16/);
  });

  it('leaves comments and very long batches to nft -f', () => {
    assert.equal(oneLine('add table inet t # ours\n'), undefined);
    assert.equal(oneLine(`add table inet t\n${'add element inet t s { 10.0.0.1 }\n'.repeat(3000)}`), undefined);
  });
});
