// Shared by the overlay benches: two test hosts joined by an underlay veth (10.99.0.1/24 and
// 10.99.0.2/24), the overlay driver driven directly on each (test/helpers/overlay-host.ts), one
// overlay network with a fixed VNI and a sandbox per host joined to it, each host told of the
// other's endpoint. Needs root and a build (`npm run build`).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createTestHost, uniqueName } from '../dist/test/helpers/testhost.js';
import { startOverlayHost } from '../dist/test/helpers/overlay-host.js';

export const UNDERLAY = ['10.99.0.1', '10.99.0.2'];
export const OVERLAY = ['10.200.0.2', '10.200.0.3'];

export function overlayNetwork(vni = 4242) {
  return {
    id: randomBytes(32).toString('hex'), name: 'bench', driver: 'overlay', scope: 'global', created: '', enableIPv6: false, internal: false,
    attachable: true, ingress: false, configOnly: false, configFrom: '', ipamDriver: 'default', ipamOptions: null,
    pools: [{ family: 4, subnet: '10.200.0.0/24', gateway: '10.200.0.1', gatewayExplicit: false, poolAssigned: false, active: true, auxAddresses: {} }],
    options: { 'com.docker.network.driver.overlay.vxlanid_list': String(vni) }, labels: {}, predefined: false,
  };
}

export const inNs = (path, argv, opts = {}) => spawnSync('nsenter', [`--net=${path}`, '--', ...argv], { encoding: 'utf8', ...opts });

/** Builds the two hosts; `close()` removes everything. */
export async function twoHosts() {
  const hosts = [createTestHost('ob'), createTestHost('ob')];
  const drivers = [];
  const sandboxes = [];
  const net = overlayNetwork();
  const close = () => {
    for (const d of drivers) d.kill();
    for (const s of sandboxes) spawnSync('ip', ['netns', 'del', s.name]);
    for (const h of hosts) h.dispose();
  };
  try {
    hosts[0].sh(['ip', 'link', 'add', 'ul0', 'type', 'veth', 'peer', 'name', 'ul0', 'netns', hosts[1].nsPath]);
    for (let i = 0; i < 2; i++) {
      hosts[i].sh(['ip', 'addr', 'add', `${UNDERLAY[i]}/24`, 'dev', 'ul0']);
      hosts[i].sh(['ip', 'link', 'set', 'ul0', 'up']);
      drivers.push(await startOverlayHost(hosts[i], UNDERLAY[i]));
      const name = uniqueName('bs');
      spawnSync('ip', ['netns', 'add', name]);
      const endpointId = randomBytes(32).toString('hex');
      const mac = `02:42:0a:c8:00:0${i + 2}`;
      const spec = { endpointId, netnsPath: `/run/netns/${name}`, ifname: 'eth0', mac, addresses: [`${OVERLAY[i]}/24`], gateways: [] };
      sandboxes.push({ name, path: spec.netnsPath, spec, remote: { endpointId, host: UNDERLAY[i], mac, ipv4: OVERLAY[i] } });
      await drivers[i].call('create', { net });
      await drivers[i].call('join', { net, spec });
    }
    for (let i = 0; i < 2; i++) await drivers[i].call('peer', { net, ep: sandboxes[1 - i].remote, present: true });
    for (const s of sandboxes) inNs(s.path, ['ip', 'link', 'set', 'lo', 'up']);
  } catch (e) {
    close();
    throw e;
  }
  return { hosts, drivers, sandboxes, net, close };
}
