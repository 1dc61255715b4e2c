"""Sending domains in tests: add one over the API, publish its records on the loopback DNS server, verify it."""

from tests.helpers import assert_hypermedia

V1 = "/api/v1/domains"


def add_domain(api, name: str = "shop.example.com") -> dict:
    return assert_hypermedia(api.post(V1, {"domain": name}), 201, "domain")


def verified_domain(api, dns_server, name: str = "shop.example.com") -> dict:
    """A domain added, its records published on ``dns_server`` and verified."""
    domain = add_domain(api, name)
    dns_server.publish(domain)
    body = assert_hypermedia(api.post(f"{V1}/{domain['domainId']}/verify"), 200, "domain")
    assert body["status"] == "verified", body["dnsRecords"]
    return body
