import type { Page } from 'playwright-core';
import { SALON_TIME_ZONE } from './admin-ui-ledger.js';

/** The salon's calendar day and clock of an instant, as the UI draws it. */
export function salonWall(iso: string): { date: string; hour: number; minute: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: SALON_TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour), minute: Number(parts.minute) };
}

export const eventOf = (page: Page, appointmentId: string) => page.locator('.rbc-event', { has: page.locator(`[data-appointment-id="${appointmentId}"]`) });

/**
 * Drags an appointment in the day view to staff column `column` (0-based, in the order of GET /staff) at the salon's
 * `hour:minute`. The event is held near its top edge and dropped in the middle of the target 15-minute slot: a drop
 * on a slot's border lands a slot early.
 */
export async function dragAppointment(page: Page, appointmentId: string, column: number, hour: number, minute: number): Promise<void> {
  const slot = page
    .locator('.rbc-time-content .rbc-day-slot')
    .nth(column)
    .locator('.rbc-time-slot')
    .nth(hour * 4 + minute / 15);
  await slot.scrollIntoViewIfNeeded();
  const event = eventOf(page, appointmentId);
  const from = await event.boundingBox();
  const to = await slot.boundingBox();
  if (!from || !to) throw new Error('the event or the target slot is not on screen');
  await page.mouse.move(from.x + from.width / 2, from.y + 4);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2, from.y + 14, { steps: 4 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 20 });
  await page.mouse.up();
}
