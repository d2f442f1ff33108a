// The engine's RuntimePort (port.ts) on top of this folder: images from the local
// store, containers under conmon with crun or runc. One instance per daemon.
import { join } from 'node:path';
import { unavailable } from '../errors.js';
import type { Kernel } from '../kernel/kernel.js';
import { ImageStore, type ImageStoreOptions } from './images.js';
import { OciRuntime } from './oci-runtime.js';
import type { AttachedInput, ConsoleSize, ExecProcess, ExecProcessSpec, ImageInfo, RuntimePort, StartSpec } from './port.js';
import { detectRuntime, type RuntimeBinary, type RuntimeName } from './runtime-binary.js';
import { resolveUser } from './user.js';

export interface ContainerRuntimeOptions {
  kernel: Kernel;
  /** <data-root>: images/ and containers/ go below it. */
  dataRoot: string;
  /** <exec-root>: the runtimes' state directories go below it. */
  execRoot: string;
  defaultRuntime: RuntimeName;
  /** --cgroup-parent. */
  cgroupParent: string;
  containerUsing?: ImageStoreOptions['containerUsing'];
}

type ExitListener = (id: string, exitCode: number) => void;

export class ContainerRuntime implements RuntimePort {
  private readonly listeners: ExitListener[] = [];
  private readonly watches = new Map<string, AbortController>();

  private constructor(
    readonly images: ImageStore,
    readonly oci: OciRuntime,
    /** Runtimes found on this host, default first: for `docker info` and the startup log. */
    readonly runtimes: readonly RuntimeBinary[],
    /** Host effects the image routes need too (a pull's zstd decoder). */
    readonly kernel: Kernel,
  ) {}

  static async open(o: ContainerRuntimeOptions): Promise<ContainerRuntime> {
    const found: RuntimeBinary[] = [];
    for (const name of new Set<RuntimeName>([o.defaultRuntime, 'crun', 'runc'])) {
      const rt = await detectRuntime(name).catch(() => undefined);
      if (rt) found.push(rt);
    }
    if (found[0]?.name !== o.defaultRuntime) {
      throw unavailable(`OCI runtime ${o.defaultRuntime} not found on PATH`, 'runtime.missing');
    }
    const images = await ImageStore.open({ root: join(o.dataRoot, 'images'), ...(o.containerUsing ? { containerUsing: o.containerUsing } : {}) });
    const oci = new OciRuntime({
      kernel: o.kernel,
      runtimes: found,
      containersRoot: join(o.dataRoot, 'containers'),
      stateRoot: join(o.execRoot, 'runtime'),
      cgroupParent: o.cgroupParent,
    });
    return new ContainerRuntime(images, oci, found, o.kernel);
  }

  async resolveImage(ref: string): Promise<ImageInfo> {
    const d = this.images.inspect(ref);
    return {
      id: d.id,
      repoTags: d.repoTags,
      env: d.config.Env ?? [],
      cmd: d.config.Cmd ?? [],
      entrypoint: d.config.Entrypoint ?? [],
      workingDir: d.config.WorkingDir ?? '',
      exposedPorts: Object.keys(d.config.ExposedPorts ?? {}),
    };
  }

  /** Everything up to a created (not yet running) process; the engine builds the network meanwhile. */
  async create(spec: StartSpec): Promise<{ pid: number }> {
    const layerDirs = this.images.layerDirs(spec.imageId);
    const user = await resolveUser(spec.user, layerDirs);
    // A container started again keeps its writable layer and log; the rest is made afresh.
    this.unwatch(spec.id);
    await this.oci.resetForRestart(spec.id);
    const pid = await this.oci.create({
      id: spec.id,
      name: spec.name,
      runtime: spec.runtime,
      layerDirs,
      hostname: spec.hostname,
      network: spec.netns.kind === 'host' ? { kind: 'host' } : { kind: 'netns', path: spec.netns.path },
      etcFiles: spec.etc,
      openStdin: spec.openStdin,
      stdinOnce: spec.stdinOnce,
      process: { args: spec.args, env: spec.env, cwd: spec.cwd, terminal: spec.tty, uid: user.uid, gid: user.gid },
    });
    this.watch(spec.id);
    return { pid };
  }

  /** Runs the created process. */
  start(id: string): Promise<void> {
    return this.oci.start(id);
  }

  /** Undoes create for a start that failed: the writable layer and the log stay. */
  async abort(id: string): Promise<void> {
    this.unwatch(id);
    await this.oci.resetForRestart(id);
  }

  async stop(id: string, timeoutSec: number): Promise<void> {
    await this.oci.stop(id, timeoutSec);
  }

  kill(id: string, signal: string): Promise<void> {
    return this.oci.kill(id, signal);
  }

  async remove(id: string): Promise<void> {
    this.unwatch(id);
    await this.oci.delete(id);
  }

  onExit(listener: ExitListener): void {
    this.listeners.push(listener);
  }

  async recover(): Promise<Map<string, number>> {
    const { running, exited } = await this.oci.recover();
    for (const id of [...running.keys()]) {
      // Created but never started: the daemon died between create and start. Undo the create;
      // the engine rolls the network back and the next start begins afresh.
      if ((await this.oci.state(id).catch(() => undefined))?.status === 'created') {
        running.delete(id);
        await this.abort(id);
        continue;
      }
      this.watch(id);
    }
    // 255 when conmon died without recording a code (e.g. killed with the machine).
    for (const [id, code] of exited) this.emit(id, code ?? 255);
    return running;
  }

  logPath(id: string): string {
    return this.oci.logPath(id);
  }

  async exec(id: string, imageId: string, spec: ExecProcessSpec): Promise<ExecProcess> {
    // An empty User keeps the container's own process user (the runtime's default for exec).
    const user = spec.user ? await resolveUser(spec.user, this.images.layerDirs(imageId)) : undefined;
    return this.oci.exec(id, {
      execId: spec.execId,
      args: spec.args,
      env: spec.env,
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      stdin: spec.stdin,
      tty: spec.tty,
      ...(spec.consoleSize ? { consoleSize: spec.consoleSize } : {}),
    });
  }

  attachInput(id: string): AttachedInput {
    return this.oci.attachInput(id);
  }

  resizeTty(id: string, size: ConsoleSize): Promise<void> {
    return this.oci.resizeTty(id, size);
  }

  private watch(id: string): void {
    const ac = new AbortController();
    this.watches.set(id, ac);
    this.oci.wait(id, ac.signal).then(
      (code) => {
        if (this.watches.get(id) === ac) this.watches.delete(id);
        this.emit(id, code);
      },
      () => undefined, // aborted: the container was removed or restarted
    );
  }

  private unwatch(id: string): void {
    this.watches.get(id)?.abort();
    this.watches.delete(id);
  }

  private emit(id: string, code: number): void {
    for (const l of this.listeners) l(id, code);
  }
}
