import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DepthAdvisor, MAX_DEPTH, MIN_DEPTH } from '../../src/threads/depth-advisor.js';

const T = { timeout: 5_000 };

describe('ThreadPool depth advice', () => {
  it('starts at two tasks a thread', T, () => {
    assert.equal(new DepthAdvisor().depth, MIN_DEPTH);
  });

  it('grows at most twofold per batch of tiny tasks, up to 256', T, () => {
    const advisor = new DepthAdvisor();
    const seen: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      advisor.observe(0.001);
      seen.push(advisor.depth);
    }
    assert.deepEqual(seen, [4, 8, 16, 32, 64, 128, 256, 256, 256, 256]);
    assert.equal(MAX_DEPTH, 256);
  });

  it('after one tiny warm-up task, does not deal out a burst of long tasks at once', T, () => {
    const advisor = new DepthAdvisor();
    advisor.observe(0);
    assert.equal(advisor.depth, 4);
  });

  it('shrinks to two at once when tasks turn long', T, () => {
    const advisor = new DepthAdvisor();
    for (let batch = 0; batch < 10; batch++) advisor.observe(0.001);
    assert.equal(advisor.observe(20), true);
    assert.equal(advisor.depth, MIN_DEPTH);
  });
});
