// The lines that configure an endpoint's interface inside its sandbox, the same for every driver
// that puts a link there (bridge veth ends, macvlan and ipvlan sub-interfaces): addresses, up,
// default routes.
import type { IpLine, Kernel } from '../kernel/kernel.js';
import type { JoinSpec } from './driver.js';

/**
 * IPv4 addresses get the subnet's broadcast (`brd +`), as Docker's do. IPv6 ones have none and
 * skip duplicate address detection (`nodad`, as libnetwork sets IFA_F_NODAD): the addresses are
 * ours to hand out, and DAD would leave them unusable ("tentative") for a second or more.
 */
export function addrFlags(address: string): string[] {
  return address.includes(':') ? ['nodad'] : ['broadcast', '+'];
}

/**
 * Default routes through the endpoint's gateways; `default` would be read as IPv4, so IPv6 says
 * ::/0. `onLink` routes out of the interface with no next hop (ipvlan l3: the parent routes).
 */
export function routeLines(spec: JoinSpec, onLink = false): IpLine[] {
  return spec.gateways.map((g): IpLine => {
    const dst = g.includes(':') ? '::/0' : 'default';
    return onLink ? ['route', 'replace', dst, 'dev', spec.ifname] : ['route', 'replace', dst, 'via', g, 'dev', spec.ifname];
  });
}

export function sandboxLines(spec: JoinSpec, onLink = false): IpLine[] {
  return [
    ...spec.addresses.map((a): IpLine => ['addr', 'add', a, ...addrFlags(a), 'dev', spec.ifname]),
    ['link', 'set', 'dev', spec.ifname, 'up'],
    ...routeLines(spec, onLink),
  ];
}

/** Deletes links in the daemon's namespace; those gone already are fine. Returns the names deleted. */
export async function deleteLinks(kernel: Kernel, names: readonly string[]): Promise<string[]> {
  const failed = await kernel.ipTry(names.map((n) => ['link', 'del', 'dev', n]));
  return names.filter((_, i) => !failed.has(i));
}

/** Deletes the endpoint's interface inside a sandbox that may already be gone (it took the link with it). */
export async function deleteInSandbox(kernel: Kernel, spec: Pick<JoinSpec, 'netnsPath' | 'ifname'>): Promise<void> {
  if (!spec.netnsPath) return;
  try {
    await kernel.ipIn(spec.netnsPath, [['link', 'del', 'dev', spec.ifname]]);
  } catch (e) {
    if (!/Cannot find device|No such file or directory|no such namespace/i.test(String(e))) throw e;
  }
}
