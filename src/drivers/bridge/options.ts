// Docker's bridge driver options (`-o com.docker.network.…`). Known keys are parsed and checked
// with Docker's messages; unknown keys are kept and shown in inspect, as Docker does.
import { invalid } from '../../errors.js';
import type { NetworkRecord } from '../../model/network.js';
import { MTU_OPT, parseMtu } from '../mtu-option.js';

export const OPT = {
  name: 'com.docker.network.bridge.name',
  icc: 'com.docker.network.bridge.enable_icc',
  masquerade: 'com.docker.network.bridge.enable_ip_masquerade',
  hostBinding: 'com.docker.network.bridge.host_binding_ipv4',
  defaultBridge: 'com.docker.network.bridge.default_bridge',
  mtu: MTU_OPT,
  inhibitIpv4: 'com.docker.network.bridge.inhibit_ipv4',
} as const;

export interface BridgeOptions {
  bridgeName: string;
  icc: boolean;
  masquerade: boolean;
  hostBindingIpv4: string;
  mtu: number | undefined;
  inhibitIpv4: boolean;
}

// strconv.ParseBool's accepted spellings, so scripts written for Docker keep working.
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function bool(key: string, value: string | undefined, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw invalid(`failed to parse ${key} value: ${value} (strconv.ParseBool: parsing "${value}": invalid syntax)`, 'bridge.option');
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
// Linux interface names: at most 15 bytes, no '/', no whitespace, not "." or "..".
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

export function bridgeName(net: Pick<NetworkRecord, 'id' | 'options'>): string {
  return net.options[OPT.name] ?? `br-${net.id.slice(0, 12)}`;
}

export function parseBridgeOptions(net: Pick<NetworkRecord, 'id' | 'options'>): BridgeOptions {
  const o = net.options;
  const name = bridgeName(net);
  if (name.length > 15) {
    throw invalid(`failed to check bridge interface existence: numerical result out of range`, 'bridge.name');
  }
  if (!IFNAME.test(name) || name === '.' || name === '..') {
    throw invalid(`invalid bridge name ${JSON.stringify(name)}: only [A-Za-z0-9_.-], at most 15 characters`, 'bridge.name');
  }
  const hostBinding = o[OPT.hostBinding] ?? '0.0.0.0';
  if (!IPV4.test(hostBinding)) {
    throw invalid(`failed to parse ${OPT.hostBinding} value: ${hostBinding}: not an IPv4 address`, 'bridge.option');
  }
  return {
    bridgeName: name,
    icc: bool(OPT.icc, o[OPT.icc], true),
    masquerade: bool(OPT.masquerade, o[OPT.masquerade], true),
    hostBindingIpv4: hostBinding,
    mtu: parseMtu(o[OPT.mtu], 'bridge.option'),
    inhibitIpv4: bool(OPT.inhibitIpv4, o[OPT.inhibitIpv4], false),
  };
}
