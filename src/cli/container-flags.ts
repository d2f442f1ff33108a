// The flags `run` and `create` share (docker's addFlags in cli/command/container/opts.go), limited
// to the container/networking options tether supports; usage texts are docker's. Parsing the
// values into an API body is container-config.ts.

import type { FlagSpec } from './args.js';
import {
  validateAttach,
  validateDNSSearch,
  validateEnv,
  validateExtraHost,
  validateIPAddress,
  validateLabel,
  validateLink,
} from './validators.js';

/** Flags of `create` that are not container options (run has these plus detach & co). */
export const CREATE_ONLY_FLAGS: FlagSpec[] = [
  { name: 'name', kind: 'string', usage: 'Assign a name to the container' },
  { name: 'pull', kind: 'string', default: 'missing', usage: 'Pull image before creating ("always", "|missing", "never")' },
  { name: 'quiet', short: 'q', kind: 'bool', usage: 'Suppress the pull output' },
];

export const RUN_ONLY_FLAGS: FlagSpec[] = [
  { name: 'detach', short: 'd', kind: 'bool', usage: 'Run container in background and print container ID' },
  { name: 'sig-proxy', kind: 'bool', default: true, usage: 'Proxy received signals to the process' },
  { name: 'name', kind: 'string', usage: 'Assign a name to the container' },
  { name: 'detach-keys', kind: 'string', usage: 'Override the key sequence for detaching a container' },
  { name: 'pull', kind: 'string', default: 'missing', usage: 'Pull image before running ("always", "missing", "never")' },
  { name: 'quiet', short: 'q', kind: 'bool', usage: 'Suppress the pull output' },
];

export const CONTAINER_FLAGS: FlagSpec[] = [
  { name: 'attach', short: 'a', kind: 'list', usage: 'Attach to STDIN, STDOUT or STDERR', validate: validateAttach },
  { name: 'env', short: 'e', kind: 'list', usage: 'Set environment variables', validate: validateEnv },
  { name: 'env-file', kind: 'list', usage: 'Read in a file of environment variables' },
  { name: 'entrypoint', kind: 'string', usage: 'Overwrite the default ENTRYPOINT of the image' },
  { name: 'hostname', short: 'h', kind: 'string', usage: 'Container host name' },
  { name: 'domainname', kind: 'string', usage: 'Container NIS domain name' },
  { name: 'interactive', short: 'i', kind: 'bool', usage: 'Keep STDIN open even if not attached' },
  { name: 'label', short: 'l', kind: 'list', usage: 'Set meta data on a container', validate: validateLabel },
  { name: 'restart', kind: 'string', default: 'no', usage: 'Restart policy to apply when a container exits' },
  { name: 'stop-signal', kind: 'string', usage: 'Signal to stop the container' },
  { name: 'stop-timeout', kind: 'int', usage: 'Timeout (in seconds) to stop a container' },
  { name: 'tty', short: 't', kind: 'bool', usage: 'Allocate a pseudo-TTY' },
  { name: 'user', short: 'u', kind: 'string', usage: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  { name: 'workdir', short: 'w', kind: 'string', usage: 'Working directory inside the container' },
  {
    name: 'rm',
    kind: 'bool',
    usage: 'Automatically remove the container and its associated anonymous volumes when it exits',
  },
  { name: 'cap-add', kind: 'list', usage: 'Add Linux capabilities' },
  { name: 'cap-drop', kind: 'list', usage: 'Drop Linux capabilities' },
  { name: 'privileged', kind: 'bool', usage: 'Give extended privileges to this container' },
  { name: 'add-host', kind: 'list', usage: 'Add a custom host-to-IP mapping (host:ip)', validate: validateExtraHost },
  { name: 'dns', kind: 'list', usage: 'Set custom DNS servers', validate: validateIPAddress },
  { name: 'dns-opt', kind: 'list', usage: 'Set DNS options', hidden: true },
  { name: 'dns-option', kind: 'list', usage: 'Set DNS options' },
  { name: 'dns-search', kind: 'list', usage: 'Set custom DNS search domains', validate: validateDNSSearch },
  { name: 'expose', kind: 'list', usage: 'Expose a port or a range of ports' },
  { name: 'ip', kind: 'string', usage: 'IPv4 address (e.g., 172.30.100.104)' },
  { name: 'ip6', kind: 'string', usage: 'IPv6 address (e.g., 2001:db8::33)' },
  { name: 'link', kind: 'list', usage: 'Add link to another container', validate: validateLink },
  { name: 'link-local-ip', kind: 'list', usage: 'Container IPv4/IPv6 link-local addresses' },
  { name: 'mac-address', kind: 'string', usage: 'Container MAC address (e.g., 92:d0:c6:0a:29:33)' },
  { name: 'publish', short: 'p', kind: 'list', usage: "Publish a container's port(s) to the host" },
  { name: 'publish-all', short: 'P', kind: 'bool', usage: 'Publish all exposed ports to random ports' },
  { name: 'net', kind: 'list', usage: 'Connect a container to a network', hidden: true },
  { name: 'network', kind: 'list', usage: 'Connect a container to a network' },
  { name: 'net-alias', kind: 'list', usage: 'Add network-scoped alias for the container', hidden: true },
  { name: 'network-alias', kind: 'list', usage: 'Add network-scoped alias for the container' },
  { name: 'runtime', kind: 'string', usage: 'Runtime to use for this container' },
  { name: 'init', kind: 'bool', usage: 'Run an init inside the container that forwards signals and reaps processes' },
];
