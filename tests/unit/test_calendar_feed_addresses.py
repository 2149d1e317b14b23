"""Which addresses a feed may be fetched from: only public ones, also when a private IPv4
address hides inside an IPv6 one (mapped, 6to4, Teredo, NAT64, IPv4-compatible)."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from services.calendar.safe_fetch import BoundedBody, FetchError, is_public_address

SPECIAL_NETWORKS = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::/96",
    "::ffff:0:0/96",
    "64:ff9b::/96",
    "64:ff9b:1::/48",
    "2001::/32",
    "2001:db8::/32",
    "fc00::/7",
    "fe80::/10",
    "fec0::/10",
    "ff00::/8",
]

PRIVATE_V4 = [
    ipaddress.IPv4Network(network)
    for network in SPECIAL_NETWORKS
    if ipaddress.ip_network(network).version == 4
]


@st.composite
def inside(draw: st.DrawFn, networks: list[str]) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    network = ipaddress.ip_network(draw(st.sampled_from(networks)))
    offset = draw(st.integers(0, network.num_addresses - 1))
    return network[offset]


private_v4 = inside([str(network) for network in PRIVATE_V4]).map(
    lambda a: ipaddress.IPv4Address(int(a))
)


@given(inside(SPECIAL_NETWORKS))
def test_no_address_of_a_special_range_is_public(address: ipaddress.IPv4Address) -> None:
    assert not is_public_address(address)


@given(private_v4, st.integers(0, 2**16 - 1), st.integers(0, 2**32 - 1))
def test_a_private_ipv4_address_inside_an_ipv6_address_is_not_public(
    private: ipaddress.IPv4Address, subnet: int, server: int
) -> None:
    v4 = int(private)
    embeddings = [
        (0xFFFF << 32) | v4,  # IPv4-mapped
        v4,  # IPv4-compatible
        (0x2002 << 112) | (v4 << 80) | (subnet << 64) | 1,  # 6to4
        (0x0064FF9B << 96) | v4,  # NAT64, well-known prefix
        (0x0064FF9B0001 << 80) | v4,  # NAT64, local-use prefix
        # Teredo: the client's address is stored inverted
        (0x20010000 << 96) | (server << 64) | (v4 ^ 0xFFFFFFFF),
    ]
    for embedded in embeddings:
        assert not is_public_address(ipaddress.IPv6Address(embedded)), hex(embedded)


def test_public_addresses_are_fetched_from() -> None:
    for text in ("8.8.8.8", "93.184.216.34", "2a00:1450:4001::1", "2002:808:808::1"):
        assert is_public_address(ipaddress.ip_address(text)), text


@given(st.binary(max_size=4096), st.integers(1024, 8192))
def test_an_uncompressed_body_is_taken_up_to_the_cap(data: bytes, cap: int) -> None:
    body = BoundedBody("identity", cap)
    try:
        body.add(data)
        assert body.finish() == data
    except FetchError:
        assert len(data) > cap
