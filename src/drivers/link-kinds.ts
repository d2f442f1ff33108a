// Whether this kernel can make the sub-interface kinds macvlan, ipvlan and VLAN (802.1Q): found
// by making one on a throwaway bridge and deleting the bridge (its sub-interfaces go with it),
// never by reading module lists or kernel versions. Each answer is kept per kernel: drivers probe
// at start, and a VLAN parent asks again at every create.
import { randomBytes } from 'node:crypto';
import type { IpLine, Kernel } from '../kernel/kernel.js';
import { deleteLinks } from './sandbox-lines.js';

/** The kernel module each kind comes from, so a refusal names what is missing. */
const KINDS = {
  macvlan: { module: 'macvlan', args: ['mode', 'bridge'] },
  ipvlan: { module: 'ipvlan', args: ['mode', 'l2'] },
  vlan: { module: '8021q', args: ['id', 1] },
} as const;

export type SubLinkKind = keyof typeof KINDS;

const answers = new WeakMap<Kernel, Map<SubLinkKind, Promise<string | undefined>>>();

/** iproute2's words when the kernel has no such link type (module absent, not loadable). */
const NO_SUCH_KIND = /Unknown device type|Operation not supported|not supported/i;

/**
 * Why `subject` cannot be served (it needs a link kind this kernel cannot make), or undefined.
 * E.g. 'the ipvlan driver needs the kernel module "ipvlan", which this kernel does not have'.
 */
export async function missingLinkKind(kernel: Kernel, kind: SubLinkKind, subject: string): Promise<string | undefined> {
  let perKernel = answers.get(kernel);
  if (!perKernel) answers.set(kernel, (perKernel = new Map()));
  let answer = perKernel.get(kind);
  if (!answer) perKernel.set(kind, (answer = tryKind(kernel, kind)));
  const why = await answer;
  if (why === undefined) return undefined;
  return NO_SUCH_KIND.test(why)
    ? `${subject} needs the kernel module "${KINDS[kind].module}", which this kernel does not have`
    : `${subject} cannot create a ${kind} link on this host: ${why}`;
}

/** The kernel's error for making one link of this kind, or undefined when it could. */
async function tryKind(kernel: Kernel, kind: SubLinkKind): Promise<string | undefined> {
  const suffix = randomBytes(4).toString('hex');
  const lower = `tp${suffix}`;
  const lines: IpLine[] = [
    ['link', 'add', 'name', lower, 'type', 'bridge'],
    ['link', 'add', 'link', lower, 'name', `tq${suffix}`, 'type', kind, ...KINDS[kind].args],
  ];
  const failed = await kernel.ipTry(lines);
  if (!failed.has(0)) await deleteLinks(kernel, [lower]);
  return failed.get(0) ?? failed.get(1);
}
