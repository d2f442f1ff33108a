import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkContainerName, randomContainerName } from './names.js';

describe('container names', () => {
  it('generates adjective_surname, with a digit on retries, never boring_wozniak', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const n = randomContainerName();
      assert.match(n, /^[a-z]+_[a-z]+$/);
      assert.notEqual(n, 'boring_wozniak');
      seen.add(n);
    }
    assert.ok(seen.size > 5000, `only ${seen.size} distinct names in 20000`); // Docker's lists: ~25k pairs
    assert.match(randomContainerName(1), /^[a-z]+_[a-z]+[0-9]$/);
    const retried = randomContainerName(3);
    assert.equal(checkContainerName(retried), retried, 'generated names pass the name rule');
  });

  it('takes Docker\'s name rule and strips one leading slash', () => {
    assert.equal(checkContainerName('/web-1.a_b'), 'web-1.a_b');
    assert.throws(() => checkContainerName('-x'), /Invalid container name \(-x\)/);
    assert.throws(() => checkContainerName('a'), /Invalid container name/);
  });
});
