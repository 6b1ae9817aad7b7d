import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { errorBody } from './error-body.js';

/** Unknown fields are refused, not silently dropped: a typo in a field name must not look like success. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => new BadRequestException(errorBody('VALIDATION_FAILED', 'The request is not valid', { fields: flatten(errors) })),
});

function flatten(errors: ValidationError[], prefix = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((error) => {
    const field = `${prefix}${error.property}`;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], `${field}.`)];
  });
}
