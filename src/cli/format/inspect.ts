// docker's cli/command/inspect: fetch each reference, then print either the raw JSON array
// re-indented (default), compacted (`-f json`), or a template per element. Templates run over the
// typed Go value first and fall back to the raw JSON map (with missingkey=error) when that fails,
// exactly like docker, because the two produce different text.

import type { GoValue } from './govalue.js';
import { jsonCompact, jsonIndent, parseGoJSON } from './json.js';
import { Template, TemplateError } from './template.js';
import { StatusError } from '../status.js';

export interface Inspected {
  /** The daemon's response body, byte for byte. */
  raw: string;
  /** The same object as its typed Go value (see gotype.ts), if the command has a type for it. */
  typed?: GoValue;
}

/**
 * Inspect each reference with `fetch` and return stdout; errors (fetch failures, template
 * failures) are collected and thrown afterwards as one StatusError, after the output — callers
 * must write `result.out` before rethrowing `result.error`.
 */
export async function inspectAll(
  refs: string[],
  format: string,
  fetch: (ref: string) => Promise<Inspected>,
): Promise<{ out: string; error?: StatusError }> {
  let tmpl: Template | undefined;
  if (format !== '' && format !== 'json') {
    try {
      tmpl = new Template(format);
    } catch (e) {
      if (e instanceof TemplateError) throw new StatusError(`template parsing error: ${e.message}`, 64);
      throw e;
    }
  }
  const errors: string[] = [];
  const raws: string[] = [];
  let text = '';
  for (const ref of refs) {
    let item: Inspected;
    try {
      item = await fetch(ref);
    } catch (e) {
      if (!(e instanceof StatusError) || e.exitCode === 0) throw e;
      errors.push(e.message);
      continue;
    }
    if (!tmpl) {
      raws.push(item.raw);
      continue;
    }
    try {
      text += executeWithFallback(tmpl, item) + '\n';
    } catch (e) {
      errors.push((e as Error).message);
    }
  }

  let out: string;
  if (tmpl) {
    out = text === '' ? '\n' : text;
  } else if (raws.length === 0) {
    out = '[]\n';
  } else {
    const joined = `[${raws.join(',')}]`;
    out = (format === 'json' ? jsonCompact(joined) : jsonIndent(joined)) + '\n';
  }
  return { out, error: errors.length ? new StatusError(errors.join('\n'), 1) : undefined };
}

function executeWithFallback(tmpl: Template, item: Inspected): string {
  if (item.typed !== undefined) {
    try {
      return tmpl.execute(item.typed);
    } catch {
      // fall through to the raw map, as docker's TemplateInspector does
    }
  }
  let raw: GoValue;
  try {
    raw = parseGoJSON(item.raw);
  } catch (e) {
    throw new Error(`unable to read inspect data: ${(e as Error).message}`);
  }
  try {
    return tmpl.execute(raw, { missingKeyError: true });
  } catch (e) {
    throw new Error(`template parsing error: ${(e as Error).message}`);
  }
}
