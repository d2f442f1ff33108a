// docker's jsonmessage.DisplayJSONMessagesStream for a non-terminal: the newline-delimited JSON
// progress stream of pull/load/import printed as plain lines (progress bars are dropped, as
// docker does when output is not a TTY); an `error` message ends the command with its text.

import type { Output } from './command.js';
import { StatusError } from './status.js';

interface JSONMessage {
  stream?: string;
  status?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  id?: string;
  from?: string;
  error?: string;
  errorDetail?: { message?: string };
  /** Push's digest record: read by callers that want it, never printed (docker's auxCallback). */
  aux?: unknown;
}

function display(jm: JSONMessage, out: Output): void {
  if (jm.aux !== undefined) return;
  const progressShown = jm.progressDetail && (jm.progressDetail.current || jm.progressDetail.total);
  if (progressShown && !jm.stream) return; // progress bars are for terminals only
  let s = '';
  if (jm.id) s += `${jm.id}: `;
  if (jm.from) s += `(from ${jm.from}) `;
  if (jm.progress && !progressShown) s += `${jm.status ?? ''} ${jm.progress}`;
  else if (jm.stream) s += jm.stream;
  else s += `${jm.status ?? ''}\n`;
  out.write(s);
}

export async function displayJSONStream(body: NodeJS.ReadableStream, out: Output): Promise<void> {
  let buf = '';
  let failure: string | undefined;
  const handle = (line: string): void => {
    if (line.trim() === '' || failure !== undefined) return;
    const jm = JSON.parse(line) as JSONMessage;
    if (jm.errorDetail || jm.error) {
      failure = jm.errorDetail?.message ?? jm.error ?? '';
      return;
    }
    display(jm, out);
  };
  for await (const chunk of body) {
    buf += chunk.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      handle(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  }
  handle(buf);
  if (failure !== undefined) throw new StatusError(failure, 1);
}
