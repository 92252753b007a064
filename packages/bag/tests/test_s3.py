"""read_text and to_textfiles against S3 (a local moto server standing in for AWS, through s3fs)."""

from __future__ import annotations

import gzip
import json

import boto3
import pytest

import shoal.bag as sb
from shoal.bag.testing import assert_eq


@pytest.fixture(scope="module")
def s3():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket="bag-test")
    for i in range(3):
        body = "".join(json.dumps({"file": i, "n": j}) + "\n" for j in range(5))
        client.put_object(Bucket="bag-test", Key=f"in/{i}.json", Body=body.encode())
    client.put_object(Bucket="bag-test", Key="in/zipped.json.gz",
                      Body=gzip.compress(b'{"file": 9, "n": 100}\n'))
    yield {"client_kwargs": {"endpoint_url": url, "region_name": "us-east-1"},
           "key": "testing", "secret": "testing"}
    server.stop()


def test_read_text_from_s3(s3):
    b = sb.read_text("s3://bag-test/in/*.json", storage_options=s3).map(json.loads)
    assert b.npartitions == 3
    assert_eq(b.pluck("n").sum(), 3 * sum(range(5)))
    blocks = sb.read_text("s3://bag-test/in/0.json", storage_options=s3, blocksize=40)
    assert blocks.npartitions > 1
    assert_eq(blocks.map(json.loads).pluck("n"), list(range(5)))
    zipped = sb.read_text("s3://bag-test/in/*.json.gz", storage_options=s3).map(json.loads)
    assert_eq(zipped.pluck("n"), [100])


def test_to_textfiles_on_s3(s3):
    b = sb.from_sequence([json.dumps({"x": i}) for i in range(6)], npartitions=2)
    paths = b.to_textfiles("s3://bag-test/out/*.json.gz", storage_options=s3, scheduler="sync")
    assert len(paths) == 2
    back = sb.read_text("s3://bag-test/out/*.json.gz", storage_options=s3).map(json.loads)
    assert_eq(back.pluck("x"), list(range(6)))
