// A stand-in 'overlay' driver for testing the cluster side before (or without) the real one: a
// global network with default IPAM and no kernel objects (a container on it has loopback and
// its resolver, no link), whose assign() numbers networks as the real one does with VNIs and
// whose peer() calls are recorded and logged. The fake engine registers it in unit tests;
// tetherd only when TETHER_TEST_DRIVERS=stub-overlay (the root cluster test).
import { noLinkDriver } from '../no-link.js';
import type { NetworkDriver, RemoteEndpoint } from '../driver.js';

export const STUB_VNI = 'com.tether.test.vni';

export interface StubOverlay extends NetworkDriver {
  /** `+<endpoint>@<host> <ipv4>` or `-<endpoint>@<host>`, in call order. */
  readonly peers: string[];
  /** The networks whose (would-be) kernel side is made on this host: createNetwork adds, deleteNetwork takes. */
  readonly made: Set<string>;
}

export function stubOverlayDriver(): StubOverlay {
  const peers: string[] = [];
  const made = new Set<string>();
  const { predefined: _none, ...kernelFree } = noLinkDriver('overlay', 'sandbox', '');
  return {
    ...kernelFree,
    scope: 'global',
    ipam: 'default',
    singleton: false,
    peers,
    made,
    async createNetwork(_ctx, net) {
      made.add(net.id);
    },
    async deleteNetwork(_ctx, net) {
      made.delete(net.id);
    },
    assign(net, others) {
      const taken = new Set(others.map((n) => n.options[STUB_VNI]));
      let vni = 4096;
      while (taken.has(String(vni))) vni += 1;
      net.options = { ...net.options, [STUB_VNI]: String(vni) };
    },
    async peer(ctx, net, ep: RemoteEndpoint, present) {
      const line = present ? `+${ep.endpointId}@${ep.host} ${ep.ipv4 ?? ''}` : `-${ep.endpointId}@${ep.host}`;
      peers.push(line);
      ctx.log.info('stub overlay peer', { network: net.id, peer: line });
    },
  };
}
