// Legacy `--link target:alias` on the default bridge: the environment Docker gives the linker
// (INDEX 04): ALIAS_PORT…, ALIAS_NAME, ALIAS_ENV_… in Docker's order.
import type { ContainerRecord } from '../model/container.js';

/** The prefix Docker derives: the alias upper-cased, '-' and '.' turned into '_'. */
function prefixOf(alias: string): string {
  return alias.toUpperCase().replace(/[-.]/g, '_');
}

export function linkEnv(linker: ContainerRecord, target: ContainerRecord, alias: string, targetIp: string): string[] {
  const p = prefixOf(alias);
  const ports = target.config.exposedPorts
    .map((k) => {
      const [port, proto = 'tcp'] = k.split('/');
      return { port: Number(port), proto };
    })
    .sort((a, b) => a.port - b.port || a.proto.localeCompare(b.proto));
  const env: string[] = [];
  const first = ports[0];
  if (first) env.push(`${p}_PORT=${first.proto}://${targetIp}:${first.port}`);
  for (const { port, proto } of ports) {
    const q = `${p}_PORT_${port}_${proto.toUpperCase()}`;
    env.push(`${q}=${proto}://${targetIp}:${port}`, `${q}_ADDR=${targetIp}`, `${q}_PORT=${port}`, `${q}_PROTO=${proto}`);
  }
  env.push(`${p}_NAME=/${linker.name}/${alias}`);
  for (const kv of target.config.env) {
    const eq = kv.indexOf('=');
    const key = kv.slice(0, eq);
    // Docker skips what image builds add and means nothing to the linker.
    if (eq > 0 && key !== 'HOME' && key !== 'PATH') env.push(`${p}_ENV_${key}=${kv.slice(eq + 1)}`);
  }
  return env;
}
