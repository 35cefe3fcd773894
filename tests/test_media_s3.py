"""Figures in an S3-compatible bucket, chosen by environment variables only (issue 7).

The bucket is a real S3 API server on loopback (moto's standalone server, spoken to over
HTTP by boto3 exactly as a bucket elsewhere would be); the site is a separate process with
the production settings, configured by the variables the README documents.
"""

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.servers import ROOT, embedded_site_environment, free_port, manage

BUCKET = "kb-media"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "kb-test", "AWS_SECRET_ACCESS_KEY": "kb-test-secret"}
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/media/*",
        }
    ],
}


@pytest.fixture
def s3_endpoint():
    port = free_port()
    server = subprocess.Popen(
        [Path(sys.executable).parent / "moto_server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def site_environment(data_dir, endpoint):
    return embedded_site_environment(
        data_dir,
        **CREDENTIALS,
        KB_STATIC_ROOT=str(data_dir / "static"),
        KB_MEDIA_S3_BUCKET=BUCKET,
        KB_MEDIA_S3_ENDPOINT_URL=endpoint,
        KB_MEDIA_S3_REGION="us-east-1",
    )


# Run inside the site: the HAR article's first figure and the page a reader gets.
READ_PAGE = """
import json
from django.test import Client
from articles.models import Step
step = Step.objects.filter(variant__article__number=1008).exclude(figure_en="").first()
response = Client(HTTP_HOST="127.0.0.1").get(step.variant.article.get_absolute_url())
print(json.dumps({
    "name": step.figure_en.name,
    "url": step.figure_en.url,
    "status": response.status_code,
    "html": response.content.decode(),
    "csp": response.headers["Content-Security-Policy"],
}))
"""


def test_figures_go_to_the_bucket_and_pages_show_them_from_there(tmp_path, s3_endpoint):
    import boto3

    bucket = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    bucket.create_bucket(Bucket=BUCKET)
    # As the README asks of the operator: public reads under the prefix, nothing more.
    bucket.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    data_dir = tmp_path / "site"
    environment = site_environment(data_dir, s3_endpoint)

    manage(environment, "migrate", "--noinput")
    manage(environment, "collectstatic", "--noinput", "--verbosity", "0")
    manage(environment, "load_demo")
    page = json.loads(manage(environment, "shell", "-c", READ_PAGE).splitlines()[-1])

    # The figure is an object in the bucket, byte for byte the demo's file...
    stored = bucket.get_object(Bucket=BUCKET, Key=f"media/{page['name']}")["Body"].read()
    demo_file = ROOT / "demo" / page["name"]
    assert stored == demo_file.read_bytes()
    # ...and not in the site's data folder.
    assert not list(data_dir.glob("media/figures/*"))
    # The page embeds the bucket's plain URL, which answers with the image to anyone...
    assert page["status"] == 200
    assert page["url"].startswith(f"{s3_endpoint}/{BUCKET}/media/figures/")
    assert page["url"] in page["html"]
    with urllib.request.urlopen(page["url"], timeout=10) as response:  # noqa: S310 - loopback
        assert response.read() == demo_file.read_bytes()
    # ...and the page's Content-Security-Policy lets the browser load it.
    image_sources = next(
        part.split()[1:] for part in page["csp"].split("; ") if part.startswith("img-src")
    )
    assert image_sources == ["'self'", s3_endpoint]
    assert "default-src 'none'" in page["csp"]
