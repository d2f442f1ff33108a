// host: containers use the host's own network stack; no sandbox, no address, no published ports.
import { noLinkDriver } from '../no-link.js';

export const hostDriver = noLinkDriver('host', 'host', 'host');
