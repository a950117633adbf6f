//! Behaviour of each Collections endpoint of the reference server, and every request-error row of
//! the README's behaviour table that is not about authentication or rate limits.

use crate::server_support::{Kit, Placement, pairs};
use serde_json::{Value, json};

#[tokio::test]
async fn remove_succeeds_then_reports_not_found_softly() {
    let kit = Kit::start().await;
    let id = kit.create(0, "Remove me").await;
    let (a, b) = (kit.tweet(0), kit.tweet(1));
    kit.add(0, &id, &[a.clone(), b.clone()]).await;

    let r = kit
        .post_query(
            0,
            "collections/entries/remove",
            &[("id", &id), ("tweet_id", &a)],
        )
        .await;
    assert_eq!(r.status, 200);
    r.assert_json();
    assert_eq!(r.raw, r#"{"response":{"errors":[]},"objects":{}}"#);
    assert_eq!(kit.entry_ids(&id).await, vec![b.clone()]);

    let r = kit
        .call(
            0,
            "POST",
            "collections/entries/remove",
            &[("id", &id), ("tweet_id", &a)],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.raw,
        format!(
            r#"{{"response":{{"errors":[{{"change":{{"tweet_id":"{a}","op":"remove"}},"reason":"not_found"}}]}},"objects":{{}}}}"#
        )
    );
    // A well-formed id of a tweet that does not exist at all is also just "not in the collection".
    let r = kit
        .call(
            0,
            "POST",
            "collections/entries/remove",
            &[("id", &id), ("tweet_id", "0012345")],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["response"]["errors"][0]["change"]["tweet_id"],
        "12345"
    );
    assert_eq!(kit.entry_ids(&id).await, vec![b]);
}

#[tokio::test]
async fn remove_parameter_and_collection_errors() {
    let kit = Kit::start().await;
    let id = kit.create(0, "Errors").await;
    let t = kit.tweet(0);
    let rm = "collections/entries/remove";

    kit.call(0, "POST", rm, &[]).await.assert_error(403, 38);
    let r = kit.call(0, "POST", rm, &[]).await;
    assert_eq!(r.body["errors"][0]["message"], "id parameter is missing.");
    let r = kit.call(0, "POST", rm, &[("id", &id)]).await;
    r.assert_error(403, 38);
    assert_eq!(
        r.body["errors"][0]["message"],
        "tweet_id parameter is missing."
    );
    kit.call(0, "POST", rm, &[("id", ""), ("tweet_id", &t)])
        .await
        .assert_error(403, 38);
    // Malformed and unknown collection ids.
    for bad in [
        "388061495298244609",
        "custom-",
        "custom-12a",
        "timeline-1",
        "custom-99999999999999999999",
    ] {
        kit.call(0, "POST", rm, &[("id", bad), ("tweet_id", &t)])
            .await
            .assert_error(404, 34);
    }
    kit.call(0, "POST", rm, &[("id", "custom-1"), ("tweet_id", &t)])
        .await
        .assert_error(404, 34);
    // Malformed tweet ids.
    for bad in [
        "abc",
        "-5",
        "12 34",
        "0",
        "9223372036854775808",
        "99999999999999999999",
        "1e5",
    ] {
        kit.call(0, "POST", rm, &[("id", &id), ("tweet_id", bad)])
            .await
            .assert_error(404, 144);
    }
    // Someone else's collection.
    kit.add(0, &id, std::slice::from_ref(&t)).await;
    kit.call(1, "POST", rm, &[("id", &id), ("tweet_id", &t)])
        .await
        .assert_error(403, 87);
    assert_eq!(kit.entry_ids(&id).await, vec![t.clone()]);
    // A destroyed collection.
    let r = kit
        .call(0, "POST", "collections/destroy", &[("id", &id)])
        .await;
    assert_eq!(r.raw, r#"{"destroyed":true}"#);
    kit.call(0, "POST", rm, &[("id", &id), ("tweet_id", &t)])
        .await
        .assert_error(404, 34);
}

#[tokio::test]
async fn wrong_methods_and_unknown_paths() {
    let kit = Kit::start().await;
    for method in ["GET", "PUT", "DELETE", "PATCH"] {
        let r = kit.call(0, method, "collections/entries/remove", &[]).await;
        r.assert_error(400, 86);
        assert_eq!(
            r.body["errors"][0]["message"],
            "This method requires a POST."
        );
    }
    let r = kit
        .call(0, "POST", "collections/entries", &[("id", "custom-1")])
        .await;
    r.assert_error(400, 86);
    assert_eq!(
        r.body["errors"][0]["message"],
        "This method requires a GET or HEAD."
    );
    // The method check comes before authentication.
    let r = kit
        .send(crate::server_support::Req {
            method: "GET".into(),
            url: kit.url("collections/entries/remove"),
            authorization: None,
            content_type: None,
            body: None,
            extra_headers: vec![],
        })
        .await;
    r.assert_error(400, 86);
    for path in [
        "/1.1/collections/entries/remove",
        "/1.1/collections/entries/delete.json",
        "/1.1/statuses/update.json",
        "/",
        "/1.1/collections/entries/remove.json/",
    ] {
        let r = kit
            .http
            .post(format!("{}{path}", kit.server.base_url()))
            .send()
            .await
            .unwrap();
        crate::server_support::read(r).await.assert_error(404, 34);
    }
}

#[tokio::test]
async fn create_show_update_destroy() {
    let kit = Kit::start().await;
    let r = kit
        .call(
            0,
            "POST",
            "collections/create",
            &[
                ("name", "Sweet Tweets"),
                ("description", "My favourite tweets ever"),
                ("url", "https://example.com/"),
                ("timeline_order", "tweet_reverse_chron"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    r.assert_json();
    let id = r.body["response"]["timeline_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(id.starts_with("custom-") && id[7..].bytes().all(|b| b.is_ascii_digit()));
    let keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["response", "objects"]);
    let main = &kit.server.info().users[0];
    let timeline = &r.body["objects"]["timelines"][&id];
    assert_eq!(timeline["name"], "Sweet Tweets");
    assert_eq!(timeline["user_id"], main.user_id.as_str());
    assert_eq!(timeline["timeline_order"], "tweet_reverse_chron");
    assert_eq!(
        r.body["objects"]["users"][&main.user_id]["screen_name"],
        main.screen_name.as_str()
    );

    let r = kit.call(1, "GET", "collections/show", &[("id", &id)]).await;
    assert_eq!(r.status, 200);
    let keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["objects", "response"]);
    assert_eq!(r.body["response"]["timeline_id"], id.as_str());
    let t = &r.body["objects"]["timelines"][&id];
    assert_eq!(t["description"], "My favourite tweets ever");
    assert_eq!(t["url"], "https://example.com/");
    assert_eq!(t["visibility"], "public");
    assert_eq!(t["collection_type"], "user");
    assert_eq!(
        t["collection_url"],
        format!(
            "https://twitter.com/{}/timelines/{}",
            main.screen_name,
            &id[7..]
        )
        .as_str()
    );

    // update: omitted description and url are cleared; omitted name kept.
    let r = kit
        .call(
            0,
            "POST",
            "collections/update",
            &[("id", &id), ("name", "Subtweets")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["objects"]["timelines"][&id]["name"], "Subtweets");
    assert_eq!(r.body["objects"]["timelines"][&id]["description"], "");
    assert_eq!(r.body["objects"]["timelines"][&id]["url"], "");
    let r = kit
        .call(
            0,
            "POST",
            "collections/update",
            &[("id", &id), ("description", "d")],
        )
        .await;
    assert_eq!(r.body["objects"]["timelines"][&id]["name"], "Subtweets");
    kit.call(
        1,
        "POST",
        "collections/update",
        &[("id", &id), ("name", "x")],
    )
    .await
    .assert_error(403, 87);
    kit.call(0, "POST", "collections/update", &[("name", "x")])
        .await
        .assert_error(403, 38);

    kit.call(1, "POST", "collections/destroy", &[("id", &id)])
        .await
        .assert_error(403, 87);
    let r = kit
        .call(0, "POST", "collections/destroy", &[("id", &id)])
        .await;
    assert_eq!((r.status, r.raw.as_str()), (200, r#"{"destroyed":true}"#));
    kit.call(0, "POST", "collections/destroy", &[("id", &id)])
        .await
        .assert_error(404, 34);
    kit.call(0, "GET", "collections/show", &[("id", &id)])
        .await
        .assert_error(404, 34);
    kit.call(0, "GET", "collections/show", &[])
        .await
        .assert_error(403, 38);
    kit.call(0, "POST", "collections/destroy", &[])
        .await
        .assert_error(403, 38);
}

#[tokio::test]
async fn create_validates_its_fields() {
    let kit = Kit::start().await;
    let create = "collections/create";
    let r = kit.call(0, "POST", create, &[]).await;
    r.assert_error(403, 38);
    assert_eq!(r.body["errors"][0]["message"], "name parameter is missing.");
    kit.call(0, "POST", create, &[("name", &"n".repeat(26))])
        .await
        .assert_error(403, 120);
    let r = kit
        .call(0, "POST", create, &[("name", &"é".repeat(25))])
        .await;
    assert_eq!(
        r.status, 200,
        "25 characters (not bytes) are fine: {}",
        r.raw
    );
    kit.call(
        0,
        "POST",
        create,
        &[("name", "n"), ("description", &"d".repeat(161))],
    )
    .await
    .assert_error(403, 120);
    for bad in ["example.com", "ftp://example.com/", "https://"] {
        kit.call(0, "POST", create, &[("name", "n"), ("url", bad)])
            .await
            .assert_error(403, 195);
    }
    let r = kit
        .call(
            0,
            "POST",
            create,
            &[("name", "n"), ("timeline_order", "sideways")],
        )
        .await;
    let id = r.body["response"]["timeline_id"].as_str().unwrap();
    assert_eq!(
        r.body["objects"]["timelines"][id]["timeline_order"],
        "curation_reverse_chron"
    );
}

#[tokio::test]
async fn add_puts_new_tweets_on_top_and_reports_duplicates() {
    let kit = Kit::start().await;
    let id = kit.create(0, "Adds").await;
    let t: Vec<String> = (0..4).map(|i| kit.tweet(i)).collect();
    kit.add(0, &id, &t[..3]).await;
    assert_eq!(
        kit.entry_ids(&id).await,
        vec![t[2].clone(), t[1].clone(), t[0].clone()]
    );

    let add = "collections/entries/add";
    let r = kit
        .call(0, "POST", add, &[("id", &id), ("tweet_id", &t[1])])
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.raw,
        format!(
            r#"{{"objects":{{}},"response":{{"errors":[{{"change":{{"op":"add","tweet_id":"{}"}},"reason":"duplicate"}}]}}}}"#,
            t[1]
        )
    );
    // relative placement: below t[1].
    let r = kit
        .call(
            0,
            "POST",
            add,
            &[
                ("id", &id),
                ("tweet_id", &t[3]),
                ("relative_to", &t[1]),
                ("above", "false"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(
        kit.entry_ids(&id).await,
        vec![t[2].clone(), t[1].clone(), t[3].clone(), t[0].clone()]
    );
    // Errors.
    kit.call(0, "POST", add, &[("id", &id), ("tweet_id", "123456789")])
        .await
        .assert_error(404, 144);
    kit.call(0, "POST", add, &[("id", &id), ("tweet_id", "nope")])
        .await
        .assert_error(404, 144);
    kit.call(
        0,
        "POST",
        add,
        &[
            ("id", &id),
            ("tweet_id", &kit.tweet(9)),
            ("relative_to", &kit.tweet(8)),
        ],
    )
    .await
    .assert_error(404, 144);
    kit.call(1, "POST", add, &[("id", &id), ("tweet_id", &kit.tweet(9))])
        .await
        .assert_error(403, 87);
    kit.call(0, "POST", add, &[("tweet_id", &kit.tweet(9))])
        .await
        .assert_error(403, 38);
    kit.call(
        0,
        "POST",
        add,
        &[("id", "custom-5"), ("tweet_id", &kit.tweet(9))],
    )
    .await
    .assert_error(404, 34);
    assert_eq!(kit.entry_ids(&id).await.len(), 4);
}

#[tokio::test]
async fn entries_pages_by_position_and_embeds_objects() {
    let kit = Kit::start().await;
    let id = kit.create(0, "Paging").await;
    let t: Vec<String> = (0..5).map(|i| kit.tweet(i)).collect();
    kit.add(0, &id, &t).await;
    let r = kit
        .call(
            1,
            "GET",
            "collections/entries",
            &[("id", &id), ("count", "2")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    r.assert_json();
    let resp = &r.body["response"];
    assert_eq!(resp["timeline_id"], id.as_str());
    let timeline = resp["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!(timeline[0]["tweet"]["id"], t[4].as_str());
    assert!(timeline[0]["feature_context"].is_string());
    let first_sort = timeline[0]["tweet"]["sort_index"].as_str().unwrap();
    let last_sort = timeline[1]["tweet"]["sort_index"].as_str().unwrap();
    assert_eq!(resp["position"]["max_position"], first_sort);
    assert_eq!(resp["position"]["min_position"], last_sort);
    assert_eq!(resp["position"]["was_truncated"], true);
    let tweet = &r.body["objects"]["tweets"][&t[4]];
    assert_eq!(tweet["id_str"], t[4].as_str());
    assert!(tweet["text"].is_string() && tweet["created_at"].is_string());
    let author = tweet["user"]["id_str"].as_str().unwrap();
    assert!(r.body["objects"]["users"][author].is_object());
    assert_eq!(r.body["objects"]["timelines"][&id]["name"], "Paging");

    // Next page: max_position = previous min_position minus one.
    let next_max = (last_sort.parse::<u64>().unwrap() - 1).to_string();
    let r = kit
        .call(
            0,
            "GET",
            "collections/entries",
            &[("id", &id), ("count", "2"), ("max_position", &next_max)],
        )
        .await;
    let ids: Vec<&str> = r.body["response"]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["tweet"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [t[2].as_str(), t[1].as_str()]);
    // min_position: strictly greater.
    let r = kit
        .call(
            0,
            "GET",
            "collections/entries",
            &[("id", &id), ("min_position", last_sort)],
        )
        .await;
    assert_eq!(r.body["response"]["timeline"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["response"]["position"]["was_truncated"], false);
    // Empty collection and errors.
    let empty = kit.create(0, "Empty").await;
    let r = kit
        .call(0, "GET", "collections/entries", &[("id", &empty)])
        .await;
    assert_eq!(r.body["response"]["timeline"], json!([]));
    assert_eq!(
        r.body["response"]["position"],
        json!({"was_truncated": false})
    );
    kit.call(0, "GET", "collections/entries", &[])
        .await
        .assert_error(403, 38);
    kit.call(0, "GET", "collections/entries", &[("id", "custom-7")])
        .await
        .assert_error(404, 34);
    // HEAD is accepted on GET endpoints.
    let req = kit.build(
        &kit.creds(0),
        "HEAD",
        "collections/entries",
        &pairs(&[("id", &id)]),
        &[],
        Placement::Header,
        |_| {},
    );
    assert_eq!(kit.send(req).await.status, 200);
}

#[tokio::test]
async fn list_by_user_and_tweet_with_cursors() {
    let kit = Kit::start().await;
    let a = kit.create(0, "A").await;
    let b = kit.create(0, "B").await;
    let c = kit.create(0, "C").await;
    let _other = kit.create(1, "Theirs").await;
    kit.add(0, &b, &[kit.tweet(5)]).await;
    let info = kit.server.info().clone();

    let r = kit
        .call(
            1,
            "GET",
            "collections/list",
            &[("user_id", &info.users[0].user_id), ("count", "2")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    let results: Vec<&str> = r.body["response"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["timeline_id"].as_str().unwrap())
        .collect();
    assert_eq!(results, [c.as_str(), b.as_str()]);
    assert!(r.body["objects"]["timelines"][&c].is_object());
    let cursor = r.body["response"]["cursors"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_string();
    let r = kit
        .call(
            0,
            "GET",
            "collections/list",
            &[
                ("screen_name", &info.users[0].screen_name.to_uppercase()),
                ("count", "2"),
                ("cursor", &cursor),
            ],
        )
        .await;
    assert_eq!(r.body["response"]["results"], json!([{"timeline_id": a}]));
    assert!(r.body["response"]["cursors"]["next_cursor"].is_null());
    assert!(r.body["response"]["cursors"]["previous_cursor"].is_string());

    let r = kit
        .call(
            0,
            "GET",
            "collections/list",
            &[
                ("user_id", &info.users[0].user_id),
                ("tweet_id", &kit.tweet(5)),
            ],
        )
        .await;
    assert_eq!(r.body["response"]["results"], json!([{"timeline_id": b}]));
    kit.call(0, "GET", "collections/list", &[])
        .await
        .assert_error(403, 38);
    kit.call(0, "GET", "collections/list", &[("user_id", "12")])
        .await
        .assert_error(404, 50);
    kit.call(
        0,
        "GET",
        "collections/list",
        &[("screen_name", "nobody_here")],
    )
    .await
    .assert_error(404, 50);
    kit.call(
        0,
        "GET",
        "collections/list",
        &[("user_id", &info.users[0].user_id), ("tweet_id", "x")],
    )
    .await
    .assert_error(404, 144);
}

#[tokio::test]
async fn move_reorders_curated_collections() {
    let kit = Kit::start().await;
    let id = kit.create(0, "Moves").await;
    let t: Vec<String> = (0..3).map(|i| kit.tweet(i)).collect();
    kit.add(0, &id, &t).await; // order: t2 t1 t0
    let mv = "collections/entries/move";
    let r = kit
        .call(
            0,
            "POST",
            mv,
            &[("id", &id), ("tweet_id", &t[0]), ("relative_to", &t[2])],
        )
        .await;
    assert_eq!(r.raw, r#"{"objects":{},"response":{"errors":[]}}"#);
    assert_eq!(
        kit.entry_ids(&id).await,
        vec![t[0].clone(), t[2].clone(), t[1].clone()]
    );
    let r = kit
        .call(
            0,
            "POST",
            mv,
            &[
                ("id", &id),
                ("tweet_id", &t[0]),
                ("relative_to", &t[1]),
                ("above", "false"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        kit.entry_ids(&id).await,
        vec![t[2].clone(), t[1].clone(), t[0].clone()]
    );
    let absent = kit.tweet(20);
    let r = kit
        .call(
            0,
            "POST",
            mv,
            &[("id", &id), ("tweet_id", &absent), ("relative_to", &t[1])],
        )
        .await;
    assert_eq!(
        r.raw,
        format!(
            r#"{{"objects":{{}},"response":{{"errors":[{{"change":{{"op":"move","tweet_id":"{absent}"}},"reason":"not_found"}}]}}}}"#
        )
    );
    kit.call(
        0,
        "POST",
        mv,
        &[("id", &id), ("tweet_id", &t[0]), ("relative_to", &absent)],
    )
    .await
    .assert_error(404, 144);
    kit.call(0, "POST", mv, &[("id", &id), ("tweet_id", &t[0])])
        .await
        .assert_error(403, 38);
    kit.call(
        1,
        "POST",
        mv,
        &[("id", &id), ("tweet_id", &t[0]), ("relative_to", &t[1])],
    )
    .await
    .assert_error(403, 87);
    let chron = kit
        .call(
            0,
            "POST",
            "collections/create",
            &[("name", "c"), ("timeline_order", "tweet_chron")],
        )
        .await;
    let chron = chron.body["response"]["timeline_id"]
        .as_str()
        .unwrap()
        .to_string();
    kit.add(0, &chron, &t[..2]).await;
    assert_eq!(
        kit.entry_ids(&chron).await,
        vec![t[0].clone(), t[1].clone()]
    );
    kit.call(
        0,
        "POST",
        mv,
        &[("id", &chron), ("tweet_id", &t[0]), ("relative_to", &t[1])],
    )
    .await
    .assert_error(403, 87);
}

async fn curate(
    kit: &Kit,
    user: usize,
    body: &[u8],
    content_type: &str,
) -> crate::server_support::Resp {
    let mut req = kit.build(
        &kit.creds(user),
        "POST",
        "collections/entries/curate",
        &[],
        &[],
        Placement::Header,
        |_| {},
    );
    req.content_type = Some(content_type.into());
    req.body = Some(body.to_vec());
    kit.send(req).await
}

#[tokio::test]
async fn curate_applies_changes_and_reports_each_failure() {
    let kit = Kit::start().await;
    let id = kit.create(0, "Bulk").await;
    let t: Vec<String> = (0..4).map(|i| kit.tweet(i)).collect();
    let body = json!({"id": id, "changes": [
        {"op": "add", "tweet_id": t[0]}, {"op": "add", "tweet_id": t[1]}, {"op": "add", "tweet_id": t[2]}
    ]});
    let r = curate(&kit, 0, body.to_string().as_bytes(), "application/json").await;
    assert_eq!(r.raw, r#"{"objects":{},"response":{"errors":[]}}"#);
    assert_eq!(
        kit.entry_ids(&id).await,
        vec![t[2].clone(), t[1].clone(), t[0].clone()]
    );

    let body = json!({"id": id, "changes": [
        {"op": "add", "tweet_id": t[0]},
        {"op": "remove", "tweet_id": t[1]},
        {"op": "remove", "tweet_id": t[3]},
        {"op": "add", "tweet_id": t[3].parse::<u64>().unwrap()},
        {"op": "add", "tweet_id": "123"}
    ]});
    let r = curate(
        &kit,
        0,
        body.to_string().as_bytes(),
        "application/json; charset=utf-8",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    let expected = json!([
        {"reason": "duplicate", "change": {"op": "add", "tweet_id": t[0]}},
        {"reason": "not_found", "change": {"op": "remove", "tweet_id": t[3]}},
        {"reason": "not_found", "change": {"op": "add", "tweet_id": "123"}}
    ]);
    assert_eq!(r.body["response"]["errors"], expected);
    assert_eq!(
        kit.entry_ids(&id).await,
        vec![t[3].clone(), t[2].clone(), t[0].clone()]
    );
    // Key order inside each error: reason, then change.
    assert!(
        r.raw
            .contains(r#"{"reason":"duplicate","change":{"op":"add""#)
    );
}

#[tokio::test]
async fn curate_refuses_bad_bodies_without_changing_anything() {
    let kit = Kit::start().await;
    let id = kit.create(0, "Bulk").await;
    let t0 = kit.tweet(0);
    let too_many: Vec<Value> = (0..101)
        .map(|i| json!({"op": "add", "tweet_id": kit.tweet(i % 50)}))
        .collect();
    for body in [
        b"".to_vec(),
        b"{not json".to_vec(),
        b"[1,2]".to_vec(),
        vec![0xff, 0xfe, 0x00],
        json!({"id": id, "changes": {"1": {"op": "add", "tweet_id": t0}}})
            .to_string()
            .into_bytes(),
        json!({"id": id, "changes": [{"op": "rename", "tweet_id": t0}]})
            .to_string()
            .into_bytes(),
        json!({"id": id, "changes": [{"op": "add"}]})
            .to_string()
            .into_bytes(),
        json!({"id": id, "changes": too_many})
            .to_string()
            .into_bytes(),
    ] {
        curate(&kit, 0, &body, "application/json")
            .await
            .assert_error(400, 131);
    }
    assert!(kit.entry_ids(&id).await.is_empty());
    let r = curate(
        &kit,
        0,
        json!({"changes": []}).to_string().as_bytes(),
        "application/json",
    )
    .await;
    r.assert_error(403, 38);
    assert_eq!(r.body["errors"][0]["message"], "id parameter is missing.");
    let r = curate(
        &kit,
        0,
        json!({"id": id}).to_string().as_bytes(),
        "application/json",
    )
    .await;
    assert_eq!(
        r.body["errors"][0]["message"],
        "changes parameter is missing."
    );
    let body = json!({"id": id, "changes": [{"op": "add", "tweet_id": t0}]}).to_string();
    curate(&kit, 1, body.as_bytes(), "application/json")
        .await
        .assert_error(403, 87);
    let body = json!({"id": "custom-3", "changes": []}).to_string();
    curate(&kit, 0, body.as_bytes(), "application/json")
        .await
        .assert_error(404, 34);
    let body = json!({"id": "nonsense", "changes": []}).to_string();
    curate(&kit, 0, body.as_bytes(), "application/json")
        .await
        .assert_error(404, 34);
    // Exactly 100 changes are fine.
    let hundred: Vec<Value> = (0..100)
        .map(|i| json!({"op": "add", "tweet_id": kit.tweet(i % 50)}))
        .collect();
    let r = curate(
        &kit,
        0,
        json!({"id": id, "changes": hundred}).to_string().as_bytes(),
        "application/json",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["response"]["errors"].as_array().unwrap().len(), 50);
}

#[tokio::test]
async fn hostile_input_never_yields_a_server_error() {
    let kit = Kit::start().await;
    let id = kit.create(0, "Hostile").await;
    // Oversized body.
    let huge = format!("id={id}&tweet_id=1&pad={}", "x".repeat(70 * 1024));
    let mut req = kit.build(
        &kit.creds(0),
        "POST",
        "collections/entries/remove",
        &[],
        &[],
        Placement::Header,
        |_| {},
    );
    req.content_type = Some("application/x-www-form-urlencoded".into());
    req.body = Some(huge.into_bytes());
    kit.send(req).await.assert_error(413, 131);
    // Invalid UTF-8 and broken escapes in a signed form body decode lossily and are verified.
    let form = vec![
        ("id".to_string(), id.clone()),
        ("tweet_id".to_string(), "\u{fffd}%".to_string()),
    ];
    let req = kit.build(
        &kit.creds(0),
        "POST",
        "collections/entries/remove",
        &[],
        &form,
        Placement::Header,
        |_| {},
    );
    kit.send(req).await.assert_error(404, 144);
    let mut req = kit.build(
        &kit.creds(0),
        "POST",
        "collections/entries/remove",
        &[],
        &[],
        Placement::Header,
        |_| {},
    );
    req.content_type = Some("application/x-www-form-urlencoded".into());
    req.body = Some(vec![
        b'i', b'd', b'=', 0xff, 0xc3, b'%', b'z', b'z', b'&', b'&', b'=',
    ]);
    let r = kit.send(req).await;
    assert_eq!(
        r.status, 401,
        "unsigned garbage fails the signature: {}",
        r.raw
    );
    // Weird headers.
    let mut req = kit.build(
        &kit.creds(0),
        "GET",
        "collections/show",
        &pairs(&[("id", &id)]),
        &[],
        Placement::Header,
        |_| {},
    );
    req.extra_headers = vec![
        ("x-forwarded-proto".into(), "gopher, https".into()),
        (
            "content-type".into(),
            "multipart/form-data; boundary=\"".into(),
        ),
        ("accept".into(), "text/html".into()),
    ];
    assert_eq!(kit.send(req).await.status, 200);
    let r = kit
        .http
        .post(kit.url("collections/entries/remove"))
        .header("authorization", "OAuth oauth_consumer_key=unquoted")
        .send()
        .await
        .unwrap();
    crate::server_support::read(r).await.assert_error(400, 215);
    let r = kit
        .http
        .post(kit.url("collections/entries/remove"))
        .header("authorization", b"OAuth \xff\xfe".as_slice())
        .send()
        .await
        .unwrap();
    crate::server_support::read(r).await.assert_error(400, 215);
}

/// The kit's own `specs/`, loaded once: the server's answers are validated against the schemas
/// the vectors use, so the reference server and the kit cannot drift apart.
fn spec() -> &'static collections_conformance::spec::Spec {
    static SPEC: std::sync::OnceLock<collections_conformance::spec::Spec> =
        std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        collections_conformance::spec::Spec::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"),
        )
        .expect("specs/ loads")
    })
}

/// The schema problems of `body` against `specs/schemas/<name>.json`, one line each.
fn schema_problems(name: &str, body: &Value) -> Vec<String> {
    spec()
        .schemas
        .check(name, body)
        .unwrap_or_else(|| panic!("no schema `{name}` in specs/schemas/"))
        .into_iter()
        .map(|p| format!("{}: {}", p.instance_path, p.message))
        .collect()
}

/// Asserts the response body validates against the named schema of `specs/schemas/`.
#[track_caller]
fn assert_schema(r: &crate::server_support::Resp, name: &str) {
    let problems = schema_problems(name, &r.body);
    assert!(
        problems.is_empty(),
        "the server's answer breaks specs/schemas/{name}.json: {}\n{}",
        problems.join("; "),
        r.raw
    );
}

#[tokio::test]
async fn every_family_answer_validates_against_the_kits_schemas() {
    let kit = Kit::start().await;
    let t: Vec<String> = (0..4).map(|i| kit.tweet(i)).collect();
    let r = kit
        .call(
            0,
            "POST",
            "collections/create",
            &[("name", "Schemas"), ("url", "https://example.com/")],
        )
        .await;
    assert_schema(&r, "collection-create");
    let id = r.body["response"]["timeline_id"]
        .as_str()
        .unwrap()
        .to_string();
    let second = kit.create(0, "Schemas too").await;

    let r = kit
        .post_query(
            0,
            "collections/entries/add",
            &[("id", &id), ("tweet_id", &t[0])],
        )
        .await;
    assert_schema(&r, "entry-change-envelope");
    kit.add(0, &id, &t[1..3]).await;
    let r = kit
        .post_query(
            0,
            "collections/entries/add",
            &[("id", &id), ("tweet_id", &t[0])],
        )
        .await;
    assert_eq!(r.body["response"]["errors"][0]["reason"], "duplicate");
    assert_schema(&r, "entry-change-envelope");
    let r = kit
        .post_query(
            0,
            "collections/entries/move",
            &[("id", &id), ("tweet_id", &t[0]), ("relative_to", &t[2])],
        )
        .await;
    assert_schema(&r, "entry-change-envelope");
    let r = kit
        .post_query(
            0,
            "collections/entries/move",
            &[("id", &id), ("tweet_id", &t[3]), ("relative_to", &t[2])],
        )
        .await;
    assert_eq!(r.body["response"]["errors"][0]["reason"], "not_found");
    assert_schema(&r, "entry-change-envelope");
    let body = format!(
        r#"{{"id":"{id}","changes":[{{"op":"add","tweet_id":"{}"}},{{"op":"add","tweet_id":"{}"}}]}}"#,
        t[3], t[1]
    );
    let r = curate(&kit, 0, body.as_bytes(), "application/json").await;
    assert_eq!(r.body["response"]["errors"].as_array().unwrap().len(), 1);
    assert_schema(&r, "entry-change-envelope");

    let r = kit.call(1, "GET", "collections/show", &[("id", &id)]).await;
    assert_schema(&r, "collection-show");
    assert_schema(&r, "collection-permalink");
    let r = kit
        .call(
            0,
            "POST",
            "collections/update",
            &[("id", &id), ("name", "Renamed")],
        )
        .await;
    assert_schema(&r, "collection-create");
    let r = kit
        .call(
            0,
            "GET",
            "collections/entries",
            &[("id", &id), ("count", "2")],
        )
        .await;
    assert_eq!(r.body["response"]["position"]["was_truncated"], true);
    assert_schema(&r, "collection-entries");
    assert_schema(&r, "collection-permalink");

    let user = kit.server.info().users[0].user_id.clone();
    let r = kit
        .call(
            0,
            "GET",
            "collections/list",
            &[("user_id", &user), ("count", "1")],
        )
        .await;
    assert_schema(&r, "collection-list");
    assert_schema(&r, "collection-list-next");
    assert_schema(&r, "collection-permalink");
    let r = kit
        .call(
            0,
            "GET",
            "collections/list",
            &[("user_id", &user), ("count", "5")],
        )
        .await;
    assert_schema(&r, "collection-list");
    assert!(
        !schema_problems("collection-list-next", &r.body).is_empty(),
        "a complete page has no next_cursor: {}",
        r.raw
    );

    let r = kit
        .call(0, "POST", "collections/destroy", &[("id", &second)])
        .await;
    assert_schema(&r, "collection-destroy");
    for r in [
        kit.call(0, "GET", "collections/show", &[("id", &second)])
            .await,
        kit.call(0, "GET", "collections/list", &[]).await,
        kit.call(0, "POST", "collections/entries/move", &[("id", &id)])
            .await,
        kit.call(0, "GET", "collections/create", &[("name", "x")])
            .await,
    ] {
        assert!(r.status >= 400, "{}", r.raw);
        assert_schema(&r, "hard-error-envelope");
    }
}

#[test]
fn the_family_schemas_refuse_answers_the_server_must_not_give() {
    let show = json!({
        "objects": {"timelines": {"custom-1": {
            "name": "n", "user_id": "1", "description": "", "url": "", "visibility": "public",
            "timeline_order": "curation_reverse_chron", "collection_type": "user",
            "collection_url": "https://twitter.com/u/timelines/1"
        }}},
        "response": {"timeline_id": "custom-1"}
    });
    assert!(schema_problems("collection-show", &show).is_empty());
    assert!(schema_problems("collection-permalink", &show).is_empty());
    let broken = |pointer: &str, edit: &dyn Fn(&mut Value)| {
        let mut value = show.clone();
        edit(value.pointer_mut(pointer).unwrap());
        value
    };
    let no_order = broken("/objects/timelines/custom-1", &|t| {
        t.as_object_mut().unwrap().remove("timeline_order");
    });
    assert!(!schema_problems("collection-show", &no_order).is_empty());
    let sideways = broken("/objects/timelines/custom-1/timeline_order", &|o| {
        *o = json!("sideways")
    });
    assert!(!schema_problems("collection-show", &sideways).is_empty());
    let numeric_owner = broken("/objects/timelines/custom-1/user_id", &|u| *u = json!(1));
    assert!(!schema_problems("collection-show", &numeric_owner).is_empty());
    let no_permalink = broken("/objects/timelines/custom-1", &|t| {
        t.as_object_mut().unwrap().remove("collection_url");
    });
    assert!(!schema_problems("collection-permalink", &no_permalink).is_empty());
    let list = json!({
        "objects": {"timelines": {}},
        "response": {"results": [{"timeline_id": 1}], "cursors": {}}
    });
    assert!(!schema_problems("collection-list", &list).is_empty());
    let destroyed = json!({"destroyed": "true"});
    assert!(!schema_problems("collection-destroy", &destroyed).is_empty());
}

/// [D-ADD]: beyond capacity the add succeeds and "the oldest Tweet in the collection based on
/// the time it was added" goes: in a tweet_chron collection that is neither the oldest tweet nor
/// the one at either end, but the earliest addition.
#[tokio::test]
async fn a_full_collection_evicts_its_earliest_addition_whatever_the_order() {
    let kit = Kit::start_with(collections_conformance::server::ServerConfig {
        collection_capacity: 3,
        ..Default::default()
    })
    .await;
    let t: Vec<String> = (0..4).map(|i| kit.tweet(i)).collect();
    let number = |s: &String| s.parse::<u64>().unwrap();
    assert!(t.windows(2).all(|w| number(&w[0]) < number(&w[1])));
    let r = kit
        .call(
            0,
            "POST",
            "collections/create",
            &[("name", "Chron"), ("timeline_order", "tweet_chron")],
        )
        .await;
    let id = r.body["response"]["timeline_id"]
        .as_str()
        .unwrap()
        .to_string();
    kit.add(0, &id, &[t[1].clone(), t[0].clone(), t[2].clone()])
        .await;
    assert_eq!(kit.entry_ids(&id).await, [t[0].as_str(), &t[1], &t[2]]);
    // Asserts the success envelope.
    kit.add(0, &id, std::slice::from_ref(&t[3])).await;
    assert_eq!(kit.entry_ids(&id).await, [t[0].as_str(), &t[2], &t[3]]);
    // The evicted tweet is a new addition again, and the next earliest (t0) goes.
    kit.add(0, &id, std::slice::from_ref(&t[1])).await;
    assert_eq!(kit.entry_ids(&id).await, [t[1].as_str(), &t[2], &t[3]]);
}
