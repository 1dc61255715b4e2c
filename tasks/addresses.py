"""Which IP addresses an outgoing request (a task callback) may reach: public unicast ones only.

``ipaddress.is_global`` alone is not enough, and its answers change between Python versions: on 3.11 it
calls multicast (224.0.0.1, ff0e::1), site-local (fec0::/10) and IPv6 addresses that carry a loopback or
private IPv4 (``::127.0.0.1``, ``64:ff9b::127.0.0.1``, ``2002:7f00:1::``, ``::ffff:0:7f00:1``) global.
So the IPv6 forms that carry an IPv4 are judged here first, by that IPv4:

- IPv4-mapped ``::ffff:0:0/96``, NAT64's well-known prefix ``64:ff9b::/96`` (RFC 6052) and 6to4
  ``2002::/16`` (RFC 3056) reach the IPv4 they carry: allowed when that IPv4 is;
- IPv4-compatible ``::/96`` (deprecated, RFC 4291), IPv4-translated ``::ffff:0:0:0/96`` (RFC 2765), NAT64's
  local-use prefix ``64:ff9b:1::/48`` (RFC 8215, never globally reachable) and Teredo ``2001::/32`` (a
  tunnel whose far end the address only hides) are refused outright;

then any address that is not global, or is multicast, unspecified, reserved or site-local, is refused.
"""

import ipaddress

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

REFUSED_V6 = tuple(ipaddress.ip_network(net) for net in ("::/96", "::ffff:0:0:0/96", "64:ff9b:1::/48", "2001::/32"))
NAT64 = ipaddress.ip_network("64:ff9b::/96")
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in SIX_TO_FOUR:
        return ip.sixtofour
    return None


def _public(ip: Address) -> bool:
    if ip.version == 6:
        if any(ip in net for net in REFUSED_V6):
            return False
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return _public(embedded)
        if ip.is_site_local:
            return False
    return ip.is_global and not (ip.is_multicast or ip.is_unspecified or ip.is_reserved)


def is_public(address: str) -> bool:
    """True when ``address`` (an IPv4 or IPv6 literal, an IPv6 scope allowed) is a public unicast address."""
    return _public(ipaddress.ip_address(address.split("%", 1)[0]))
