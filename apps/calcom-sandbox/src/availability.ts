import type { BookingStore } from './booking-store.js';
import type { SandboxUser } from './catalog.js';
import { badRequest } from './sandbox-error.js';

/**
 * Host availability the way Cal.com's getUserAvailability builds it for ensureAvailableUsers and the slots service:
 * working hours of the host's schedule (in the host's time zone), minus busy times (their accepted or pending bookings
 * and the events of connected calendars, here the busy blocks set with PUT /_sandbox/busy).
 */
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One line of a schedule, as Cal.com's ScheduleAvailabilityInput_2024_06_11: `{days, startTime: "09:00", endTime: "17:00"}`. */
export interface WorkingHours {
  days: Weekday[];
  startTime: string;
  endTime: string;
}

/** A time a host's connected calendar says is busy. */
export interface BusyBlock {
  userId: number;
  start: string;
  end: string;
}

export interface Interval {
  start: number;
  end: number;
}

const HH_MM = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
const DAY_MS = 86_400_000;

export function parseWorkingHours(value: unknown, where: string): WorkingHours[] {
  if (!Array.isArray(value)) throw badRequest(`${where} must be an array of {days, startTime, endTime}`);
  return value.map((line, index) => {
    const at = `${where}[${index}]`;
    if (typeof line !== 'object' || line === null || Array.isArray(line)) throw badRequest(`${at} must be an object`);
    const { days, startTime, endTime } = line as Record<string, unknown>;
    if (!Array.isArray(days) || days.some((day) => !WEEKDAYS.includes(day as Weekday))) {
      throw badRequest(`${at}.days must list weekdays (${WEEKDAYS.join(', ')})`);
    }
    if (typeof startTime !== 'string' || !HH_MM.test(startTime) || typeof endTime !== 'string' || !HH_MM.test(endTime)) {
      throw badRequest(`${at}.startTime and endTime must be "HH:MM" (00:00 to 24:00)`);
    }
    if (minutesOf(endTime) <= minutesOf(startTime)) throw badRequest(`${at}.endTime must be after startTime`);
    return { days: [...new Set(days as Weekday[])], startTime, endTime };
  });
}

export function parseBusyBlocks(value: unknown, userIds: Set<number>): BusyBlock[] {
  if (!Array.isArray(value)) throw badRequest('busy must be an array of {userId, start, end}');
  return value.map((block, index) => {
    const at = `busy[${index}]`;
    if (typeof block !== 'object' || block === null || Array.isArray(block)) throw badRequest(`${at} must be an object`);
    const { userId, start, end } = block as Record<string, unknown>;
    if (typeof userId !== 'number' || !userIds.has(userId)) throw badRequest(`${at}.userId must be a catalog user id`);
    const startMs = typeof start === 'string' ? Date.parse(start) : NaN;
    const endMs = typeof end === 'string' ? Date.parse(end) : NaN;
    if (Number.isNaN(startMs) || Number.isNaN(endMs)) throw badRequest(`${at}.start and end must be ISO 8601 date-times`);
    if (endMs <= startMs) throw badRequest(`${at}.end must be after start`);
    return { userId, start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() };
  });
}

/** The busy blocks standing in for connected calendars. */
export class BusyCalendar {
  blocks: BusyBlock[] = [];
}

/** The host's free time within [from, to): working-hour windows minus bookings (except `ignoreUid`) and busy blocks. */
export function freeIntervals(user: SandboxUser, from: number, to: number, store: BookingStore, busy: BusyCalendar, ignoreUid?: string): Interval[] {
  const busyTimes: Interval[] = [
    ...store.overlapping(user.id, new Date(from), new Date(to), ignoreUid).map((record) => ({ start: record.start.getTime(), end: record.end.getTime() })),
    ...busy.blocks.filter((block) => block.userId === user.id).map((block) => ({ start: Date.parse(block.start), end: Date.parse(block.end) })),
  ];
  return subtract(workingWindows(user, from, to), busyTimes);
}

export function contains(intervals: Interval[], start: number, end: number): boolean {
  return intervals.some((interval) => interval.start <= start && end <= interval.end);
}

function workingWindows(user: SandboxUser, from: number, to: number): Interval[] {
  if (!user.workingHours) return from < to ? [{ start: from, end: to }] : [];
  const windows: Interval[] = [];
  // Every local date that can touch [from, to), one day either side for the time zone offset.
  for (let day = from - DAY_MS; day < to + DAY_MS; day += DAY_MS) {
    const { date, weekday } = localDate(day, user.timeZone);
    for (const line of user.workingHours) {
      if (!line.days.includes(weekday)) continue;
      const start = Math.max(from, zonedToUtc(date, minutesOf(line.startTime), user.timeZone));
      const end = Math.min(to, zonedToUtc(date, minutesOf(line.endTime), user.timeZone));
      if (start < end) windows.push({ start, end });
    }
  }
  return merge(windows);
}

function subtract(windows: Interval[], busyTimes: Interval[]): Interval[] {
  let free = windows;
  for (const busy of busyTimes) {
    free = free.flatMap((window) => {
      if (busy.end <= window.start || window.end <= busy.start) return [window];
      return [...(window.start < busy.start ? [{ start: window.start, end: busy.start }] : []), ...(busy.end < window.end ? [{ start: busy.end, end: window.end }] : [])];
    });
  }
  return free;
}

function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged[merged.length - 1];
    if (last && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
    else merged.push({ ...interval });
  }
  return merged;
}

function minutesOf(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return hours * 60 + minutes;
}

/** The calendar date (YYYY-MM-DD) and weekday at an instant in a time zone. */
export function localDate(at: number, timeZone: string): { date: string; weekday: Weekday } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'long' }).formatToParts(at);
  const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return { date: `${part('year')}-${part('month')}-${part('day')}`, weekday: part('weekday') as Weekday };
}

/** Minutes to add to UTC to get the wall-clock time in a time zone at an instant. */
export function offsetMinutes(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((candidate) => candidate.type === type)?.value);
  const wallClock = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return Math.round((wallClock - Math.floor(at / 1000) * 1000) / 60_000);
}

/** The instant a wall-clock time (minutes after midnight of `date`) has in a time zone. */
function zonedToUtc(date: string, minutes: number, timeZone: string): number {
  const [year, month, day] = date.split('-').map(Number);
  const wallClock = Date.UTC(year, month - 1, day) + minutes * 60_000;
  const guess = wallClock - offsetMinutes(wallClock, timeZone) * 60_000;
  return wallClock - offsetMinutes(guess, timeZone) * 60_000;
}
