"""Trello provider error mapping, retries and redaction, with `responses` standing in for api.trello.com."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import responses

from collabsync.errors import AuthError, NotFoundError, ProviderError, RateLimitError, TransportError
from collabsync.model import Container, SectionSpec
from collabsync.providers.base import ProviderContext
from collabsync.providers.trello import TrelloProvider

KEY = "k3y0123456789abcdef0123456789abc"
TOKEN = "ATTAt0ken0123456789abcdef0123456789abcdef0123456789abcdef012345"
API = "https://api.trello.com/1"


@pytest.fixture
def sleeps() -> list[float]:
    """Back-off waits the session asked for (nothing really sleeps)."""
    return []


@pytest.fixture
def trello(tmp_path: Path, sleeps: list[float]) -> TrelloProvider:
    """A provider on the default base URL (https://api.trello.com/1), faked by `responses`."""
    provider = TrelloProvider("trello", {"api_key": KEY, "token": TOKEN}, ProviderContext(home=tmp_path))
    provider.session.sleep = sleeps.append  # type: ignore[attr-defined]
    return provider


def errors_of(exc: BaseException) -> str:
    """Everything a user could see of an error."""
    return f"{exc} | {exc!r} | {getattr(exc, 'cause', '')}"


@responses.activate
def test_key_and_token_travel_as_query_parameters(trello: TrelloProvider) -> None:
    responses.get(f"{API}/members/me", json={"username": "me", "fullName": "Me"})
    assert trello.check() == "Trello member @me (Me)"
    sent = responses.calls[0].request
    assert f"key={KEY}" in sent.url and f"token={TOKEN}" in sent.url


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ("invalid token", "invalid token (revoked, expired or not made for this key)"),
        (
            "expired token",
            "token expired; create a new token for this key and set it as the provider's token in the config file",
        ),
        ("invalid key", "invalid key (check api_key)"),
    ],
)
@responses.activate
def test_401_is_an_auth_error_naming_the_cause(trello: TrelloProvider, body: str, cause: str) -> None:
    responses.get(f"{API}/members/me", body=body, status=401, content_type="text/plain")
    with pytest.raises(AuthError) as err:
        trello.check()
    assert (str(err.value), err.value.status) == (f"trello: member me: {cause}", 401)


@responses.activate
def test_404_and_invalid_id_are_not_found(trello: TrelloProvider) -> None:
    responses.get(f"{API}/cards/{'a' * 24}", body="The requested resource was not found.", status=404)
    responses.get(f"{API}/cards/bogus", body="invalid id", status=400)
    with pytest.raises(NotFoundError, match=r"^trello: card a{24}: The requested resource was not found\.$"):
        trello.annotate("a" * 24, ["x"])
    with pytest.raises(NotFoundError, match=r"^trello: card bogus: invalid id \(no such object\)$") as err:
        trello.annotate("bogus", ["x"])
    assert err.value.status == 400


@responses.activate
def test_other_400_is_a_plain_provider_error(trello: TrelloProvider) -> None:
    responses.post(f"{API}/boards", body="invalid value for idOrganization", status=400)
    responses.get(f"{API}/members/me/boards", json=[])
    with pytest.raises(ProviderError) as err:
        trello.ensure_container("i", "Title", "", {})
    assert type(err.value) is ProviderError
    assert (err.value.cause, err.value.status, err.value.object) == (
        "invalid value for idOrganization",
        400,
        "board 'Title'",
    )


@responses.activate
def test_429_without_retry_after_backs_off_and_gives_up_bounded(trello: TrelloProvider, sleeps: list[float]) -> None:
    limited = {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
    for _ in range(4):
        responses.get(f"{API}/members/me", json=limited, status=429)
    with pytest.raises(RateLimitError, match="still rate limited after 3 retries"):
        trello.check()
    assert sleeps == [2.0, 4.0, 8.0]  # backoff 1 s doubled: past Trello's 10 s window
    assert len(responses.calls) == 4


@responses.activate
def test_429_then_success_on_a_write(trello: TrelloProvider, sleeps: list[float]) -> None:
    responses.put(f"{API}/cards/{'b' * 24}", json={"error": "API_TOKEN_LIMIT_EXCEEDED"}, status=429)
    responses.put(f"{API}/cards/{'b' * 24}", json={"id": "b" * 24})
    responses.get(f"{API}/cards/{'b' * 24}", json={"id": "b" * 24, "name": "n", "desc": "old", "url": "u"})
    trello.annotate("b" * 24, ["new line"])
    assert sleeps == [2.0] and len(responses.calls) == 3


@responses.activate
def test_5xx_is_retried_on_reads_only(trello: TrelloProvider, sleeps: list[float]) -> None:
    responses.get(f"{API}/members/me", body="An unexpected error occurred.", status=500)
    responses.get(f"{API}/members/me", json={"username": "me", "fullName": "Me"})
    assert trello.check().startswith("Trello member @me")
    responses.post(f"{API}/labels", body="An unexpected error occurred.", status=500)
    responses.get(f"{API}/boards/{'c' * 24}/labels", json=[])
    with pytest.raises(ProviderError) as err:
        trello.ensure_sections(Container("c" * 24, "B", "", {"board": "c" * 24}), [SectionSpec("s", "Section")])
    assert err.value.status == 500 and [c.request.method for c in responses.calls].count("POST") == 1


@responses.activate
def test_unreadable_body_and_connection_failure_are_transport_errors(trello: TrelloProvider) -> None:
    responses.get(f"{API}/members/me", body="<html>Bad gateway</html>", status=200)
    with pytest.raises(TransportError, match="trello: member me: unreadable response"):
        trello.check()
    responses.get(f"{API}/members/me", body=requests.ConnectionError("boom"))
    with pytest.raises(TransportError, match="connection failed"):
        trello.check()


@responses.activate
def test_secrets_echoed_by_the_server_are_redacted(trello: TrelloProvider) -> None:
    echo = f"invalid value for idList at {API}/cards?key={KEY}&token={TOKEN} (token {TOKEN})"
    responses.get(f"{API}/members/me/boards", json=[])
    responses.post(f"{API}/boards", body=echo, status=400)
    with pytest.raises(ProviderError) as err:
        trello.ensure_container("i", "T", "", {})
    seen = errors_of(err.value)
    assert KEY not in seen and TOKEN not in seen and "invalid value for idList" in seen


@responses.activate
def test_base_url_is_rewritten_for_every_call(tmp_path: Path) -> None:
    provider = TrelloProvider(
        "t", {"api_key": KEY, "token": TOKEN, "base_url": "http://127.0.0.1:9/1"}, ProviderContext(home=tmp_path)
    )
    responses.get("http://127.0.0.1:9/1/members/me", json={"username": "me", "fullName": "Me"})
    provider.check()
    assert responses.calls[0].request.url.startswith("http://127.0.0.1:9/1/members/me?")


def test_client_side_limit_stays_below_trellos(tmp_path: Path) -> None:
    default = TrelloProvider("t", {"api_key": KEY, "token": TOKEN}, ProviderContext(home=tmp_path))
    assert default.policy.rate_limit is None
    assert [w.limit.budget() for w in default.session.budget.windows] == [90, 270]  # type: ignore[attr-defined]
    tuned = TrelloProvider(
        "t", {"api_key": KEY, "token": TOKEN, "requests_per_10s": 50, "timeout": 5}, ProviderContext(home=tmp_path)
    )
    assert (tuned.policy.rate_limit, tuned.policy.timeout) == ((50, 10.0), 5.0)
