"""An A/B campaign in a real browser: a staff member writes the test on the campaign's form (share, metric, wait,
variant B's subject), the test share goes out, the campaign's page shows each variant's figures, and a button
sends variant B to the rest; each recipient receives one message at the loopback SMTP server."""

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_backoffice import insecure_cookies, log_in  # noqa: F401 (a fixture)
from tests.campaigns.builders import audience, create_campaign, send, start
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_an_ab_test_watch_it_and_choose_the_winner(
    live_server,
    page,
    admin_user,
    api,
    insecure_cookies,  # noqa: F811
    smtp_server,  # noqa: F811
):
    list_id, emails = audience(api, 20)
    campaign_id = create_campaign(api, [list_id], subject="Spring sale")
    log_in(page, live_server.url)
    change = f"{live_server.url}/admin/campaigns/campaign/{campaign_id}/change/"
    page.goto(change)
    page.locator("fieldset.collapse summary, fieldset.collapse h2 a").first.click()  # the A/B section opens
    page.fill("#id_ab_test_share", "50")
    page.select_option("#id_ab_winner_metric", "uniqueClicks")
    page.fill("#id_ab_wait_minutes", "120")
    page.fill("#id_ab_b_subject", "Last days of the sale")
    page.fill("#id_ab_b_from_name", "The Shop Team")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    assert page.input_value("#id_ab_b_subject") == "Last days of the sale"
    assert page.input_value("#id_ab_test_share") == "50"

    start(api, campaign_id)
    send()
    assert len(smtp_server.deliveries) == 10
    page.goto(change)
    shown = page.inner_text(".field-ab_results")
    assert "waiting · 50 % tested (10 recipients, 10 held) · winner by uniqueClicks after 120 minutes" in shown, shown
    assert "Last days of the sale" in shown
    page.set_viewport_size({"width": 1280, "height": 1100})
    page.locator(".field-ab_results").scroll_into_view_if_needed()
    screenshot(page, "backoffice-campaign-ab-test")

    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("button[form=campaign-winner-form][value=B]").evaluate(
            "button => button.form.requestSubmit(button)"
        )
    assert "Variant B wins: it goes to the rest of the recipients." in page.inner_text(".messagelist")
    send()
    assert smtp_server.per_recipient() == dict.fromkeys(emails, 1)
    subjects = [d.parsed()["Subject"] for d in smtp_server.deliveries]
    assert subjects.count("Last days of the sale") == 15 and subjects.count("Spring sale") == 5
    page.goto(change)
    assert "B (winner)" in page.inner_text(".field-ab_results")
    assert not page.locator("button[form=campaign-winner-form]").count()
