"""A widely used third-party client, python-twitter-tools (PyPI `twitter`), against the reference
server: create a collection, add a tweet, remove it, and get the documented envelopes back.

python-twitter-tools turns an `id` argument into a path segment, so collection ids go as `_id`,
as its README prescribes for endpoints that take `id` as a parameter.

Reads the server's ready line (JSON) from the file named by the first argument.
"""
import json
import sys

from twitter import OAuth, Twitter, TwitterHTTPError

ready = json.load(open(sys.argv[1]))
host = ready["base_url"].split("://", 1)[1]
user = ready["users"][0]
tweet = ready["tweet_ids"][0]


def client(token_secret, token=user["access_token"]):
    return Twitter(
        auth=OAuth(token, token_secret, ready["consumer_key"], ready["consumer_secret"]),
        domain=host,
        secure=False,
        api_version="1.1",
    )


api = client(user["access_token_secret"])

created = api.collections.create(name="python-twitter-tools")
collection = created["response"]["timeline_id"]
assert collection.startswith("custom-"), created

added = api.collections.entries.add(_id=collection, tweet_id=tweet)
assert dict(added) == {"objects": {}, "response": {"errors": []}}, added

removed = api.collections.entries.remove(_id=collection, tweet_id=tweet)
assert dict(removed) == {"response": {"errors": []}, "objects": {}}, removed

again = api.collections.entries.remove(_id=collection, tweet_id=tweet)
assert again["response"]["errors"] == [
    {"change": {"tweet_id": tweet, "op": "remove"}, "reason": "not_found"}
], again

entries = api.collections.entries(_id=collection)
assert entries["response"]["timeline"] == [], entries

# The deliberate mis-signer uses the second user's token, so the client report (which tells
# clients apart by consumer key, token and User-Agent) names it apart from the conforming client.
try:
    client("not-the-secret", ready["users"][1]["access_token"]).collections.entries.remove(
        _id=collection, tweet_id=tweet
    )
    raise AssertionError("a wrong token secret was accepted")
except TwitterHTTPError as error:
    assert error.e.code == 401, error.e.code
    assert json.loads(error.response_data if isinstance(error.response_data, str) else json.dumps(error.response_data))["errors"][0]["code"] == 32

destroyed = api.collections.destroy(_id=collection)
assert dict(destroyed) == {"destroyed": True}, destroyed
print("python-twitter-tools: create, add, remove, not_found, entries, bad signature, destroy: all as documented")
