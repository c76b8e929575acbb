// Inactivity deadlines: precise below a second, checked by one shared interval from a second up.
import { describe, expect, it } from 'vitest';
import { Deadline } from '../../../src/transport/deadline.js';

function expiry(arm: (d: Deadline) => void): Promise<number> {
  const started = Date.now();
  return new Promise((resolve) => arm(new Deadline(() => resolve(Date.now() - started))));
}

describe('Deadline', () => {
  it('a short one fires after its time, once', async () => {
    let fired = 0;
    const d = new Deadline(() => fired++);
    d.arm(30);
    await new Promise((r) => setTimeout(r, 120));
    expect(fired).toBe(1);
  }, 30000);

  it('a long one fires, on the shared interval, and no earlier than its time', async () => {
    const after = await expiry((d) => d.arm(1000));
    expect(after).toBeGreaterThanOrEqual(1000);
    // (it fired at all: the vitest timeout would fail a deadline that never does)
  }, 30000);

  it('re-armed from a long time to a short one (head, then body timeout), it fires once, at the short one', async () => {
    let fired = 0;
    const d = new Deadline(() => fired++);
    d.arm(1000);
    d.arm(30);
    await new Promise((r) => setTimeout(r, 1500));
    expect(fired).toBe(1);
    d.arm(40);
    d.arm(1000);
    await new Promise((r) => setTimeout(r, 300));
    expect(fired).toBe(1); // the short one was replaced
    d.cancel();
  }, 30000);

  it('re-arming postpones it, cancelling stops it; arm(0) means no timeout', async () => {
    let fired = 0;
    const a = new Deadline(() => fired++);
    const b = new Deadline(() => fired++);
    const c = new Deadline(() => fired++);
    a.arm(1000);
    b.arm(40);
    c.arm(0);
    b.cancel();
    await new Promise((r) => setTimeout(r, 700));
    a.arm(1000); // activity: another full second from now
    await new Promise((r) => setTimeout(r, 700));
    expect(fired).toBe(0);
    a.cancel();
    await new Promise((r) => setTimeout(r, 600));
    expect(fired).toBe(0);
  }, 30000);
});
