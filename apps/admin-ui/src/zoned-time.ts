/**
 * The calendar library draws in the browser's own time zone; the salon works in its own (BUSINESS_TIME_ZONE).
 * A "wall" date is a Date whose browser-local fields show the salon's clock, so the calendar draws the salon's day
 * wherever the browser is. Instants go in and out of the calendar only through these two functions.
 */
const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = partsFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partsFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The salon's clock at `instant`, as milliseconds of a UTC date with the same fields. */
function wallMillis(timeZone: string, instant: Date): number {
  const fields: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(instant)) if (part.type !== 'literal') fields[part.type] = Number(part.value);
  return Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second, instant.getUTCMilliseconds());
}

export function toWall(instant: Date | string, timeZone: string): Date {
  const wall = new Date(wallMillis(timeZone, new Date(instant)));
  return new Date(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate(), wall.getUTCHours(), wall.getUTCMinutes(), wall.getUTCSeconds(), wall.getUTCMilliseconds());
}

export function fromWall(wall: Date, timeZone: string): Date {
  const asUtc = Date.UTC(wall.getFullYear(), wall.getMonth(), wall.getDate(), wall.getHours(), wall.getMinutes(), wall.getSeconds(), wall.getMilliseconds());
  let guess = asUtc - (wallMillis(timeZone, new Date(asUtc)) - asUtc);
  const offsetAtGuess = wallMillis(timeZone, new Date(guess)) - guess;
  guess = asUtc - offsetAtGuess;
  return new Date(guess);
}

/** "2030-05-01T10:00" for an <input type="datetime-local"> showing the salon's clock. */
export function toLocalInput(instant: Date | string, timeZone: string): string {
  const wall = new Date(wallMillis(timeZone, new Date(instant)));
  return wall.toISOString().slice(0, 16);
}

export function fromLocalInput(value: string, timeZone: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, minute] = match.map(Number);
  return fromWall(new Date(year, month - 1, day, hour, minute), timeZone);
}
