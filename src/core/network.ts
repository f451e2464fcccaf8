/**
 * The network a client address belongs to, as abuse limits key it: an IPv4 address as itself, an
 * IPv6 address as its /64 (one subscriber usually holds a whole /64, so keying on the full address
 * would give each of them 2^64 keys). IPv4-mapped IPv6 addresses count as IPv4. Text that is not an
 * address is returned lowercased, so it still keys consistently.
 */
export function networkOf(address: string): string {
  const ip = address.trim().toLowerCase().split('%')[0]
  if (!ip.includes(':')) return ip
  const groups = expandIpv6(ip)
  if (!groups) return ip
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 255, groups[7] >> 8, groups[7] & 255].join('.')
  }
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a dotted IPv4 tail converted), or undefined. */
function expandIpv6(ip: string): number[] | undefined {
  let text = ip
  const tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)
  if (tail) {
    const bytes = tail.slice(1).map(Number)
    if (bytes.some((byte) => byte > 255)) return undefined
    text = `${text.slice(0, tail.index)}${((bytes[0] << 8) | bytes[1]).toString(16)}:${((bytes[2] << 8) | bytes[3]).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const parse = (part: string) => (part ? part.split(':') : [])
  const head = parse(halves[0])
  const rest = halves.length === 2 ? parse(halves[1]) : []
  const missing = 8 - head.length - rest.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  const all = [...head, ...Array<string>(missing).fill('0'), ...rest]
  if (!all.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined
  return all.map((group) => parseInt(group, 16))
}
