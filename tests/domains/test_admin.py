"""The back office's sending domains: added through the service, the records to copy, the verify button."""

from domains.models import SendingDomain
from tests.domains.builders import add_domain

URL = "/admin/domains/sendingdomain/"


def test_add_shows_the_records_and_verifies(api, owner, admin_client, dns_server):
    response = admin_client.post(f"{URL}add/", {"account": owner.account.pk, "name": "News.Example.com"})
    assert response.status_code == 302, response.content[:2000]
    domain = SendingDomain.objects.get(account=owner.account)
    assert domain.name == "news.example.com" and domain.private_key.startswith("v1:")
    page = admin_client.get(f"{URL}{domain.pk}/change/").content.decode()
    assert f"{domain.selector}._domainkey.news.example.com" in page and "v=DKIM1; k=rsa; p=" in page
    assert "PRIVATE KEY" not in page and domain.private_key not in page
    dns_server.txt[f"{domain.selector}._domainkey.news.example.com"] = [f"v=DKIM1; k=rsa; p={domain.public_key}"]
    response = admin_client.post(f"{URL}{domain.pk}/change/", {"_verify": "1"}, follow=True)
    assert "news.example.com: verified." in response.content.decode().lower()
    assert SendingDomain.objects.get(pk=domain.pk).status == "verified"
    assert "news.example.com" in admin_client.get(URL).content.decode()


def test_a_bad_or_duplicated_name_shows_on_the_form_and_the_verify_action(api, owner, admin_client, dns_server):
    add_domain(api, "shop.example.com")
    for name in ("not a domain", "shop.example.com"):
        response = admin_client.post(f"{URL}add/", {"account": owner.account.pk, "name": name})
        assert response.status_code == 200 and "errorlist" in response.content.decode()
    ids = list(SendingDomain.objects.values_list("pk", flat=True))
    response = admin_client.post(URL, {"action": "verify_domains", "_selected_action": ids}, follow=True)
    assert "Checked 1 domain(s)." in response.content.decode()
    assert SendingDomain.objects.get().status == "failed"
