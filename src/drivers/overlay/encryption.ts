// `--opt encrypted`: Docker encrypts an overlay's VXLAN traffic with IPsec ESP (XFRM). Neither
// ESP nor WireGuard, the other way to do it, exists on every kernel; traffic the user asked to
// be encrypted must never go out in clear, so the network is refused, naming what is missing —
// found by asking the kernel in a throwaway namespace, never assumed. Where the kernel has them,
// the design is in docs/overlay.md ("Encryption"); until it is built, the refusal
// says so.
import { randomBytes } from 'node:crypto';
import { internal, type TetherError } from '../../errors.js';
import type { Kernel } from '../../kernel/kernel.js';

/** An ESP security association with the AEAD Docker uses (AES-GCM), on loopback addresses. */
const ESP_SA = ['ip', 'xfrm', 'state', 'add', 'src', '127.0.0.1', 'dst', '127.0.0.2', 'proto', 'esp', 'spi', '0x100', 'mode', 'transport', 'aead', 'rfc4106(gcm(aes))'];

const firstLine = (text: string): string => text.trim().split('\n')[0] ?? '';

/** Why this kernel cannot carry an encrypted overlay (always a refusal: see the header). */
export async function encryptionRefusal(kernel: Kernel): Promise<TetherError> {
  const ns = await kernel.netnsCreate();
  try {
    const esp = await kernel.runIn(ns.path, [...ESP_SA, `0x${randomBytes(20).toString('hex')}`, '128']);
    const wg = await kernel.runIn(ns.path, ['ip', 'link', 'add', 'tether-wg', 'type', 'wireguard']);
    if (esp.code !== 0 && wg.code !== 0) {
      return internal(
        `--opt encrypted needs IPsec ESP (XFRM with AES-GCM: "${firstLine(esp.stderr)}") or WireGuard ("${firstLine(wg.stderr)}"), and this kernel has neither: ` +
          'an encrypted overlay network cannot be created on this host',
      );
    }
    return internal(`--opt encrypted: encrypted overlay networks are not implemented by this version of tetherd (this kernel has ${esp.code === 0 ? 'IPsec ESP' : 'WireGuard'})`);
  } finally {
    ns.close();
  }
}
