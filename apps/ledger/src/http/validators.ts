import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength, ValidateBy, type ValidationOptions } from 'class-validator';

/** Ids chosen by clients (appointments, staff, services): safe in URLs and stream names. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function IsEntityId(options: { description: string; optional?: boolean }) {
  const property = options.optional ? ApiPropertyOptional : ApiProperty;
  return applyDecorators(
    property({ description: options.description, pattern: ID_PATTERN.source, example: 'a1b2c3' }),
    IsString(),
    Matches(ID_PATTERN, { message: '$property must be 1-64 letters, digits, "-" or "_", starting with a letter or digit' }),
  );
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 date-time that says its offset: a bare local time is ambiguous and refused. */
export const isIsoDateTimeWithOffset = (value: unknown): value is string =>
  typeof value === 'string' && ISO_WITH_OFFSET.test(value) && !Number.isNaN(Date.parse(value));

export function IsDateTimeWithOffset(validationOptions?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isDateTimeWithOffset',
      validator: {
        validate: isIsoDateTimeWithOffset,
        defaultMessage: () => '$property must be an ISO 8601 date-time with an offset, e.g. 2030-01-02T10:00:00+01:00',
      },
    },
    validationOptions,
  );
}

export function IsReason(options: { required: boolean }) {
  const property = options.required ? ApiProperty : ApiPropertyOptional;
  const decorators = [property({ description: 'Why, for the record', maxLength: 500 }), IsString(), MaxLength(500)];
  return applyDecorators(...(options.required ? [...decorators, IsNotEmpty()] : decorators));
}
