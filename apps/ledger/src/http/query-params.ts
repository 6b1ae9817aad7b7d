import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';
import { dateTimeProblem, isEntityId, ValidationFailedError } from '#domain';

/**
 * Query parameters arrive as text. A number is read only from plain decimal digits: `Number()` would also read
 * `0x10`, `1e2`, ` 16 ` and `''` (as 0), which no client means as a page size.
 */
const DECIMAL = /^[0-9]{1,6}$/;

const pageSizeProblem = (value: unknown, max: number): string | null =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= max ? null : `must be a whole number from 1 to ${max}, in decimal digits`;

/** `?limit=`: decimal digits only, from 1 to `max`. */
export function IsPageSize(max: number) {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value)),
    ValidateBy({
      name: 'isPageSize',
      validator: {
        validate: (value: unknown) => pageSizeProblem(value, max) === null,
        defaultMessage: () => `$property ${pageSizeProblem(undefined, max)}`,
      },
    }),
  );
}

/** For controllers that read one query parameter at a time: the page size, or `fallback` when absent. */
export function pageSizeFromQuery<T extends number | undefined>(value: unknown, max: number, fallback: T): number | T {
  if (value === undefined) return fallback;
  const size = typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value;
  const problem = pageSizeProblem(size, max);
  if (problem) throw new ValidationFailedError(`limit ${problem}`, { field: 'limit' });
  return size as number;
}

export function dateTimeFromQuery(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const problem = dateTimeProblem(value);
  if (problem) throw new ValidationFailedError(`${field} ${problem}`, { field });
  return value as string;
}

export function entityIdFromQuery(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!isEntityId(value)) throw new ValidationFailedError(`${field} must be 1-64 letters, digits, "-" or "_"`, { field });
  return value;
}

/** `?status=` and the like: one of a fixed list, or absent. */
export function oneOfFromQuery<T extends string>(field: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new ValidationFailedError(`${field} must be one of ${allowed.join(', ')}`, { field });
  return value as T;
}
