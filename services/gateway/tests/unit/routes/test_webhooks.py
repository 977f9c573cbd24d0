"""The ``/api/v1/webhooks`` routes: registration checks (SSRF, bounds), secrets shown once, other users' 404."""

from __future__ import annotations

import pytest

URL = "/api/v1/webhooks"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8080/hook", "loopback"),
        ("http://localhost:8080/hook", "loopback"),
        ("http://10.0.0.7/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://[::1]/hook", "loopback"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("ftp://example.com/hook", "only http and https"),
    ],
)
async def test_internal_and_non_http_urls_are_refused_with_the_reason(make_gateway, url: str, reason: str) -> None:
    async with make_gateway(webhook_allow_private_networks=False) as gateway:
        response = await gateway.client.post(
            URL, json={"url": url, "events": ["job.completed"]}, headers=gateway.auth()
        )
        assert response.status_code == 422, response.text
        assert reason in response.json()["detail"]
        assert (await gateway.client.get(URL, headers=gateway.auth())).json() == {"items": []}


async def test_a_webhook_is_created_listed_rotated_and_deleted_by_its_owner_only(make_gateway) -> None:
    async with make_gateway(webhook_allow_private_networks=True, webhook_max_endpoints_per_user=2) as gateway:
        body = {"url": "http://127.0.0.1:9/hook", "events": ["job.completed", "job.failed"]}
        created = await gateway.client.post(URL, json=body, headers=gateway.auth())
        assert created.status_code == 201, created.text
        webhook = created.json()
        assert webhook["secret"].startswith("whsec_")
        listed = (await gateway.client.get(URL, headers=gateway.auth())).json()["items"]
        assert [item["id"] for item in listed] == [webhook["id"]]
        assert "secret" not in listed[0]
        assert (await gateway.client.get(URL, headers=gateway.auth("user_bob"))).json() == {"items": []}

        rotated = await gateway.client.post(f"{URL}/{webhook['id']}/rotate", headers=gateway.auth())
        assert rotated.status_code == 200
        assert rotated.json()["secret"].startswith("whsec_")
        assert rotated.json()["secret"] != webhook["secret"]
        assert rotated.json()["previous_secret_expires_at"] is not None

        for method, path in [
            ("DELETE", f"{URL}/{webhook['id']}"),
            ("POST", f"{URL}/{webhook['id']}/rotate"),
            ("GET", f"{URL}/{webhook['id']}/deliveries"),
        ]:
            response = await gateway.client.request(method, path, headers=gateway.auth("user_bob"))
            assert response.status_code == 404, (method, path)
            assert response.json() == {"detail": "Webhook not found"}

        second = await gateway.client.post(URL, json=body, headers=gateway.auth())
        assert second.status_code == 201
        third = await gateway.client.post(URL, json=body, headers=gateway.auth())
        assert third.status_code == 409
        assert third.json()["max_webhooks"] == 2

        assert (await gateway.client.delete(f"{URL}/{webhook['id']}", headers=gateway.auth())).status_code == 204
        assert (await gateway.client.delete(f"{URL}/{webhook['id']}", headers=gateway.auth())).status_code == 404
        deliveries = await gateway.client.get(f"{URL}/{second.json()['id']}/deliveries", headers=gateway.auth())
        assert deliveries.json() == {"items": [], "total": 0, "limit": 20, "offset": 0}


@pytest.mark.parametrize(
    "body",
    [
        {"url": "http://127.0.0.1/" + "a" * 2100, "events": ["job.completed"]},
        {"url": "http://127.0.0.1/", "events": []},
        {"url": "http://127.0.0.1/", "events": ["job.started"]},
        {"url": "http://127.0.0.1/", "events": ["job.failed", "job.failed"]},
        {"url": "http://127.0.0.1/", "events": ["job.failed"], "secret": "mine"},
    ],
)
async def test_bodies_out_of_bounds_are_refused(make_gateway, body) -> None:
    async with make_gateway(webhook_allow_private_networks=True) as gateway:
        response = await gateway.client.post(URL, json=body, headers=gateway.auth())
        assert response.status_code == 422, response.text
        assert response.json()["detail"]


async def test_idempotency_keys_replay_on_sqlite_too(gateway) -> None:
    body = {"configuration": {"topic": "Pythagorean Theorem", "context": "Explain it."}}
    headers = {**gateway.auth(), "Idempotency-Key": '"order-42"'}
    first = await gateway.client.post("/api/v1/videos/generate", json=body, headers=headers)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    # The sf-string form and the bare form name the same key.
    again = await gateway.client.post(
        "/api/v1/videos/generate", json=body, headers={**gateway.auth(), "Idempotency-Key": "order-42"}
    )
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = {"configuration": {**body["configuration"], "quality": "low"}}
    reused = await gateway.client.post("/api/v1/videos/generate", json=other, headers=headers)
    assert reused.status_code == 422
    listed = await gateway.client.get("/api/v1/videos/jobs", headers=gateway.auth())
    assert listed.json()["total"] == 1
