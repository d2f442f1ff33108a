// `-o com.docker.network.driver.mtu`: Docker's key, parse and messages, for every driver that
// takes it.
import { invalid } from '../errors.js';

export const MTU_OPT = 'com.docker.network.driver.mtu';

/** The MTU a network asks for, or undefined; `code` names the driver's option error. */
export function parseMtu(value: string | undefined, code: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(value)) {
    throw invalid(`failed to parse ${MTU_OPT} value: ${value} (strconv.Atoi: parsing "${value}": invalid syntax)`, code);
  }
  const n = Number(value);
  if (n < 68 || n > 65535) throw invalid(`invalid MTU number: ${value}`, code);
  return n;
}
