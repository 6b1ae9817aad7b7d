import { BlockedLanes } from '../src/calcom-webhooks/blocked-lanes.js';
import type { BlockedFactRow } from '#projections';

/** Positions as the PostgreSQL store makes them are opaque; numbers in strings compare well enough here. */
const lanes = () => new BlockedLanes((a, b) => Number(a) - Number(b));
const row = (factStream: string, outcome: 'failed' | 'waiting', uids: [string | null, string | null], waitsFor: string | null, receivedPosition: string): BlockedFactRow => ({
  factStream,
  outcome,
  bookingUid: uids[0],
  previousBookingUid: uids[1],
  waitsFor,
  receivedPosition,
});

describe('the booking lanes failed webhook facts hold', () => {
  it('blocks the failed fact’s bookings only', () => {
    const blocked = lanes();
    blocked.fail('f1', ['a']);
    expect(blocked.blockerOf(['a'])).toBe('f1');
    expect(blocked.blockerOf(['b'])).toBeNull();
    expect(blocked.holds('f1')).toBe(true);
  });

  it('a waiting fact brings its other booking into the lane (the new uid of a reschedule)', () => {
    const blocked = lanes();
    blocked.fail('f1', ['a']);
    blocked.wait('move-a-to-b', ['b', 'a'], 'f1', '20');
    expect(blocked.blockerOf(['b'])).toBe('f1');
    expect(blocked.holds('move-a-to-b')).toBe(true);
  });

  it('releases the waiting facts in store order, whatever order they were queued in, and frees the bookings', () => {
    const blocked = lanes();
    blocked.fail('f1', ['a']);
    blocked.wait('third', ['a'], 'f1', '30');
    blocked.wait('second', ['a'], 'f1', '20');
    blocked.wait('fourth', ['a', 'c'], 'f1', '40');
    expect(blocked.release('f1')).toEqual(['second', 'third', 'fourth']);
    expect(blocked.blockerOf(['a', 'c'])).toBeNull();
    expect(blocked.holds('second')).toBe(false);
    expect(blocked.release('f1')).toEqual([]);
  });

  it('keeps a booking behind its first blocker when a second fact of it fails elsewhere', () => {
    const blocked = lanes();
    blocked.fail('f1', ['a']);
    blocked.fail('f2', ['a', 'b']);
    expect(blocked.blockerOf(['a'])).toBe('f1');
    expect(blocked.blockerOf(['b'])).toBe('f2');
  });

  it('is rebuilt from the recorded outcomes, including a lane whose failed fact went through before a crash cut its release short', () => {
    const blocked = lanes();
    blocked.load([
      row('w2', 'waiting', ['a', null], 'f1', '30'),
      row('f1', 'failed', ['a', null], null, '10'),
      row('w1', 'waiting', ['b', 'a'], 'f1', '20'),
      row('orphaned-wait', 'waiting', ['z', null], 'retried-already', '50'),
    ]);
    expect(blocked.blockerOf(['b'])).toBe('f1');
    expect(blocked.release('f1')).toEqual(['w1', 'w2']);
    // Still in order: the retry request is ahead of the checkpoint, and its replay releases this lane first.
    expect(blocked.blockerOf(['z'])).toBe('retried-already');
    expect(blocked.holds('orphaned-wait')).toBe(true);
    expect(blocked.release('retried-already')).toEqual(['orphaned-wait']);
    expect(blocked.blockerOf(['z'])).toBeNull();
  });
});
