import { dateTimeProblem, INHERITED_KEYS, isEntityId, isStoredId, jsonShapeProblem, textProblem } from '../src/input-rules.js';

describe('input rules', () => {
  it.each([
    '2036-02-31T10:00:00+00:00', // no 31 February
    '2031-02-29T10:00:00Z', // not a leap year
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '2030-01-01T24:00:00Z',
    '2030-01-01T10:00:60Z',
    '2030-01-01T10:00:00+23:59',
    '2030-01-01T10:00:00+14:01',
    '2030-01-01T10:00:00+05:75',
    '2199-12-31T23:59:59-14:00', // 2200-01-01T13:59:59Z
    '1970-01-01T00:00:00+01:00', // 1969-12-31T23:00:00Z
    '2030-01-01T10:00:00',
    '2030-13-01T10:00:00Z',
    '2030-01-01T10:00:00\u0000Z',
  ])('refuses the date-time %j', (value) => {
    expect(dateTimeProblem(value)).toEqual(expect.any(String));
  });

  it.each([
    '2036-02-29T10:00:00+00:00',
    '2030-01-01T10:00Z',
    '2030-01-01T10:00:00.123456789-12:00',
    '2030-06-30T23:59:59+14:00',
    '2199-12-31T09:59:59-14:00',
    '1970-01-01T00:00:00-01:00',
  ])('accepts the date-time %j', (value) => {
    expect(dateTimeProblem(value)).toBeNull();
  });

  it.each(['a\u0000b', 'lone \uD800 high', 'lone \uDC00 low', 'tab\there', 'x'.repeat(201), ''])('refuses the single-line text %j', (value) => {
    expect(textProblem(value, { maxLength: 200, minLength: 1 })).toEqual(expect.any(String));
  });

  it('accepts paired surrogates and line breaks where text may span lines', () => {
    expect(textProblem('Frisör 💇 Müller', { maxLength: 200 })).toBeNull();
    expect(textProblem('line one\nline two\twith a tab', { maxLength: 200, multiline: true })).toBeNull();
    expect(textProblem('bell \u0007', { maxLength: 200, multiline: true })).toEqual(expect.any(String));
  });

  it('keeps ids to a pattern without prototype words, and Cal.com ids to safe positive integers', () => {
    expect(['sam', 'a1-b_2'].map(isEntityId)).toEqual([true, true]);
    expect(['__proto__', 'constructor', 'prototype', '-x', 'a'.repeat(65), 'a b'].map(isEntityId)).toEqual([false, false, false, false, false, false]);
    expect([1, 2147483648, Number.MAX_SAFE_INTEGER].map(isStoredId)).toEqual([true, true, true]);
    expect([0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, '1', Number.NaN].map(isStoredId)).toEqual([false, false, false, false, false, false]);
  });

  it('finds too-deep nesting without recursion and keys that walk the prototype chain', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(jsonShapeProblem(deep)).toEqual({ reason: 'nested deeper than 32 levels', path: expect.any(String) });
    expect(jsonShapeProblem(JSON.parse('{"a":{"__proto__":{"polluted":true}}}'))).toEqual({ reason: 'the key "__proto__" is not allowed', path: '$.a' });
    expect(jsonShapeProblem(JSON.parse('{"constructor":{"prototype":1}}'))?.reason).toBe('the key "constructor" is not allowed');
    expect(jsonShapeProblem({ a: [1, { b: 'c' }] })).toBeNull();
    expect(jsonShapeProblem(JSON.parse('{"a":{"__lookupSetter__":1}}'))).toBeNull();
    expect(jsonShapeProblem(JSON.parse('{"a":{"__lookupSetter__":1}}'), 32, INHERITED_KEYS)?.reason).toBe('the key "__lookupSetter__" is not allowed');
    expect(jsonShapeProblem(JSON.parse('{"hasOwnProperty":1}'), 32, INHERITED_KEYS)?.reason).toBe('the key "hasOwnProperty" is not allowed');
  });
});
