"""Style search on Create: a spinner while it runs, results by display name without scores,
a click adds the result to the brief, and nonsense finds no match. The page loads without an
htmx console error."""

import pytest

from tests.browser import save_screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_clicking_a_style_search_result_fills_the_brief(live_server, page, owner, brand,
                                                        product, credits):
    console_errors = []
    page.on("console", lambda message: message.type == "error"
            and console_errors.append(f"{message.text} {message.location}"))
    page.on("requestfailed", lambda request: console_errors.append(
        f"failed {request.url} {request.failure}"))
    page.on("pageerror", lambda error: console_errors.append(f"uncaught {error}"))
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/create/")
    page.wait_for_load_state("networkidle")
    assert console_errors == []

    # The search may answer within milliseconds: record the spinner's state as it changes
    # rather than hope to catch it.
    page.evaluate("""() => {
        const spinner = document.querySelector('#style-spinner');
        window.spinnerShown = false;
        new MutationObserver(() => {
            if (spinner.classList.contains('htmx-request')) window.spinnerShown = true;
        }).observe(spinner, {attributes: true, attributeFilter: ['class']});
    }""")
    page.fill("input[name=style_search]", "warm honey drip on amber, minimal, slow")
    result = page.locator("#style-results button:has-text('Honey Drip')").first
    result.wait_for(timeout=60_000)
    assert page.evaluate("window.spinnerShown") is True
    text = page.inner_text("#style-results")
    assert "Motion" in text and "Animationprompt" not in text
    assert "0." not in text  # no raw similarity scores
    assert not page.is_checked("input[name=animation_prompts][value='Honey Drip']")

    result.click()

    assert page.is_checked("input[name=animation_prompts][value='Honey Drip']")
    assert "Added to the brief" in result.inner_text()
    save_screenshot(page, "create-style-search-1440")

    page.fill("input[name=style_search]", "qwxz vbnm plokij")
    page.wait_for_selector("#style-results:has-text('No match for')", timeout=60_000)
    assert page.locator("#style-results button").count() == 0
    assert console_errors == []


def test_the_price_says_what_to_fix_while_the_count_is_invalid(live_server, page, owner, brand,
                                                               product, credits):
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/create/")
    assert page.inner_text("#price strong") == "45"
    assert "of your 500 credits" in page.inner_text("#price")

    page.fill("input[name=count]", "50")
    page.wait_for_selector("#price:has-text('Choose from 1 to 10 concepts')")
    assert page.inner_text("#price strong") == "—"

    page.fill("input[name=count]", "2")
    page.wait_for_selector("#price strong:text-is('30')")
