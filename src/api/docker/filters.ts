// Docker's `filters` query parameter: JSON of key → {value: true} (or the legacy key → [values]).
import { invalid } from '../../errors.js';

export function parseFilters(raw: string | null): Record<string, string[]> {
  if (raw === null || raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid(`invalid filters: ${raw.slice(0, 100)} is not JSON`, 'filter.json');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('invalid filters: expected a JSON object', 'filter.json');
  }
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      out[key] = value as string[];
    } else if (typeof value === 'object' && value !== null) {
      out[key] = Object.entries(value as Record<string, unknown>).filter(([, on]) => on === true).map(([k]) => k);
    } else {
      throw invalid(`invalid filters: the value of ${key} must be an object`, 'filter.json');
    }
  }
  return out;
}
