// What the engine needs from the container runtime layer (runtime/): images, and processes in
// a sandbox. Kept narrow so the engine can be tested with a fake and runtime/ can change freely.
// It lives here, below the engine, because runtime/ implements it and may not import engine/.
import type { Readable, Writable } from 'node:stream';

export interface ImageInfo {
  id: string; // sha256:…
  repoTags: string[];
  env: string[];
  cmd: string[];
  entrypoint: string[];
  workingDir: string;
  exposedPorts: string[];
}

/** Where the container's network stack comes from. */
export type NetnsChoice = { kind: 'path'; path: string } | { kind: 'host' };

export interface StartSpec {
  id: string;
  name: string;
  imageId: string;
  args: string[];
  env: string[];
  cwd: string;
  user: string;
  tty: boolean;
  openStdin: boolean;
  /** The first attach's end of input closes the process's stdin (docker run -i). */
  stdinOnce: boolean;
  hostname: string;
  netns: NetnsChoice;
  /** Files bind-mounted over the image's /etc/hosts, /etc/resolv.conf, /etc/hostname. */
  etc: { hosts: string; resolvConf: string; hostname: string };
  runtime: 'crun' | 'runc';
}

/** A terminal size as Docker sends it (height, width). */
export interface ConsoleSize {
  rows: number;
  cols: number;
}

/** A process to run in a running container (docker exec). */
export interface ExecProcessSpec {
  /** The exec's id: names its session files. */
  execId: string;
  args: string[];
  /** Added to the container's environment. */
  env: string[];
  /** Empty: the container's working directory. */
  cwd: string;
  /** Empty: the container's process user; otherwise resolved in the container's image. */
  user: string;
  tty: boolean;
  consoleSize?: ConsoleSize | undefined;
  /** Keep a way to the process's stdin (docker exec -i). */
  stdin: boolean;
}

/** How an exec ended. */
export interface ExecExit {
  code: number;
  /** The runtime could not start the process and said why where the process's output could not. */
  error?: string;
}

/** A running exec: its stdio (a terminal's output is stdout alone), pid and end. */
export interface ExecProcess {
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  /** Resolves with the pid once the process runs, with 0 if it could not be started. */
  readonly started: Promise<number>;
  /** Resolves once the process has exited and its output has ended. */
  readonly exited: Promise<ExecExit>;
  /** Resizes its terminal (best effort; nothing without one or once it has exited). */
  resize(size: ConsoleSize): Promise<void>;
}

/** Input to a container's stdin through its monitor (docker attach, run -i). */
export interface AttachedInput {
  stdin: Writable | null;
  /** Fails (e.g. the monitor is gone): the caller drops the rest of its input. */
  onError(listener: () => void): void;
  close(): void;
}

export interface RuntimePort {
  resolveImage(ref: string): Promise<ImageInfo>;
  /**
   * Prepares rootfs and bundle and creates the process under its monitor, not yet running: the
   * engine builds the network in parallel and then calls start. The etc files must exist (their
   * content may still change: they are bind-mounted, written in place).
   */
  create(spec: StartSpec): Promise<{ pid: number }>;
  /** Runs a created process. */
  start(id: string): Promise<void>;
  /** Undoes create after a failed start, keeping the writable layer and log. */
  abort(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after timeoutSec; resolves when the process is gone. */
  stop(id: string, timeoutSec: number): Promise<void>;
  kill(id: string, signal: string): Promise<void>;
  /** Removes everything the runtime made for the container; succeeds when it is already gone. */
  remove(id: string): Promise<void>;
  /** Called once per process exit with the exit code (also for exits that happen while we are down). */
  onExit(listener: (id: string, exitCode: number) => void): void;
  /** Containers still running from before a daemon restart, with their pids. */
  recover(): Promise<Map<string, number>>;
  /** The log file the monitor writes (k8s-file format). */
  logPath(id: string): string;
  /** Starts a process in a running container under its own monitor. */
  exec(id: string, imageId: string, spec: ExecProcessSpec): Promise<ExecProcess>;
  /** Input for a running container created with openStdin; the caller closes it when done. */
  attachInput(id: string): AttachedInput;
  /** Resizes a running container's terminal; fails when none is running. */
  resizeTty(id: string, size: ConsoleSize): Promise<void>;
}
