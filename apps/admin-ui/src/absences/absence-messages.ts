import { useI18n } from '../i18n';

/**
 * The absence screens' texts, English and German. Kept beside the screens rather than in messages.*.ts so that the
 * sick-day flow can change without touching the shared dictionaries; they follow the same {name} placeholders.
 */
const en = {
  absences: 'Absences',
  absencesOf: 'Absences of {staff}',
  noAbsences: 'No absences.',
  from: 'From',
  to: 'To',
  reason: 'Reason',
  plan: 'Plan',
  state: 'State',
  active: 'active',
  cancelled: 'cancelled',
  planReassign: 'Reassign to a free colleague (else cancel)',
  planCancel: 'Cancel every appointment',
  reportAbsence: 'Report absence',
  reportAbsenceFor: 'Report absence for {staff}',
  cancelAbsence: 'Cancel absence',
  cancelAbsenceQuestion: 'End the absence of {staff} from {from} to {to}? Appointments already moved stay where they are.',
  cancelAbsenceConfirm: 'Cancel absence',
  keepAbsence: 'Keep it',
  colleagues: 'Colleagues, in order of preference (none chosen: everyone offering the service)',
  colleagueOrder: 'Order: {names}',
  showPlan: 'Show plan',
  carryOut: 'Carry out',
  close: 'Close',
  planTitle: 'The plan',
  outcomeTitle: 'What happened',
  noAffected: 'No appointment falls in this absence; only the absence is recorded.',
  appointment: 'Appointment',
  time: 'Time',
  whatHappens: 'What will happen',
  step: 'Step',
  why: 'Why',
  outcome: 'Outcome',
  stepReassign: 'Reassigned to {staff}',
  stepCancel: 'Cancelled',
  outcomeDone: 'done',
  outcomeRefused: 'refused: {message}',
  planChanged: 'The calendar changed since this plan was shown; nothing was done. What changed:',
  planChangedAppeared: '{appointment} ({time}) is new in the plan: {now}.',
  planChangedGone: '{appointment} ({time}) is no longer affected (was: {planned}).',
  planChangedStep: '{appointment} ({time}): was {planned}, now {now}.',
  newPlanOffered: 'The new plan is shown below; carry it out or close.',
  absenceRecorded: 'The absence is recorded.',
  toBeforeFrom: 'The absence must end after it starts.',
  refusedStaffAbsent: '{staff} is absent then. Nothing was changed.',
};

export type AbsenceMessageKey = keyof typeof en;

const de: Record<AbsenceMessageKey, string> = {
  absences: 'Abwesenheiten',
  absencesOf: 'Abwesenheiten von {staff}',
  noAbsences: 'Keine Abwesenheiten.',
  from: 'Von',
  to: 'Bis',
  reason: 'Grund',
  plan: 'Plan',
  state: 'Stand',
  active: 'aktiv',
  cancelled: 'aufgehoben',
  planReassign: 'An eine freie Kollegin / einen freien Kollegen übergeben (sonst absagen)',
  planCancel: 'Alle Termine absagen',
  reportAbsence: 'Abwesenheit melden',
  reportAbsenceFor: 'Abwesenheit melden für {staff}',
  cancelAbsence: 'Abwesenheit aufheben',
  cancelAbsenceQuestion: 'Abwesenheit von {staff} vom {from} bis {to} aufheben? Bereits verschobene Termine bleiben, wo sie sind.',
  cancelAbsenceConfirm: 'Abwesenheit aufheben',
  keepAbsence: 'Behalten',
  colleagues: 'Kolleginnen und Kollegen, nach Vorrang (keine gewählt: alle, die die Leistung anbieten)',
  colleagueOrder: 'Reihenfolge: {names}',
  showPlan: 'Plan zeigen',
  carryOut: 'Ausführen',
  close: 'Schließen',
  planTitle: 'Der Plan',
  outcomeTitle: 'Was geschehen ist',
  noAffected: 'Kein Termin fällt in diese Abwesenheit; nur die Abwesenheit wird erfasst.',
  appointment: 'Termin',
  time: 'Zeit',
  whatHappens: 'Was geschieht',
  step: 'Schritt',
  why: 'Warum',
  outcome: 'Ergebnis',
  stepReassign: 'Übergeben an {staff}',
  stepCancel: 'Abgesagt',
  outcomeDone: 'erledigt',
  outcomeRefused: 'abgelehnt: {message}',
  planChanged: 'Der Kalender hat sich seit dem gezeigten Plan geändert; nichts wurde getan. Was sich geändert hat:',
  planChangedAppeared: '{appointment} ({time}) ist neu im Plan: {now}.',
  planChangedGone: '{appointment} ({time}) ist nicht mehr betroffen (war: {planned}).',
  planChangedStep: '{appointment} ({time}): war {planned}, jetzt {now}.',
  newPlanOffered: 'Der neue Plan steht unten; ausführen oder schließen.',
  absenceRecorded: 'Die Abwesenheit ist erfasst.',
  toBeforeFrom: 'Die Abwesenheit muss nach ihrem Beginn enden.',
  refusedStaffAbsent: '{staff} ist dann abwesend. Nichts wurde geändert.',
};

const dictionaries = { en, de };

/** `t` for the absence screens, in the language the rest of the UI shows. */
export function useAbsenceText() {
  const { language } = useI18n();
  const messages = dictionaries[language];
  return (key: AbsenceMessageKey, values: Record<string, string | number> = {}): string =>
    messages[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export type AbsenceText = ReturnType<typeof useAbsenceText>;
