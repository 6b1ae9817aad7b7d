import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { adminMetadata, Context, type RequestContext } from '../http/request-context.js';
import { IsEmailAddress, IsReason } from '../http/validators.js';
import { CustomerErasureService } from './customer-erasure.service.js';

export class EraseCustomerDto {
  @IsEmailAddress()
  email: string;

  @IsReason({ required: true })
  reason: string;
}

@ApiTags('customers')
@ApiBearerAuth()
@Controller('customers')
export class CustomerErasureController {
  constructor(private readonly erasure: CustomerErasureService) {}

  /** Admins only: auditors may read the record of an erasure (history, export) but not erase. */
  @Post('erase')
  @HttpCode(200)
  @ApiOperation({
    summary: "Erase a customer's personal data (crypto-shredding)",
    description:
      'Destroys the keys their name, e-mail, phone and notes were encrypted under: every read, rebuild and export afterwards shows "[erased]" ' +
      'in those fields, while the hash chain still verifies and the appointments keep their times, staff and services. Recorded as CustomerErased ' +
      '(subject id, actor, reason; no personal data). Repeating it answers the same erasure (alreadyErased). 404 NOT_FOUND when nothing is kept ' +
      'for the address. Cal.com keeps its own copy of the booking and attendee: see the README.',
  })
  erase(@Body() body: EraseCustomerDto, @Context() context: RequestContext) {
    return this.erasure.erase(body.email, body.reason, { actor: context.actor, metadata: (reason) => adminMetadata(context, reason) });
  }
}
