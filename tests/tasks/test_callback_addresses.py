"""Which addresses a callback may reach: public unicast ones only, whatever way an IPv6 address carries an IPv4 one."""

import socket

import pytest

from tasks.addresses import is_public
from tests.helpers import assert_problem
from tests.subscribers.builders import create_list
from tests.tasks.builders import json_body, post_import

REFUSED = "/errors/400.41-callback-refused"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "169.254.169.254",
        "0.0.0.0",
        "224.0.0.1",  # multicast: ipaddress calls it global
        "239.255.255.250",
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fec0::1",  # site-local, deprecated: ipaddress calls it global
        "ff02::1",  # multicast: ipaddress calls it global
        "ff0e::1",
        "2001:db8::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "::127.0.0.1",  # IPv4-compatible (deprecated): ipaddress calls it global
        "::8.8.8.8",  # IPv4-compatible, whatever the IPv4
        "::ffff:0:7f00:1",  # IPv4-translated (SIIT) 127.0.0.1: ipaddress calls it global
        "64:ff9b::127.0.0.1",  # NAT64 well-known prefix: ipaddress calls it global
        "64:ff9b::a00:1",  # 10.0.0.1
        "64:ff9b::e000:1",  # 224.0.0.1
        "64:ff9b:1::7f00:1",  # NAT64 local-use prefix: never public
        "64:ff9b:1::808:808",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1: ipaddress calls it global
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2002:e000:1::1",  # 6to4 of 224.0.0.1
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo: a tunnel whose end cannot be checked
        "2001::1",
        "fe80::1%lo",
    ],
)
def test_non_public_addresses_are_refused(address):
    assert not is_public(address)


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"],
)
def test_public_addresses_are_allowed(address):
    assert is_public(address)


@pytest.mark.parametrize(
    "url",
    [
        "http://[::127.0.0.1]/x",
        "http://[64:ff9b::127.0.0.1]/x",
        "http://[64:ff9b:1::7f00:1]/x",
        "http://[2002:7f00:1::]/x",
        "http://[::ffff:0:7f00:1]/x",
        "http://224.0.0.1/x",
        "http://[ff0e::1]/x",
        "http://240.0.0.1/x",
    ],
)
def test_embedded_and_multicast_addresses_are_refused_at_submission(api, settings, url):
    settings.CALLBACK_ALLOW_PRIVATE_ADDRESSES = False
    list_id = create_list(api, "Target")
    response = post_import(api, list_id, json_body([["email"]], callback=url), "application/json")
    assert_problem(response, 400, REFUSED, 41)


def test_the_refusal_does_not_say_what_the_host_resolved_to(api, settings, monkeypatch, caplog):
    settings.CALLBACK_ALLOW_PRIVATE_ADDRESSES = False
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "intranet.example":  # an internal name: only the server may know where it points
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    list_id = create_list(api, "Target")
    hosts = {"http://intranet.example/hook": ["10.20.30.40"], "http://localhost:8000/x": ["127.0.0.1", "::1"]}
    for url, secrets in hosts.items():
        with caplog.at_level("INFO", logger="tasks"):
            response = post_import(api, list_id, json_body([["email"]], callback=url), "application/json")
        body = assert_problem(response, 400, REFUSED, 41)
        assert "refused" in body["detail"]
        for secret in secrets:
            assert secret not in response.content.decode(), body
    assert "10.20.30.40" in caplog.text  # the server's log keeps it


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com:99999/hook",
        "http://example.com:abc/hook",
        "http://[::1/hook",
        "http://a..b/hook",
        f"http://{'x' * 64}.example.com/hook",
    ],
)
def test_a_malformed_callback_url_is_refused_not_a_500(api, settings, url):
    settings.CALLBACK_ALLOW_PRIVATE_ADDRESSES = False
    list_id = create_list(api, "Target")
    response = post_import(api, list_id, json_body([["email"]], callback=url), "application/json")
    assert_problem(response, 400, REFUSED, 41)
