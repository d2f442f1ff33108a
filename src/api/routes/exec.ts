// docker exec over the Engine API: POST /containers/{id}/exec creates an instance, POST
// /exec/{id}/start runs it (engine/execs.ts, through the runtime port: conmon) and streams its
// output over the hijacked connection (8-byte frames), stdin from the connection into the
// process; GET /exec/{id}/json gives the exit code the CLI asks for once the stream has ended.
//
// With Tty the process runs on a terminal: its output goes raw (no frames, stdout and stderr
// merged, \r\n from the terminal) as in 04-exec-lifecycle.log, and POST /exec/{id}/resize reaches
// the terminal through conmon.
import type { Readable, Writable } from 'node:stream';
import type { Engine } from '../../engine/engine.js';
import { copyOutput, frame } from '../../runtime/streams.js';
import { parseExecCreate, parseExecStart, toExecInspect } from '../docker/exec-json.js';
import { hijack, streamMediaType } from '../hijack.js';
import { readJson } from '../http.js';
import type { Route } from '../router.js';
import { queryInt } from './containers.js';

/** Client bytes into the process; the client's EOF closes the process's stdin (echo x | docker exec -i). */
function feedStdin(from: Readable, to: Writable): void {
  to.on('error', () => from.resume()); // the process closed stdin early: discard the rest
  from.pipe(to);
}

export function execRoutes(engine: Engine): Route[] {
  return [
    {
      method: 'POST',
      path: '/containers/:id/exec',
      handler: async ({ req, params }) => {
        const spec = parseExecCreate(await readJson(req));
        return { status: 201, body: { Id: (await engine.execs.create(params['id']!, spec)).id } };
      },
    },
    {
      method: 'POST',
      path: '/exec/:id/start',
      handler: async ({ req, res, params, apiVersion }) => {
        const { detach, consoleSize } = parseExecStart(await readJson(req));
        const id = params['id']!;
        const spec = engine.execs.get(id).spec;
        const { process: proc, stdin, exited } = await engine.execs.start(id, { detach, consoleSize });
        if (detach) {
          proc.stdout?.resume();
          proc.stderr?.resume();
          return { status: 200 };
        }

        const tty = spec.tty;
        const stream = hijack(req, res, streamMediaType(tty, apiVersion));
        if (stdin && proc.stdin && stream.in) feedStdin(stream.in, proc.stdin);
        else stream.in?.resume(); // nothing reads stdin: drop what the client sends
        // A terminal merges stdout and stderr into its output (our stdout).
        const wantOut = spec.attachStdout || (tty && spec.attachStderr);
        const wantErr = !tty && spec.attachStderr;
        if (!wantOut) proc.stdout?.resume();
        if (!wantErr) proc.stderr?.resume();
        const attached = { stdout: wantOut ? proc.stdout : null, stderr: wantErr ? proc.stderr : null };
        // The exit code must be recorded before the stream ends: the CLI asks for it right after EOF.
        const [, exit] = await Promise.all([copyOutput(attached, stream.out, tty).catch(() => undefined), exited]);
        // The runtime's reason when it could not start the process, where the process's stderr would be.
        if (exit.error && (wantErr || wantOut)) {
          const text = Buffer.from(`${exit.error.trim()}\r\n`);
          stream.out.write(tty ? text : frame(wantErr ? 'stderr' : 'stdout', text));
        }
        stream.end();
        return 'handled';
      },
    },
    {
      method: 'GET',
      path: '/exec/:id/json',
      handler: async ({ params }) => ({ status: 200, body: toExecInspect(engine.execs.get(params['id']!)) }),
    },
    {
      method: 'POST',
      path: '/exec/:id/resize',
      handler: async ({ params, query }) => {
        const rows = queryInt(query, 'h');
        const cols = queryInt(query, 'w');
        // Accepted also without a terminal or after the exit, so the CLI does not print
        // "failed to resize tty" for a command that just finished.
        const exec = engine.execs.get(params['id']!);
        if (rows !== undefined && cols !== undefined) await engine.execs.resize(exec.id, { rows, cols });
        return { status: 200 };
      },
    },
  ];
}
