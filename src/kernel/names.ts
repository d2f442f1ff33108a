// Values that enter an `ip` batch line or an nft ruleset are checked here first: a batch line
// is split on whitespace by iproute2, so a name with a space or a newline would become another
// command. Every builder in kernel/ calls these before it emits text.
import { invalid } from '../errors.js';

const IFNAME = /^[A-Za-z0-9_.@-]{1,15}$/;
const TOKEN = /^[A-Za-z0-9_.:/@%+,=-]+$/;

export function ifname(name: string): string {
  if (!IFNAME.test(name) || name === '.' || name === '..') {
    throw invalid(`invalid interface name ${JSON.stringify(name)}`, 'kernel.ifname');
  }
  return name;
}

/** A generic token for ip/nft text: addresses, CIDRs, numbers, MACs, paths without spaces. */
export function token(value: string | number): string {
  const s = String(value);
  if (!TOKEN.test(s)) throw invalid(`invalid kernel argument ${JSON.stringify(s)}`, 'kernel.token');
  return s;
}
