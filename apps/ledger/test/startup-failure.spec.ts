import { describeStartupFailure } from '../src/startup-failure.js';

describe('describeStartupFailure: the real cause, whatever was thrown', () => {
  it('says a rejection without a reason is one, instead of failing on .stack', () => {
    expect(describeStartupFailure(undefined)).toBe('rejected without a reason (undefined)');
  });

  it('shows strings, nulls and plain objects as they are', () => {
    expect(describeStartupFailure('port taken')).toBe("non-Error thrown: 'port taken'");
    expect(describeStartupFailure(null)).toBe('non-Error thrown: null');
    expect(describeStartupFailure({ code: 'EACCES', path: '/x' })).toBe("non-Error thrown: { code: 'EACCES', path: '/x' }");
  });

  it('names an Error without a stack by its name and message', () => {
    const error = new RangeError('no stack here');
    error.stack = undefined;
    expect(describeStartupFailure(error)).toBe('RangeError: no stack here');
  });

  it('lists every error of an AggregateError and follows causes', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { stack: undefined });
    const log = new Error('the embedded PostgreSQL exited during start-up; its last log lines:\nFATAL:  could not bind', { cause: undefined });
    const text = describeStartupFailure(new AggregateError([refused, 'plain'], 'all attempts failed', { cause: log }));
    expect(text).toContain('AggregateError: all attempts failed');
    expect(text).toContain('[1/2]\n  Error: connect ECONNREFUSED 127.0.0.1:5432');
    expect(text).toContain("[2/2]\n  non-Error thrown: 'plain'");
    expect(text).toContain('caused by:\n  Error: the embedded PostgreSQL exited during start-up');
    expect(text).toContain('  FATAL:  could not bind');
    expect(text).toContain('caused by:\n    rejected without a reason (undefined)');
  });

  it('stops at a cycle of causes', () => {
    const first = new Error('first');
    const second = new Error('second', { cause: first });
    (first as { cause?: unknown }).cause = second;
    expect(describeStartupFailure(first)).toContain('(the same error again)');
  });
});
