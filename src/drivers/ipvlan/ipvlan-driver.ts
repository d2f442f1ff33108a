// ipvlan: containers share the parent's MAC (`-o parent=eth0`, `-o ipvlan_mode=l2|l3|l3s`,
// `-o ipvlan_flag=bridge|private|vepa`), as Docker's ipvlan driver. In l3 modes the parent routes,
// so the default route leaves by the device with no next hop. Where the kernel has no ipvlan
// module the probe fails and a create is refused with that reason (link-kinds.ts).
import { invalid } from '../../errors.js';
import type { IpLine } from '../../kernel/kernel.js';
import type { NetworkRecord } from '../../model/network.js';
import { subInterfaceDriver } from '../sub-interface-driver.js';

const MODE_OPT = 'ipvlan_mode';
const FLAG_OPT = 'ipvlan_flag';

function mode(net: Pick<NetworkRecord, 'options'>): string {
  const m = net.options[MODE_OPT] || 'l2';
  if (!['l2', 'l3', 'l3s'].includes(m)) throw invalid(`requested ipvlan mode '${m}' is not valid, 'l2' mode is the ipvlan driver default`, 'ipvlan.mode');
  return m;
}

export const ipvlanDriver = subInterfaceDriver({
  driver: 'ipvlan',
  standInPrefix: 'di-',
  ownMac: false,
  linkType(net): IpLine {
    const flag = net.options[FLAG_OPT] || 'bridge';
    if (!['bridge', 'private', 'vepa'].includes(flag)) throw invalid(`requested ipvlan flag '${flag}' is not valid, 'bridge' is the ipvlan driver default`, 'ipvlan.flag');
    return ['type', 'ipvlan', 'mode', mode(net), flag];
  },
  onLinkRoutes: (net) => mode(net) !== 'l2',
});
