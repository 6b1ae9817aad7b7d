import type { Service, Staff } from '../types';

export interface Choice {
  value: string;
  label: string;
}

/** A labelled <select>; `none` adds a first choice of nothing (the empty value) with that text. */
export function SelectField({
  label,
  value,
  choices,
  onChange,
  required,
  none,
}: {
  label: string;
  value: string;
  choices: Choice[];
  onChange: (value: string) => void;
  required?: boolean;
  none?: string;
}) {
  return (
    <label>
      {label}
      <select required={required} value={value} onChange={(event) => onChange(event.target.value)}>
        {none !== undefined && <option value="">{none}</option>}
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export const staffChoices = (staff: Staff[] | undefined): Choice[] => (staff ?? []).map((member) => ({ value: member.staffId, label: member.name }));

export const serviceChoices = (services: Service[] | undefined, labelOf = (service: Service) => service.name): Choice[] =>
  (services ?? []).map((service) => ({ value: service.serviceId, label: labelOf(service) }));
