// The runtime port is defined in runtime/port.ts, beside its implementation (runtime/ may not
// import engine/); the engine's modules keep importing it by this name.
export type { AttachedInput, ConsoleSize, ExecExit, ExecProcess, ExecProcessSpec, ImageInfo, NetnsChoice, RuntimePort, StartSpec } from '../runtime/port.js';
