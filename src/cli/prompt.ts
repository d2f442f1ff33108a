// docker's prompt.Confirm: print the question with " [y/N] " (no newline), read one line, and
// accept only "y"/"Y". End of input counts as "no".

import type { IO } from './command.js';

function readLine(stdin: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let buf = '';
    const done = (): void => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', done);
      stdin.removeListener('error', done);
      stdin.pause(); // let the process exit; stdin stays unread beyond this line
      resolve(buf.split('\n')[0] ?? '');
    };
    const onData = (chunk: Buffer | string): void => {
      buf += chunk.toString();
      if (buf.includes('\n')) done();
    };
    stdin.on('data', onData);
    stdin.on('end', done);
    stdin.on('error', done);
    stdin.resume();
  });
}

export async function confirm(io: IO, message: string): Promise<boolean> {
  io.stdout.write(`${message} [y/N] `);
  const answer = (await readLine(io.stdin)).trim();
  return answer === 'y' || answer === 'Y';
}
