import { inspect } from 'node:util';

/**
 * Everything known about why start-up failed, whatever was thrown: undefined, a string, an Error without a stack,
 * an AggregateError (each of its errors), and each error's `cause` chain. A library that rejects with nothing
 * still gets a line saying so instead of a TypeError that hides the failure.
 */
export function describeStartupFailure(thrown: unknown): string {
  const lines: string[] = [];
  const seen = new Set<unknown>();
  const describe = (value: unknown, indent: string): void => {
    if (seen.has(value) && typeof value === 'object' && value !== null) {
      lines.push(`${indent}(the same error again)`);
      return;
    }
    seen.add(value);
    if (!(value instanceof Error)) {
      lines.push(`${indent}${value === undefined ? 'rejected without a reason (undefined)' : `non-Error thrown: ${inspect(value, { depth: 3, breakLength: Infinity })}`}`);
      return;
    }
    const text = value.stack && value.stack.includes(value.message) ? value.stack : `${value.name}: ${value.message}${value.stack ? `\n${value.stack}` : ''}`;
    lines.push(...text.split('\n').map((line) => `${indent}${line}`));
    if (value instanceof AggregateError) {
      value.errors.forEach((inner, index) => {
        lines.push(`${indent}[${index + 1}/${value.errors.length}]`);
        describe(inner, `${indent}  `);
      });
    }
    if ('cause' in value) {
      lines.push(`${indent}caused by:`);
      describe(value.cause, `${indent}  `);
    }
  };
  describe(thrown, '');
  return lines.join('\n');
}
