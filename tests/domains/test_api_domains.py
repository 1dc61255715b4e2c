"""Sending domains on both surfaces: add (a key pair, the records to publish), read, verify against the loopback
DNS server, delete; problems; isolation."""

import base64

from cryptography.hazmat.primitives import serialization

from domains.keys import private_key, unseal
from domains.models import SendingDomain
from tests.domains.builders import V1, add_domain, verified_domain
from tests.helpers import assert_hypermedia, assert_problem, links_by_rel


def home(owner) -> str:
    return f"/accounts/{owner.name}/domains"


def test_adding_a_domain_makes_a_key_pair_and_shows_the_records_to_publish(api, owner, settings):
    settings.SPF_INCLUDE = "_spf.relay.example.net"
    response = api.post(home(owner), {"domain": " Shop.Example.COM. "})
    assert_hypermedia(response, 201, "message")
    body = assert_hypermedia(api.get(response["Location"]), 200, "domain")
    assert (body["domain"], body["status"], body["checkedAt"], body["verifiedAt"]) == (
        "shop.example.com",
        "pending",
        None,
        None,
    )
    assert body["selector"].startswith("em") and len(body["selector"]) == 10
    dkim, spf = body["dnsRecords"]
    assert (dkim["purpose"], dkim["type"], dkim["name"], dkim["check"]) == (
        "dkim",
        "TXT",
        f"{body['selector']}._domainkey.shop.example.com",
        "unchecked",
    )
    assert spf == {
        "purpose": "spf",
        "type": "TXT",
        "name": "shop.example.com",
        "value": "v=spf1 include:_spf.relay.example.net ~all",
        "check": "unchecked",
        "detail": None,
    }
    # The published key is the public half of the stored one, an RSA 2048 key sealed at rest.
    row = SendingDomain.objects.get(pk=body["domainId"])
    assert b"PRIVATE KEY" not in row.private_key.encode() and row.private_key.startswith("v1:")
    key = private_key(row.private_key)
    assert key.key_size == 2048
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert dkim["value"] == "v=DKIM1; k=rsa; p=" + base64.b64encode(public).decode()
    assert b"BEGIN PRIVATE KEY" in unseal(row.private_key)
    assert row.private_key not in str(body) and "PRIVATE" not in str(body)
    rels = {rel for item in body["_links"] for rel in item["rel"].split()}
    assert {"self", "/rels/verify-domain", "/rels/delete-domain", "/rels/domains-collection"} <= rels


def test_the_collections_of_both_surfaces(api, owner):
    add_domain(api, "a.example.com")
    add_domain(api, "b.example.com")
    page = assert_hypermedia(api.get(home(owner)), 200, "domains-collection")
    assert [item["domain"] for item in page["items"]] == ["a.example.com", "b.example.com"]
    assert links_by_rel(page, "/rels/create-domain")
    v1 = assert_hypermedia(api.get(f"{V1}?sort_by=domain&order=desc"), 200, "domains-page")
    assert [item["domain"] for item in v1["items"]] == ["b.example.com", "a.example.com"]


def test_bad_and_duplicated_names_are_refused(api, owner):
    for bad in ("", "localhost", "exa mple.com", "-x.example.com", "127.0.0.1", "a" * 64 + ".com", "x.123"):
        body = assert_problem(api.post(V1, {"domain": bad}), 400)
        assert body["type"] in ("/errors/400.2-validation-error", "/errors/400.24-missing-data"), body
    assert_problem(api.post(V1, {}), 400)
    add_domain(api, "shop.example.com")
    assert_problem(api.post(home(owner), {"domain": "SHOP.example.com"}), 400, "/errors/400.38-duplicated-name")
    assert add_domain(api, "bücher.example")["domain"] == "xn--bcher-kva.example"


def test_verify_passes_once_the_dkim_record_is_published(api, owner, dns_server):
    domain = add_domain(api)
    verify = f"{V1}/{domain['domainId']}/verify"
    failed = assert_hypermedia(api.post(verify), 200, "domain")
    assert (failed["status"], failed["verifiedAt"]) == ("failed", None) and failed["checkedAt"]
    assert [(r["purpose"], r["check"]) for r in failed["dnsRecords"]] == [("dkim", "failed"), ("spf", "failed")]
    assert "does not exist" in failed["dnsRecords"][0]["detail"]
    dns_server.publish(domain)  # the DKIM value is split into 255-character strings, as DNS holds it
    passed = assert_hypermedia(api.post(f"{home(owner)}/{domain['domainId']}/verify"), 200, "domain")
    assert passed["status"] == "verified" and passed["verifiedAt"]
    assert [(r["purpose"], r["check"]) for r in passed["dnsRecords"]] == [("dkim", "passed"), ("spf", "passed")]
    assert f"{domain['selector']}._domainkey.shop.example.com" in dns_server.queries
    # Another key at the selector: no longer verified.
    name = domain["dnsRecords"][0]["name"]
    dns_server.txt[name] = ["v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAother"]
    again = assert_hypermedia(api.post(verify), 200, "domain")
    assert (again["status"], again["verifiedAt"], again["dnsRecords"][0]["detail"]) == (
        "failed",
        None,
        f"{name} publishes another key",
    )


def test_spf_is_reported_not_required(api, dns_server, settings):
    settings.SPF_INCLUDE = "_spf.relay.example.net"
    domain = add_domain(api)
    dns_server.txt[domain["dnsRecords"][0]["name"]] = [domain["dnsRecords"][0]["value"]]
    dns_server.txt["shop.example.com"] = ["v=spf1 mx -all"]
    body = assert_hypermedia(api.post(f"{V1}/{domain['domainId']}/verify"), 200, "domain")
    assert body["status"] == "verified"
    spf = body["dnsRecords"][1]
    assert spf["check"] == "failed" and "include:_spf.relay.example.net" in spf["detail"]


def test_a_resolver_that_does_not_answer_fails_the_check(api, settings):
    settings.DNS_NAMESERVERS, settings.DNS_PORT, settings.DNS_TIMEOUT_SECONDS = ["127.0.0.1"], 9, 0.3
    domain = add_domain(api)
    body = assert_hypermedia(api.post(f"{V1}/{domain['domainId']}/verify"), 200, "domain")
    assert body["status"] == "failed" and "timed out" in body["dnsRecords"][0]["detail"]


def test_delete_on_both_surfaces(api, owner):
    first, second = add_domain(api, "a.example.com"), add_domain(api, "b.example.com")
    assert_hypermedia(api.delete(f"{home(owner)}/{first['domainId']}"), 200, "message")
    assert api.delete(f"{V1}/{second['domainId']}").status_code == 204
    assert not SendingDomain.objects.exists()
    assert_problem(api.get(f"{V1}/{first['domainId']}"), 404)


def test_another_account_sees_none_of_them(api, owner, other, client_for, dns_server):
    domain = verified_domain(api, dns_server)
    theirs = client_for(other)
    for path in (f"{V1}/{domain['domainId']}", f"/accounts/{other.name}/domains/{domain['domainId']}"):
        assert_problem(theirs.get(path), 404)
        assert_problem(theirs.post(f"{path}/verify"), 404)
        assert_problem(theirs.delete(path), 404)
    assert_problem(theirs.get(f"{home(owner)}/{domain['domainId']}"), 403)
    assert assert_hypermedia(theirs.get(V1), 200, "domains-page")["items"] == []
    assert SendingDomain.objects.filter(pk=domain["domainId"]).exists()
