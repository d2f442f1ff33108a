// What the engine needs from the container runtime layer (runtime/): images, and processes in
// a sandbox. Kept narrow so the engine can be tested with a fake and runtime/ can change freely.
// It lives here, below the engine, because runtime/ implements it and may not import engine/.

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
}
