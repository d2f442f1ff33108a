// github.com/docker/go-units as the docker CLI prints sizes and ages: HumanDuration ("2 hours"),
// HumanSize / HumanSizeWithPrecision (decimal units, Go's %.*g formatting: "1.98MB", "0B").

/** Go's fmt %.{p}g: p significant digits, trailing zeros dropped, exponent form for large/small values. */
export function goFormatG(x: number, p: number): string {
  if (x === 0) return '0';
  const [mant, expText] = x.toExponential(p - 1).split('e') as [string, string];
  const exp = Number(expText);
  const trim = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= p) return `${trim(mant)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return trim(x.toFixed(Math.max(0, p - 1 - exp)));
}

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

export function humanSizeWithPrecision(size: number, precision: number): string {
  let i = 0;
  while (size >= 1000 && i < DECIMAL.length - 1) {
    size /= 1000;
    i++;
  }
  return `${goFormatG(size, precision)}${DECIMAL[i]}`;
}

export const humanSize = (size: number): string => humanSizeWithPrecision(size, 4);

/** units.HumanDuration for a duration in milliseconds. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  const minutes = Math.trunc(ms / 60000);
  const hours = Math.trunc(ms / 3600000 + 0.5);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3600000) / 24 / 365)} years`;
}

/** time.Unix(sec, 0).String() in the local zone: `2026-11-23 03:33:07 +0000 UTC`. */
export function goLocalTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const off = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60000);
  const iso = local.toISOString(); // shifted so its UTC fields read as local time
  const sign = off < 0 ? '-' : '+';
  const hhmm = `${String(Math.trunc(Math.abs(off) / 60)).padStart(2, '0')}${String(Math.abs(off) % 60).padStart(2, '0')}`;
  let zone = 'UTC';
  if (off !== 0) {
    const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName');
    zone = part && !part.value.startsWith('GMT') ? part.value : `${sign}${hhmm}`;
  }
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} ${sign}${hhmm} ${zone}`;
}
