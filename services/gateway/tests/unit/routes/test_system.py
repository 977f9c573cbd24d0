async def test_health_is_exactly_the_contract_body(gateway) -> None:
    response = await gateway.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "app_name": gateway.settings.app_name,
        "version": gateway.settings.version,
        "environment": "test",
        "status": "healthy",
    }


async def test_ready_checks_every_dependency(gateway) -> None:
    response = await gateway.client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "broker": "ok", "storage": "ok", "cache": "ok", "auth": "ok"},
    }


async def test_ready_is_503_when_storage_is_gone(gateway) -> None:
    gateway.settings.media_dir.rename(gateway.settings.media_dir.with_name("moved"))
    response = await gateway.client.get("/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "not_ready"
    assert response.json()["checks"]["storage"].startswith("error")


async def test_jwks_serves_the_development_key(gateway) -> None:
    response = await gateway.client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.json() == gateway.signing_key.jwks()
