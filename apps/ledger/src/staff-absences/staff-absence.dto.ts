import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsOptional, Matches, ValidateBy } from 'class-validator';
import { isEntityId } from '#domain';
import { entityIdProblem, IsDateTimeWithOffset, IsEntityId, IsReason } from '../http/validators.js';

export const MAX_REASSIGN_TO = 50;

export class RecordStaffAbsenceDto {
  @IsEntityId({ description: "The absence's id, chosen by the client so that a repeat is harmless (default: from Idempotency-Key, or new)", optional: true })
  @IsOptional()
  absenceId?: string;

  @ApiProperty({ example: '2030-05-01T07:30:00+02:00', description: 'Start of the absence, ISO 8601 with offset' })
  @IsDateTimeWithOffset()
  from: string;

  @ApiProperty({ example: '2030-05-01T20:00:00+02:00', description: 'End of the absence (exclusive), after `from`' })
  @IsDateTimeWithOffset()
  to: string;

  @IsReason({ required: true }) reason: string;

  @ApiProperty({ enum: ['reassign', 'cancel'], description: 'Move each appointment to a free colleague (else cancel it), or cancel them all' })
  @IsIn(['reassign', 'cancel'])
  plan: 'reassign' | 'cancel';

  @ApiPropertyOptional({ type: [String], maxItems: MAX_REASSIGN_TO, description: 'Colleagues to reassign to, in order of preference (default: everyone offering the service)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_REASSIGN_TO)
  @ArrayUnique()
  @ValidateBy({
    name: 'isEntityIdList',
    validator: { validate: (value: unknown) => Array.isArray(value) && value.every(isEntityId), defaultMessage: () => `each of reassignTo ${entityIdProblem(null)}` },
  })
  reassignTo?: string[];

  @ApiPropertyOptional({ description: "The dry run's planFingerprint: required for the real call, which carries out exactly that plan" })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'planFingerprint must be the planFingerprint a dry run answered' })
  planFingerprint?: string;
}

export class CancelStaffAbsenceDto {
  @IsReason({ required: false }) @IsOptional() reason?: string;
}
