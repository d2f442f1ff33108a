// docker's formatter.Context for list commands (network ls today; ps, images later): `table`,
// `table TEMPLATE`, `json` or a bare TEMPLATE, rendered per row, with tables aligned by the
// tabwriter and headed by the same template executed over the column titles.

import { GoMap, type GoStruct, type GoValue } from './govalue.js';
import { TabWriter } from './tabwriter.js';
import { headerFuncs, Template, TemplateError } from './template.js';
import { StatusError } from '../status.js';

/** Usage text of list commands' --format flag (docker's flagsHelper.FormatHelp). */
export const FORMAT_HELP = `Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

/** Usage text of inspect-style --format flags (flagsHelper.InspectFormatHelp). */
export const INSPECT_FORMAT_HELP = `Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

export const TABLE_FORMAT_KEY = 'table';
export const JSON_FORMAT_KEY = 'json';

/** Parse a `--format` template, mapping errors to docker's "template parsing error" (exit 1). */
export function parseTemplate(source: string): Template {
  try {
    return new Template(source);
  } catch (e) {
    if (e instanceof TemplateError) throw new StatusError(`template parsing error: ${e.message}`, 1);
    throw e;
  }
}

/**
 * Render `rows` with `format` (already resolved: e.g. `table {{.ID}}\t{{.Name}}`).
 * `headers` maps field names to column titles (docker's SubHeaderContext).
 */
export function renderList(format: string, rows: GoStruct[], headers: Record<string, string>): string {
  const isTable = format.startsWith(TABLE_FORMAT_KEY);
  let source = isTable ? format.slice(TABLE_FORMAT_KEY.length) : format === JSON_FORMAT_KEY ? '{{json .}}' : format;
  source = source.replace(/^ +| +$/g, '').replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  const tmpl = parseTemplate(source);

  let body = '';
  for (const row of rows) {
    try {
      body += tmpl.execute(row) + '\n';
    } catch (e) {
      if (e instanceof TemplateError) throw new StatusError(`template parsing error: ${e.message}`, 1);
      throw e;
    }
  }
  if (!isTable) return body;

  // docker's SubHeaderContext: a map of titles whose Label method titles `{{.Label "a.b-c"}}` as "b c".
  const headerCtx: GoValue = new GoMap(new Map(Object.entries(headers)), false, {
    Label: (name) => (String(name).split('.').pop() ?? '').replace(/[-_]/g, ' '),
  });
  let header = '';
  try {
    header = tmpl.execute(headerCtx, { funcs: headerFuncs });
  } catch {
    // docker ignores errors while rendering the header
  }
  const tw = new TabWriter(10, 3);
  tw.write(header + '\n' + body);
  return tw.flush();
}
