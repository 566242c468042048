"""The SSRF-safe client: no request ever reaches a private, loopback, link-local or metadata
address unless loopback is explicitly allowed; DNS is faked, so nothing leaves the machine."""

import socket

import httpx
import pytest

from brands.scrape.http import FetchFailed, OutboundRefused, SafeClient, safe_get

PUBLIC_IP = "93.184.216.34"


def fake_resolver(table):
    """A getaddrinfo stand-in: host → list of addresses."""

    def resolve(host, port, type=0, **_kwargs):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "",
             (ip, port))
            for ip in table[host]
        ]

    return resolve


class Recorder:
    """A socket-free transport that records what the safe client would have sent."""

    def __init__(self, responder=None):
        self.requests: list[httpx.Request] = []
        self.responder = responder or (lambda request: httpx.Response(200, text="ok"))

    def __call__(self, request):
        self.requests.append(request)
        return self.responder(request)


def client_with(table, recorder, **kwargs):
    return SafeClient(resolver=fake_resolver(table), allow_loopback=False,
                      transport=httpx.MockTransport(recorder), **kwargs)


@pytest.mark.parametrize("url, reason", [
    ("http://127.0.0.1/", "loopback"),
    ("http://10.1.2.3/admin", "private"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://[::1]:8080/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://192.168.1.1/", "private"),
    ("http://100.100.100.200/", "metadata"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[fd00:ec2::254]/", "metadata"),
])
def test_private_literal_addresses_are_refused(url, reason):
    recorder = Recorder()
    with client_with({}, recorder) as client, pytest.raises(OutboundRefused) as excinfo:
        client.get(url)
    assert reason in excinfo.value.reason
    assert recorder.requests == []  # nothing was sent


@pytest.mark.parametrize("addresses", [
    ["127.0.0.1"], ["10.0.0.7"], ["169.254.169.254"], ["::1"],
])
def test_names_resolving_to_private_addresses_are_refused(addresses):
    recorder = Recorder()
    with client_with({"internal.example": addresses}, recorder) as client, \
            pytest.raises(OutboundRefused) as excinfo:
        client.get("http://internal.example/")
    assert "internal.example refused" in excinfo.value.reason
    assert recorder.requests == []


def test_a_name_with_one_public_and_one_private_address_is_refused():
    recorder = Recorder()
    table = {"mixed.example": [PUBLIC_IP, "10.0.0.1"]}
    with client_with(table, recorder) as client, pytest.raises(OutboundRefused) as excinfo:
        client.get("https://mixed.example/")
    assert "10.0.0.1 is a private address" in excinfo.value.reason
    assert recorder.requests == []


def test_a_redirect_to_a_private_address_is_refused_after_the_first_hop():
    def responder(request):
        return httpx.Response(302, headers={"Location": "http://10.0.0.9/secret"})

    recorder = Recorder(responder)
    with client_with({"public.example": [PUBLIC_IP]}, recorder) as client, \
            pytest.raises(OutboundRefused) as excinfo:
        client.get("http://public.example/start")
    assert "10.0.0.9" in excinfo.value.reason
    assert [str(r.url) for r in recorder.requests] == [f"http://{PUBLIC_IP}/start"]


def test_a_redirect_to_a_name_that_resolves_privately_is_refused():
    recorder = Recorder(lambda r: httpx.Response(301, headers={"Location": "http://evil.example/"}))
    table = {"public.example": [PUBLIC_IP], "evil.example": ["169.254.169.254"]}
    with client_with(table, recorder) as client, pytest.raises(OutboundRefused):
        client.get("http://public.example/")
    assert len(recorder.requests) == 1


def test_the_connection_goes_to_the_vetted_ip_with_the_original_host_and_sni():
    recorder = Recorder()
    with client_with({"shop.example": [PUBLIC_IP]}, recorder) as client:
        response = client.get("https://shop.example/products.json")
    assert response.status == 200
    sent = recorder.requests[0]
    assert sent.url.host == PUBLIC_IP  # pinned: no second DNS lookup can change the target
    assert sent.headers["host"] == "shop.example"
    assert sent.extensions["sni_hostname"] == "shop.example"
    assert sent.headers["user-agent"].startswith("CreativeStudioBot/")


def test_redirects_are_capped():
    recorder = Recorder(lambda r: httpx.Response(302, headers={"Location": "/again"}))
    with client_with({"loop.example": [PUBLIC_IP]}, recorder, max_redirects=3) as client, \
            pytest.raises(OutboundRefused, match="more than 3 redirects"):
        client.get("http://loop.example/")
    assert len(recorder.requests) == 4


def test_responses_larger_than_the_cap_fail_permanently():
    recorder = Recorder(lambda r: httpx.Response(200, content=b"x" * 50_000))
    with client_with({"big.example": [PUBLIC_IP]}, recorder) as client, \
            pytest.raises(FetchFailed) as excinfo:
        client.get("http://big.example/", max_bytes=10_000)
    assert excinfo.value.retryable is False
    assert "larger than 10000 bytes" in excinfo.value.reason


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/", "gopher://x/",
                                 "http://user:pw@public.example/"])
def test_non_http_urls_and_credentials_are_refused(url):
    recorder = Recorder()
    with client_with({"public.example": [PUBLIC_IP]}, recorder) as client, \
            pytest.raises(OutboundRefused):
        client.get(url)
    assert recorder.requests == []


def test_unresolvable_names_fail_as_retryable():
    with client_with({}, Recorder()) as client, pytest.raises(FetchFailed) as excinfo:
        client.get("http://nowhere.example/")
    assert excinfo.value.retryable is True


def test_loopback_is_refused_by_default_even_for_a_real_local_server(fixture_sites, settings):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = False
    with pytest.raises(OutboundRefused, match="loopback"):
        safe_get(fixture_sites["saas"])


def test_loopback_is_reachable_only_when_the_setting_allows_it(fixture_sites, settings):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = True
    response = safe_get(fixture_sites["saas"])
    assert response.status == 200
    assert "Flowbase" in response.text
    # Allowing loopback never opens private ranges or metadata.
    with pytest.raises(OutboundRefused, match="metadata"):
        safe_get("http://169.254.169.254/")
    with pytest.raises(OutboundRefused, match="private"):
        safe_get("http://10.0.0.1/")


def test_robots_txt_is_honoured(fixture_sites, settings):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = True
    with SafeClient() as client:
        assert client.get(fixture_sites["shopify"] + "pages/about", check_robots=True).status \
            == 200
        with pytest.raises(OutboundRefused, match=r"robots\.txt"):
            client.get(fixture_sites["shopify"] + "pages/wholesale", check_robots=True)


def test_slow_responses_time_out_as_retryable(fixture_sites, settings):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = True
    with SafeClient(timeout=0.3) as client, pytest.raises(FetchFailed) as excinfo:
        client.get(fixture_sites["broken"] + "style.css")
    assert excinfo.value.retryable is True
    assert "timed out" in excinfo.value.reason
