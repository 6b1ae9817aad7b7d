/** Whether a stream opened with a session may go on: the session still exists and its account is not disabled. */
export interface LiveSessionCheck {
  stillSignedIn(sessionId: string, userId: string): Promise<boolean>;
}

export const LIVE_SESSIONS = Symbol('LIVE_SESSIONS');
