// The runtime port when no OCI runtime is configured: every container operation answers a clear
// "unavailable" instead of failing half-way.
import { unavailable } from '../errors.js';
import type { RuntimePort } from './runtime-port.js';

const missing = (): never => {
  throw unavailable('no container runtime is available: install crun or runc', 'runtime.missing');
};

export const noRuntime: RuntimePort = {
  resolveImage: async () => missing(),
  create: async () => missing(),
  start: async () => missing(),
  abort: async () => undefined,
  stop: async () => undefined,
  kill: async () => missing(),
  remove: async () => undefined,
  onExit: () => undefined,
  recover: async () => new Map(),
  logPath: () => '',
  exec: async () => missing(),
  attachInput: () => missing(),
  resizeTty: async () => missing(),
};
