/** A customer every appointment test can book for. */
export const customer = { name: 'Ada Lovelace', email: 'ada@example.com', timeZone: 'Europe/London' };

/** `days` from today at `hour:minute` UTC, as the API takes it. */
export const inDays = (days: number, hour = 10, minute = 0): string => {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + days);
  date.setUTCHours(hour, minute, 0, 0);
  return date.toISOString();
};
