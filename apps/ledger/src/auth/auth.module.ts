import { type DynamicModule, Module } from '@nestjs/common';
import { Accounts } from './accounts.js';
import { AuthController } from './auth.controller.js';
import { SignInService } from './sign-in.service.js';
import type { RunningAuth } from './start-auth.js';

/** Sign-in, `/auth/me` and sign-out; exports the accounts for the global AuthGuard. */
@Module({})
export class AuthModule {
  static register(auth: RunningAuth): DynamicModule {
    return {
      module: AuthModule,
      controllers: [AuthController],
      providers: [
        { provide: Accounts, useValue: auth.accounts },
        { provide: SignInService, useValue: auth.signIns },
      ],
      exports: [Accounts],
    };
  }
}
