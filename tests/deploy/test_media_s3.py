"""Uploads on S3-compatible object storage (MEDIA_S3_BUCKET).

A real S3-compatible server (moto's, over HTTP on 127.0.0.1) stands in for the council's
object store: a resident's picture goes into the bucket through the same verb the site
calls, privately, and comes back out through the page that checks who may see it.
"""

from __future__ import annotations

import boto3
import pytest
from django.test import override_settings
from moto.server import ThreadedMotoServer

from moothall.ideas import domain
from tests.ideas.scene import build_scene, png
from tests.services import free_port

pytestmark = pytest.mark.django_db

BUCKET = "council-uploads"
KEYS = {"aws_access_key_id": "moothall-test", "aws_secret_access_key": "moothall-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-2", **KEYS)
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _s3_settings(endpoint: str, monkeypatch) -> dict:
    """The STORAGES that settings.py builds from MEDIA_S3_* variables."""
    import importlib

    import moothall.settings

    monkeypatch.setenv("MEDIA_S3_BUCKET", BUCKET)
    monkeypatch.setenv("MEDIA_S3_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("MEDIA_S3_REGION", "eu-west-2")
    monkeypatch.setenv("MEDIA_S3_ACCESS_KEY_ID", KEYS["aws_access_key_id"])
    monkeypatch.setenv("MEDIA_S3_SECRET_ACCESS_KEY", KEYS["aws_secret_access_key"])
    monkeypatch.setenv("MEDIA_S3_PREFIX", "media")
    try:
        return dict(importlib.reload(moothall.settings).STORAGES)
    finally:
        monkeypatch.undo()
        importlib.reload(moothall.settings)


def test_settings_choose_s3_only_when_a_bucket_is_named(monkeypatch, s3_endpoint):
    import moothall.settings

    assert "s3" not in moothall.settings.STORAGES["default"]["BACKEND"].lower()
    storages = _s3_settings(s3_endpoint, monkeypatch)
    assert storages["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storages["default"]["OPTIONS"]
    assert options["bucket_name"] == BUCKET
    assert options["default_acl"] == "private"
    assert options["endpoint_url"] == s3_endpoint
    # The static files are still served from disk.
    assert storages["staticfiles"] == moothall.settings.STORAGES["staticfiles"]


def test_a_residents_picture_is_stored_in_the_bucket_and_served_by_the_app(
    client, council, other_council, resident, bucket, s3_endpoint, monkeypatch
):
    storages = _s3_settings(s3_endpoint, monkeypatch)
    scene = build_scene(council, other_council, resident)
    picture = png((60, 40))

    with override_settings(STORAGES=storages):
        image = domain.add_image(resident, scene.idea, data=picture, alt_text="The pond")

        keys = [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
        assert keys == [f"media/{image.file.name}"]
        stored = bucket.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read()
        # Private: the object store refuses a visitor who asks it directly, unsigned.
        acl = bucket.get_object_acl(Bucket=BUCKET, Key=keys[0])
        assert not [g for g in acl["Grants"] if g["Grantee"].get("URI", "").endswith("AllUsers")]

        extension = image.file.name.rsplit(".", 1)[1]
        url = f"/{council.slug}/ideas/{scene.idea.pk}/pictures/{image.pk}.{extension}"
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == stored
        # What was stored is the re-encoded picture, not the upload as sent.
        assert stored != picture
        assert stored.startswith(b"\xff\xd8")  # a JPEG
