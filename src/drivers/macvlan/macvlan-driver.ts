// macvlan: each container gets a MAC of its own on the parent's segment (`-o parent=eth0`,
// `-o macvlan_mode=bridge|private|vepa|passthru`), as Docker's macvlan driver.
import { invalid } from '../../errors.js';
import type { IpLine } from '../../kernel/kernel.js';
import { subInterfaceDriver } from '../sub-interface-driver.js';

const MACVLAN_MODE_OPT = 'macvlan_mode';
const MODES = ['bridge', 'private', 'vepa', 'passthru'];

export const macvlanDriver = subInterfaceDriver({
  driver: 'macvlan',
  standInPrefix: 'dm-',
  ownMac: true,
  linkType(net): IpLine {
    const mode = net.options[MACVLAN_MODE_OPT] || 'bridge';
    if (!MODES.includes(mode)) throw invalid(`requested macvlan mode '${mode}' is not valid, 'bridge' mode is the macvlan driver default`, 'macvlan.mode');
    return ['type', 'macvlan', 'mode', mode];
  },
  onLinkRoutes: () => false,
});
