// null (Docker's `none` network): a sandbox with loopback only, and no other network beside it.
import { noLinkDriver } from '../no-link.js';

export const nullDriver = noLinkDriver('null', 'loopback', 'none');
