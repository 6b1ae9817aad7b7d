import { addDays, format, getDay, parse, startOfWeek } from 'date-fns';
import { de, enGB } from 'date-fns/locale';
import { dateFnsLocalizer, type CalendarProps, type Components } from 'react-big-calendar';
import * as dragAndDropModule from 'react-big-calendar/lib/addons/dragAndDrop';
import type { withDragAndDropProps } from 'react-big-calendar/lib/addons/dragAndDrop';
import type { ComponentType } from 'react';
import 'react-big-calendar/lib/css/react-big-calendar.css';
import 'react-big-calendar/lib/addons/dragAndDrop/styles.css';

export const localizer = dateFnsLocalizer({ format, parse, startOfWeek: (date: Date) => startOfWeek(date, { weekStartsOn: 1 }), getDay, locales: { en: enGB, de } });

/** One row of the calendar: an appointment drawn on the salon's clock (see zoned-time.ts). */
export interface CalendarEvent {
  id: string;
  start: Date;
  end: Date;
  resourceId: string;
}

export interface StaffColumn {
  resourceId: string;
  title: string;
}

// The drag-and-drop add-on ships as CommonJS only; under Vite 8 its default export arrives wrapped once more.
type WithDragAndDrop = (
  calendar: ComponentType<CalendarProps<CalendarEvent, StaffColumn>>,
) => ComponentType<CalendarProps<CalendarEvent, StaffColumn> & withDragAndDropProps<CalendarEvent, StaffColumn>>;
const dragAndDropExports = dragAndDropModule as unknown as { default: WithDragAndDrop | { default: WithDragAndDrop } };
export const withDragAndDrop: WithDragAndDrop = typeof dragAndDropExports.default === 'function' ? dragAndDropExports.default : dragAndDropExports.default.default;

export const weekStart = (wall: Date): Date => startOfWeek(wall, { weekStartsOn: 1 });
export { addDays };
export type CalendarComponents = Components<CalendarEvent, StaffColumn>;
