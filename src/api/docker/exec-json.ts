// Docker's exec bodies: POST /containers/{id}/exec (ExecConfig), POST /exec/{id}/start and the
// GET /exec/{id}/json answer (recorded in 10-api-trace/04-exec-lifecycle.log). The CLI 28 sends
// every field, empty ones included ("User":"", "Env":null, "DetachKeys":"").
import { z } from 'zod';
import type { ExecSpec, ExecState } from '../../engine/execs.js';
import { invalid } from '../../errors.js';

const flag = z.boolean().nullish();
const execCreateBody = z
  .object({
    User: z.string().nullish(),
    Privileged: flag,
    Tty: flag,
    ConsoleSize: z.array(z.number()).nullish(),
    AttachStdin: flag,
    AttachStdout: flag,
    AttachStderr: flag,
    Detach: flag,
    DetachKeys: z.string().nullish(),
    Env: z.array(z.string()).nullish(),
    WorkingDir: z.string().nullish(),
    Cmd: z.array(z.string()).nullish(),
  })
  .passthrough();

const execStartBody = z.object({ Detach: flag, Tty: flag, ConsoleSize: z.array(z.number()).nullish() }).passthrough();

export type { ExecSpec, ExecState } from '../../engine/execs.js';

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    throw invalid(`invalid ${what}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'bad body'}`, 'exec.body');
  }
  return r.data;
}

export function parseExecCreate(body: unknown): ExecSpec {
  const b = parse(execCreateBody, body, 'exec config');
  const cmd = b.Cmd ?? [];
  if (cmd.length === 0) throw invalid('No exec command specified', 'exec.noCommand');
  if (b.WorkingDir && !b.WorkingDir.startsWith('/')) {
    throw invalid(`the working directory '${b.WorkingDir}' is invalid, it needs to be an absolute path`, 'exec.workdir');
  }
  return {
    cmd,
    env: b.Env ?? [],
    user: b.User ?? '',
    workingDir: b.WorkingDir ?? '',
    tty: b.Tty ?? false,
    consoleSize: consoleSize(b.ConsoleSize),
    privileged: b.Privileged ?? false,
    attachStdin: b.AttachStdin ?? false,
    attachStdout: b.AttachStdout ?? false,
    attachStderr: b.AttachStderr ?? false,
    detachKeys: b.DetachKeys ?? '',
  };
}

/** ExecStartCheck: the CLI may repeat the console size here (it wins over the create's). */
export function parseExecStart(body: unknown): { detach: boolean; consoleSize: [number, number] | undefined } {
  const b = parse(execStartBody, body, 'exec start config');
  return { detach: b.Detach ?? false, consoleSize: consoleSize(b.ConsoleSize) };
}

/** dockerd's [height, width]; [0, 0] (what the CLI sends without a terminal) means none. */
function consoleSize(raw: number[] | null | undefined): [number, number] | undefined {
  if (!raw || raw.length !== 2) return undefined;
  const [h = 0, w = 0] = raw;
  return Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0 ? [h, w] : undefined;
}

export function toExecInspect(s: ExecState): Record<string, unknown> {
  const [entrypoint = '', ...args] = s.spec.cmd;
  return {
    ID: s.id,
    Running: s.running,
    ExitCode: s.exitCode,
    ProcessConfig: {
      tty: s.spec.tty,
      entrypoint,
      arguments: args,
      privileged: s.spec.privileged,
      ...(s.spec.user ? { user: s.spec.user } : {}),
    },
    OpenStdin: s.spec.attachStdin,
    OpenStderr: s.spec.attachStderr,
    OpenStdout: s.spec.attachStdout,
    CanRemove: false,
    ContainerID: s.containerId,
    DetachKeys: s.spec.detachKeys,
    Pid: s.pid,
  };
}
