"""The loopback server the sync tests use answers with the real API's semantics."""

from __future__ import annotations

import httpx

from tests.support.fakeapi import FakeApi, FakeApiServer


def test_paging_order_lookup_and_errors():
    with FakeApiServer(FakeApi.recorded()) as server, httpx.Client() as client:
        first = client.get(server.base_url + "packages/", params={"limit": 20}).json()
        assert first["count"] == 75 and first["previous"] is None
        ids = [r["id"] for r in first["results"]]
        assert ids == sorted(ids, reverse=True) and len(ids) == 20  # -id order
        assert first["next"].startswith("http://127.0.0.1:")  # absolute links
        seen = list(ids)
        page = first
        while page["next"]:
            page = client.get(page["next"]).json()
            seen += [r["id"] for r in page["results"]]
        assert len(seen) == len(set(seen)) == 75 and page["previous"].startswith("http://")
        by_id = client.get(server.base_url + "packages/4404/").json()
        by_slug = client.get(server.base_url + "packages/django-address-model/").json()
        assert by_id == by_slug and by_id["id"] == 4404
        missing = client.get(server.base_url + "packages/no-such/")
        assert missing.status_code == 404
        assert missing.json() == {"detail": "No Package matches the given query."}
        unknown = client.get(server.base_url + "nothing-here/")
        assert unknown.status_code == 404 and unknown.headers["content-type"] == "text/html"
