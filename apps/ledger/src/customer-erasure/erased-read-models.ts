import type { SqlQuery } from '#event-store';

/**
 * The read models' copies of a customer's personal data, marked erased the way a rebuild from the events would show
 * them once the key is gone: each contact field that held a text (name, email, phone) and the notes become the marker,
 * everything else stays. `$1` is the normalised address, `$2` the marker. What only mirrors an event (a stuck
 * subscription's copy of it) is dropped; answers and messages that quote the address have it replaced.
 */
const ERASED_CONTACT = (contact: string) => `${contact} || coalesce((
  SELECT jsonb_object_agg(field, to_jsonb($2::text)) FROM unnest(ARRAY['name', 'email', 'phone']) AS field
   WHERE jsonb_typeof(${contact} -> field) = 'string'), '{}'::jsonb)`;

const MATCHES = (email: string) => `lower(btrim(${email})) = $1`;

/** Appointment rows that show the customer now; their ids (the erase then records the change on each appointment). */
export async function eraseAppointmentRows(query: SqlQuery, email: string, marker: string): Promise<string[]> {
  const rows = await query(
    `UPDATE appointments SET customer = ${ERASED_CONTACT('customer')}, notes = CASE WHEN notes IS NULL THEN NULL ELSE $2 END
      WHERE ${MATCHES("customer ->> 'email'")} RETURNING appointment_id`,
    [email, marker],
  );
  return rows.map((row) => String(row.appointment_id));
}

/** Everything else derived that can hold the customer; answers whether anything did. */
export async function eraseOtherReadModels(query: SqlQuery, email: string, marker: string): Promise<boolean> {
  const quoted = JSON.stringify(email).slice(1, -1);
  // Case-insensitive replacement of the address as JSON writes it: a regular expression with every character escaped.
  const pattern = quoted.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
  const replaced = (column: string) => `regexp_replace(${column}, $2, $3, 'gi')`;
  const found = [
    await query(
      `UPDATE drift_checks d SET items = (
         SELECT jsonb_agg(CASE WHEN ${MATCHES("item #>> '{calcom,attendee,email}'")}
                               THEN jsonb_set(item, '{calcom,attendee}', ${ERASED_CONTACT("(item #> '{calcom,attendee}')")}) ELSE item END
                          ORDER BY n)
           FROM jsonb_array_elements(d.items) WITH ORDINALITY AS x(item, n))
        WHERE jsonb_typeof(d.items) = 'array' AND jsonb_array_length(d.items) > 0 AND strpos(lower(d.items::text), $1) > 0
        RETURNING check_id`,
      [email, marker],
    ),
    await query(`UPDATE subscription_failures SET event = NULL WHERE strpos(lower(event::text), $1) > 0 RETURNING subscription`, [quoted]),
    await query(
      `UPDATE notifications SET message = ${replaced('message')}, details = ${replaced('details::text')}::jsonb
        WHERE strpos(lower(message), $1) > 0 OR strpos(lower(details::text), $1) > 0 RETURNING notification_id`,
      [quoted, pattern, marker],
    ),
  ];
  const [{ exists }] = await query(`SELECT to_regclass('idempotent_requests') IS NOT NULL AS exists`);
  if (exists) {
    found.push(
      await query(
        `UPDATE idempotent_requests SET answer = ${replaced('answer::text')}::jsonb, steps = ${replaced('steps::text')}::jsonb
          WHERE strpos(lower(coalesce(answer::text, '')), $1) > 0 OR strpos(lower(steps::text), $1) > 0 RETURNING key`,
        [quoted, pattern, marker],
      ),
    );
  }
  return found.some((rows) => rows.length > 0);
}
