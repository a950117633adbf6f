//! `collections-conformance export openapi`: an OpenAPI 3.1 description of the Collections
//! endpoints, generated from the loaded [`Spec`], so an OpenAPI mock server, fuzzer or client
//! generator works from the same contract the kit checks.
//!
//! What comes from where:
//! - response schemas: every file under `specs/schemas/` except `vector.json` (the kit's own
//!   file format, not part of the API), embedded under `components/schemas` with their
//!   `urn:collections-conformance:*` references rewritten to `#/components/schemas/*`;
//! - error responses: `specs/error-codes.json`, one example per code under each status the code
//!   table ties it to (5xx left out: the kit's `robustness.no_5xx` forbids them);
//! - descriptions: `specs/requirements.json` on `entries/remove` (the endpoint they are about),
//!   listed by level and also as `x-requirements`;
//! - parameters and examples: the project's API reference (`§` sections), quoted in
//!   [`ENDPOINTS`]; an operation whose answer has no schema in `specs/` says so in
//!   `x-conformance-source: reference`.
//!
//! OpenAPI has no OAuth 1.0a security scheme type. The export uses `type: http` with
//! `scheme: OAuth`: "OAuth" is the HTTP authentication scheme RFC 5849 §3.5.1 registers with
//! IANA, so the scheme names exactly the `Authorization: OAuth ...` header a client sends, and
//! tools that do not know it treat it as an opaque header instead of inventing an OAuth 2 flow.
//! What a signer needs to know (HMAC-SHA1, version 1.0, the base string, where parameters may
//! go) is in its description and in the `x-oauth1` extension.

use crate::spec::Spec;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The prefix of the `$id` of every schema under `specs/schemas/`.
const URN_PREFIX: &str = "urn:collections-conformance:";

/// The `openapi` version written.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// The name of the security scheme under `components/securitySchemes`.
pub const SECURITY_SCHEME: &str = "oauth1";

/// Schemas under `specs/schemas/` that describe the kit itself, not the API, and are not
/// exported.
pub const KIT_ONLY_SCHEMAS: &[&str] = &["vector"];

/// One query or form parameter of an endpoint, as the reference's parameter table lists it.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Parameter name.
    pub name: &'static str,
    /// Whether the reference marks it required.
    pub required: bool,
    /// The reference's description.
    pub description: &'static str,
    /// The reference's example value.
    pub example: &'static str,
    /// Name of a schema under `specs/schemas/` its value follows, if one does.
    pub schema: Option<&'static str>,
}

/// How an endpoint takes its parameters besides the query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// GET: the query string only.
    None,
    /// POST: the query string, or the same parameters as an `application/x-www-form-urlencoded`
    /// body (signed like the query).
    Form,
    /// POST with an `application/json` body that is not part of the signature (curate).
    Json,
}

/// One Collections endpoint, as the export describes it.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    /// `collections/entries/remove`.
    pub name: &'static str,
    /// `get` or `post`.
    pub method: &'static str,
    /// The reference's one-line description.
    pub summary: &'static str,
    /// Section of the project's API reference (`shared/reference/twitter-collections-v1.1.md`).
    pub reference: &'static str,
    /// The documentation page.
    pub source: &'static str,
    /// Schema under `specs/schemas/` of its 200 answer; `None`: described from the reference.
    pub schema: Option<&'static str>,
    /// Parameters.
    pub params: &'static [Param],
    /// Where else parameters go.
    pub body: Body,
    /// Documented examples of the 200 answer: (name, summary, JSON text).
    pub examples: &'static [(&'static str, &'static str, &'static str)],
}

const DOCS: &str = "https://developer.twitter.com/en/docs/twitter-api/v1/tweets/curate-a-collection/api-reference/";

const ID: Param = Param {
    name: "id",
    required: true,
    description: "The identifier of the Collection.",
    example: "custom-388061495298244609",
    schema: Some("timeline-id"),
};

const TWEET_ID: Param = Param {
    name: "tweet_id",
    required: true,
    description: "The identifier of the Tweet.",
    example: "390839888012382208",
    schema: Some("id-string"),
};

const RELATIVE_TO: Param = Param {
    name: "relative_to",
    required: false,
    description: "The identifier of the Tweet used for relative positioning in a curation_reverse_chron ordered collection.",
    example: "614929127313965056",
    schema: Some("id-string"),
};

const ABOVE: Param = Param {
    name: "above",
    required: false,
    description: "Set to false to insert the specified tweet_id below the relative_to Tweet in the collection. Default: true.",
    example: "false",
    schema: None,
};

const NAME: Param = Param {
    name: "name",
    required: true,
    description: "The title of the collection being created, in 25 characters or less.",
    example: "Sweet Tweets",
    schema: None,
};

const DESCRIPTION: Param = Param {
    name: "description",
    required: false,
    description: "A brief description of this collection in 160 characters or fewer.",
    example: "My favorite tweets ever",
    schema: None,
};

const URL: Param = Param {
    name: "url",
    required: false,
    description: "A fully-qualified URL to associate with this collection.",
    example: "https://example.com/",
    schema: None,
};

const COUNT: Param = Param {
    name: "count",
    required: false,
    description: "Specifies the maximum number of results to include in the response. Specify a count between 1 and 200.",
    example: "100",
    schema: None,
};

const SOFT_SUCCESS: &str = r#"{"objects":{},"response":{"errors":[]}}"#;

/// Every Collections endpoint the reference server serves, in the reference's order.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        name: "collections/entries/remove",
        method: "post",
        summary: "Remove the specified Tweet from a Collection.",
        reference: "§2",
        source: "post-collections-entries-remove",
        schema: Some("entry-change-envelope"),
        params: &[ID, TWEET_ID],
        body: Body::Form,
        examples: &[
            ("success", "Documented success", SOFT_SUCCESS),
            (
                "not_found",
                "Documented failure: the tweet is not in the collection (HTTP 200, soft error)",
                r#"{"response":{"errors":[{"change":{"tweet_id":"390890231215292416","op":"remove"},"reason":"not_found"}]},"objects":{}}"#,
            ),
        ],
    },
    Endpoint {
        name: "collections/entries/add",
        method: "post",
        summary: "Add a specified Tweet to a Collection.",
        reference: "§3.1",
        source: "post-collections-entries-add",
        schema: Some("entry-change-envelope"),
        params: &[ID, TWEET_ID, RELATIVE_TO, ABOVE],
        body: Body::Form,
        examples: &[
            ("success", "Documented success", SOFT_SUCCESS),
            (
                "duplicate",
                "Documented failure: the tweet is already in the collection",
                r#"{"objects":{},"response":{"errors":[{"change":{"op":"add","tweet_id":"390897780949925889"},"reason":"duplicate"}]}}"#,
            ),
        ],
    },
    Endpoint {
        name: "collections/entries/move",
        method: "post",
        summary: "Move a specified Tweet to a new position in a curation_reverse_chron ordered collection.",
        reference: "§3.2",
        source: "post-collections-entries-move",
        schema: Some("entry-change-envelope"),
        params: &[
            ID,
            TWEET_ID,
            Param {
                required: true,
                ..RELATIVE_TO
            },
            ABOVE,
        ],
        body: Body::Form,
        examples: &[("success", "Documented success", SOFT_SUCCESS)],
    },
    Endpoint {
        name: "collections/entries/curate",
        method: "post",
        summary: "Curate a Collection by adding or removing Tweets in bulk (at most 100 cumulative additions or removals per request).",
        reference: "§3.3",
        source: "post-collections-entries-curate",
        schema: Some("entry-change-envelope"),
        params: &[],
        body: Body::Json,
        examples: &[
            ("success", "Documented success", SOFT_SUCCESS),
            (
                "duplicate",
                "Documented failure (first of the four changes)",
                r#"{"objects":{},"response":{"errors":[{"reason":"duplicate","change":{"op":"add","tweet_id":"390897780949925889"}}]}}"#,
            ),
        ],
    },
    Endpoint {
        name: "collections/create",
        method: "post",
        summary: "Create a Collection owned by the currently authenticated user.",
        reference: "§3.4",
        source: "post-collections-create",
        schema: Some("collection-create"),
        params: &[
            NAME,
            DESCRIPTION,
            URL,
            Param {
                name: "timeline_order",
                required: false,
                description: "Order Tweets chronologically or in the order they are added to a Collection: curation_reverse_chron (order added, default), tweet_chron (oldest first), tweet_reverse_chron (most recent first).",
                example: "tweet_reverse_chron",
                schema: None,
            },
        ],
        body: Body::Form,
        examples: &[],
    },
    Endpoint {
        name: "collections/destroy",
        method: "post",
        summary: "Permanently delete a Collection owned by the currently authenticated user.",
        reference: "§3.5",
        source: "post-collections-destroy",
        schema: Some("collection-destroy"),
        params: &[ID],
        body: Body::Form,
        examples: &[("destroyed", "Documented success", r#"{"destroyed":true}"#)],
    },
    Endpoint {
        name: "collections/update",
        method: "post",
        summary: "Update information concerning a Collection owned by the currently authenticated user.",
        reference: "§3.6",
        source: "post-collections-update",
        schema: Some("collection-create"),
        params: &[
            ID,
            Param {
                required: false,
                ..NAME
            },
            DESCRIPTION,
            URL,
        ],
        body: Body::Form,
        examples: &[],
    },
    Endpoint {
        name: "collections/show",
        method: "get",
        summary: "Retrieve information associated with a specific Collection.",
        reference: "§3.7",
        source: "get-collections-show",
        schema: Some("collection-create"),
        params: &[ID],
        body: Body::None,
        examples: &[],
    },
    Endpoint {
        name: "collections/list",
        method: "get",
        summary: "Find Collections created by a specific user or containing a specific curated Tweet.",
        reference: "§3.8",
        source: "get-collections-list",
        schema: None,
        params: &[
            Param {
                name: "user_id",
                required: false,
                description: "The ID of the user for whom to return results. The page marks both user_id and screen_name required; one of them is.",
                example: "20",
                schema: Some("id-string"),
            },
            Param {
                name: "screen_name",
                required: false,
                description: "The screen name of the user for whom to return results (see user_id).",
                example: "twitterdev",
                schema: None,
            },
            Param {
                name: "tweet_id",
                required: false,
                description: "The identifier of the Tweet for which to return results.",
                example: "514533751213551616",
                schema: Some("id-string"),
            },
            COUNT,
            Param {
                name: "cursor",
                required: false,
                description: "A string identifying the segment of the current result set to retrieve.",
                example: "BXb2synCEAE",
                schema: None,
            },
        ],
        body: Body::None,
        examples: &[],
    },
    Endpoint {
        name: "collections/entries",
        method: "get",
        summary: "Retrieve the identified Collection, presented as a list of the Tweets curated within.",
        reference: "§3.9",
        source: "get-collections-entries",
        schema: Some("collection-entries"),
        params: &[
            Param {
                description: "The identifier of the Collection for which to return results.",
                example: "custom-539487832448843776",
                ..ID
            },
            COUNT,
            Param {
                name: "max_position",
                required: false,
                description: "Returns results with a position value less than or equal to the specified position.",
                example: "54321",
                schema: None,
            },
            Param {
                name: "min_position",
                required: false,
                description: "Returns results with a position greater than the specified position.",
                example: "12345",
                schema: None,
            },
        ],
        body: Body::None,
        examples: &[],
    },
];

/// The OpenAPI 3.1 document, as JSON.
pub fn document(spec: &Spec) -> anyhow::Result<Value> {
    let schemas = component_schemas(spec)?;
    let error_statuses = error_examples(spec);
    let mut paths = Map::new();
    for endpoint in ENDPOINTS {
        if let Some(name) = endpoint.schema {
            anyhow::ensure!(
                schemas.contains_key(name),
                "endpoint {} needs schema `{name}`, which {} does not have",
                endpoint.name,
                spec.root.join("schemas").display()
            );
        }
        let mut item = Map::new();
        item.insert(
            endpoint.method.into(),
            operation(spec, endpoint, &error_statuses),
        );
        paths.insert(format!("/{}.json", endpoint.name), Value::Object(item));
    }
    Ok(json!({
        "openapi": OPENAPI_VERSION,
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Twitter REST API v1.1 Collections",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "The Collections endpoints as the collections-conformance kit checks them.",
            "description": "Generated by `collections-conformance export openapi` from the kit's `specs/` \
                (JSON Schemas, error codes, requirements). The live service is retired; \
                `collections-conformance serve` is a faithful reference server of these endpoints. \
                Operations marked `x-conformance-source: specs` answer with a schema the kit checks; \
                `reference` ones are described from the project's API reference only. Error answers \
                use the hard envelope; the code table pairs code 131 with HTTP 500, which is left out \
                because the kit requires that no request be answered with a 5xx.",
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" }
        },
        "servers": [
            { "url": "https://api.twitter.com/1.1", "description": "The original service (retired)." },
            {
                "url": "http://127.0.0.1:{port}/1.1",
                "description": "`collections-conformance serve --port N`, the kit's reference server.",
                "variables": { "port": { "default": "8080" } }
            }
        ],
        "security": [ { SECURITY_SCHEME: [] } ],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": { SECURITY_SCHEME: security_scheme() },
            "headers": rate_limit_headers(),
            "responses": error_responses(&error_statuses),
        }
    }))
}

/// The document as pretty-printed JSON with a final newline.
pub fn render(spec: &Spec) -> anyhow::Result<String> {
    Ok(format!(
        "{}\n",
        serde_json::to_string_pretty(&document(spec)?)?
    ))
}

/// Every API schema of `specs/schemas/`, references rewritten to `#/components/schemas/*`,
/// `$id` and `$schema` dropped (the document's `jsonSchemaDialect` says 2020-12).
pub fn component_schemas(spec: &Spec) -> anyhow::Result<Map<String, Value>> {
    let mut out = Map::new();
    for name in spec.schemas.names() {
        if KIT_ONLY_SCHEMAS.contains(&name) {
            continue;
        }
        let path = spec.root.join("schemas").join(format!("{name}.json"));
        let mut schema = crate::spec::read_json(&path)?;
        if let Value::Object(map) = &mut schema {
            map.remove("$id");
            map.remove("$schema");
        }
        rewrite_refs(&mut schema);
        out.insert(name.to_string(), schema);
    }
    Ok(out)
}

/// `urn:collections-conformance:NAME` -> `#/components/schemas/NAME`, everywhere in a schema.
pub fn rewrite_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if key == "$ref" {
                    if let Some(name) = inner.as_str().and_then(|r| r.strip_prefix(URN_PREFIX)) {
                        *inner = Value::String(format!("#/components/schemas/{name}"));
                    }
                } else {
                    rewrite_refs(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn param_schema(param: &Param) -> Value {
    match param.schema {
        Some(name) => schema_ref(name),
        None => json!({ "type": "string" }),
    }
}

fn operation(
    spec: &Spec,
    endpoint: &Endpoint,
    error_statuses: &BTreeMap<u16, Map<String, Value>>,
) -> Value {
    let from_specs = endpoint.schema.is_some();
    let mut description = format!(
        "{} Documented at {DOCS}{} (project API reference {}).",
        endpoint.summary, endpoint.source, endpoint.reference
    );
    if !from_specs {
        description.push_str(
            " Described from the reference only: specs/ has no schema for this answer, so the \
             kit does not check its shape.",
        );
    }
    let mut op = Map::new();
    op.insert("operationId".into(), operation_id(endpoint.name).into());
    op.insert("summary".into(), endpoint.summary.into());
    op.insert("tags".into(), json!(["collections"]));
    op.insert(
        "externalDocs".into(),
        json!({ "url": format!("{DOCS}{}", endpoint.source) }),
    );
    op.insert(
        "x-conformance-source".into(),
        if from_specs { "specs" } else { "reference" }.into(),
    );
    op.insert("x-reference-section".into(), endpoint.reference.into());
    if endpoint.name == "collections/entries/remove" {
        let (text, list) = requirements(spec);
        description.push_str(&text);
        op.insert("x-requirements".into(), list);
    }
    op.insert("description".into(), description.into());
    let params: Vec<Value> = endpoint
        .params
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "in": "query",
                "required": p.required && endpoint.body == Body::None,
                "description": p.description,
                "schema": param_schema(p),
                "example": p.example,
            })
        })
        .collect();
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Array(params));
    }
    match endpoint.body {
        Body::None => {}
        Body::Form => {
            let properties: Map<String, Value> = endpoint
                .params
                .iter()
                .map(|p| (p.name.to_string(), param_schema(p)))
                .collect();
            let required: Vec<&str> = endpoint
                .params
                .iter()
                .filter(|p| p.required)
                .map(|p| p.name)
                .collect();
            op.insert(
                "requestBody".into(),
                json!({
                    "required": false,
                    "description": format!(
                        "The parameters go on the query string (as the documented example request does) \
                         or in this form body, or split between both; either way they are signed. \
                         Required, in one place or the other: {}.",
                        if required.is_empty() { "none".to_string() } else { required.join(", ") }
                    ),
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": { "type": "object", "properties": properties }
                        }
                    }
                }),
            );
        }
        Body::Json => {
            op.insert(
                "requestBody".into(),
                json!({
                    "required": true,
                    "description": "A JSON body, which is not part of the OAuth signature base string \
                        (only the query string and the oauth_* parameters are signed).",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["id", "changes"],
                                "properties": {
                                    "id": schema_ref("timeline-id"),
                                    "changes": {
                                        "type": "array",
                                        "maxItems": 100,
                                        "items": {
                                            "type": "object",
                                            "required": ["op", "tweet_id"],
                                            "properties": {
                                                "op": { "enum": ["add", "remove"] },
                                                "tweet_id": schema_ref("id-string")
                                            }
                                        }
                                    }
                                }
                            },
                            "example": serde_json::from_str::<Value>(
                                r#"{"id":"custom-388061495298244609","changes":[{"op":"add","tweet_id":"390897780949925889"},{"op":"add","tweet_id":"390853164611555329"}]}"#
                            ).unwrap_or(Value::Null)
                        }
                    }
                }),
            );
        }
    }
    let mut responses = Map::new();
    let mut ok = Map::new();
    ok.insert("description".into(), "Success.".into());
    ok.insert("headers".into(), rate_limit_header_refs());
    let schema = match endpoint.schema {
        Some(name) => schema_ref(name),
        None => json!({
            "type": "object",
            "description": "Structure per the reference: response.results (array of objects each holding a timeline_id), response.cursors (next_cursor, previous_cursor), objects (users, tweets, timelines by id).",
            "properties": {
                "response": {
                    "type": "object",
                    "properties": {
                        "results": { "type": "array", "items": { "type": "object", "properties": { "timeline_id": schema_ref("timeline-id") } } },
                        "cursors": { "type": "object", "properties": { "next_cursor": { "type": "string" }, "previous_cursor": { "type": "string" } } }
                    }
                },
                "objects": { "type": "object" }
            }
        }),
    };
    let mut media = Map::new();
    media.insert("schema".into(), schema);
    if !endpoint.examples.is_empty() {
        let examples: Map<String, Value> = endpoint
            .examples
            .iter()
            .map(|(name, summary, text)| {
                let value = serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
                (
                    name.to_string(),
                    json!({ "summary": summary, "value": value }),
                )
            })
            .collect();
        media.insert("examples".into(), Value::Object(examples));
    }
    ok.insert("content".into(), json!({ "application/json": media }));
    responses.insert("200".into(), Value::Object(ok));
    for status in error_statuses.keys() {
        responses.insert(
            status.to_string(),
            json!({ "$ref": format!("#/components/responses/error-{status}") }),
        );
    }
    op.insert("responses".into(), Value::Object(responses));
    op.insert("security".into(), json!([{ SECURITY_SCHEME: [] }]));
    Value::Object(op)
}

/// `collections/entries/remove` -> `collectionsEntriesRemove`.
pub fn operation_id(name: &str) -> String {
    let mut out = String::new();
    for (i, part) in name.split('/').enumerate() {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            if i == 0 {
                out.push(first);
            } else {
                out.extend(first.to_uppercase());
            }
            out.extend(chars);
        }
    }
    out
}

/// The requirements, as Markdown for the description and as `x-requirements`.
fn requirements(spec: &Spec) -> (String, Value) {
    let mut text = String::from(
        "\n\nRequirements the kit checks (specs/requirements.json; MUST fails the default profile, \
         SHOULD the strict one):\n",
    );
    let mut list = Vec::new();
    let mut sorted: Vec<_> = spec
        .requirements
        .iter()
        .filter(|r| !r.id.starts_with("oauth.signer."))
        .collect();
    sorted.sort_by(|a, b| (a.level, &a.id).cmp(&(b.level, &b.id)));
    for r in sorted {
        text.push_str(&format!(
            "\n- **{}** `{}`: {}",
            r.level.label(),
            r.id,
            r.statement
        ));
        list.push(json!({
            "id": r.id,
            "level": r.level.label(),
            "evidence": r.evidence.as_str(),
            "statement": r.statement,
            "source": r.source,
        }));
    }
    (text, Value::Array(list))
}

/// Per HTTP status (below 500), one example hard envelope per code the table ties to it.
fn error_examples(spec: &Spec) -> BTreeMap<u16, Map<String, Value>> {
    let mut by_status: BTreeMap<u16, Map<String, Value>> = BTreeMap::new();
    for (code, entry) in spec.error_codes.iter() {
        for status in &entry.statuses {
            if *status >= 500 {
                continue;
            }
            by_status.entry(*status).or_default().insert(
                format!("code_{code}"),
                json!({
                    "summary": format!("code {code} ({} evidence: {})", entry.evidence, entry.source),
                    "value": { "errors": [ { "code": code, "message": entry.message.replace("{name}", "id") } ] }
                }),
            );
        }
    }
    by_status
}

/// `error-403` and so on: the hard envelope with the table's examples for that status.
fn error_responses(error_statuses: &BTreeMap<u16, Map<String, Value>>) -> Value {
    let mut out = Map::new();
    for (status, examples) in error_statuses {
        out.insert(
            format!("error-{status}"),
            json!({
                "description": format!("Refused: HTTP {status} with the hard error envelope."),
                "headers": rate_limit_header_refs(),
                "content": {
                    "application/json": {
                        "schema": schema_ref("hard-error-envelope"),
                        "examples": examples
                    }
                }
            }),
        );
    }
    Value::Object(out)
}

fn security_scheme() -> Value {
    json!({
        "type": "http",
        "scheme": "OAuth",
        "description": "OAuth 1.0a user context (RFC 5849), HMAC-SHA1, as Twitter documents it: \
            `Authorization: OAuth oauth_consumer_key=\"...\", oauth_nonce=\"...\", oauth_signature=\"...\", \
            oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"...\", oauth_token=\"...\", oauth_version=\"1.0\"`. \
            The signature is the base64 HMAC-SHA1, under `percent(consumer_secret)&percent(token_secret)`, of \
            `METHOD&percent(base URL)&percent(sorted, RFC 3986-encoded query, form-body and oauth_* parameters)`. \
            OpenAPI has no OAuth 1.0a scheme type: `http` with the IANA-registered scheme name `OAuth` (RFC 5849 §3.5.1) \
            names the header exactly; `x-oauth1` carries the details. Bearer (app-only) tokens are refused on every \
            Collections endpoint.",
        "x-oauth1": {
            "rfc": "https://www.rfc-editor.org/rfc/rfc5849",
            "signature_method": "HMAC-SHA1",
            "version": "1.0",
            "parameters": ["oauth_consumer_key", "oauth_nonce", "oauth_signature", "oauth_signature_method", "oauth_timestamp", "oauth_token", "oauth_version"],
            "placement": ["header", "query", "form"],
            "signed": ["query", "application/x-www-form-urlencoded body", "oauth_* except oauth_signature"],
            "percent_encoding": "RFC 3986: A-Z a-z 0-9 - . _ ~ kept, every other byte %XX upper-case (space is %20)",
            "docs": "https://developer.twitter.com/en/docs/authentication/oauth-1-0a/creating-a-signature"
        }
    })
}

fn rate_limit_headers() -> Value {
    let header = |text: &str| {
        json!({
            "description": text,
            "schema": { "type": "string", "pattern": "^[0-9]+$" }
        })
    };
    json!({
        "x-rate-limit-limit": header("The rate limit ceiling for that given endpoint."),
        "x-rate-limit-remaining": header("The number of requests left for the 15 minute window; never above the limit, counting down per access token and endpoint."),
        "x-rate-limit-reset": header("The remaining window before the rate limit resets, in UTC epoch seconds."),
    })
}

fn rate_limit_header_refs() -> Value {
    let mut map = Map::new();
    for name in [
        "x-rate-limit-limit",
        "x-rate-limit-remaining",
        "x-rate-limit-reset",
    ] {
        map.insert(
            name.into(),
            json!({ "$ref": format!("#/components/headers/{name}") }),
        );
    }
    Value::Object(map)
}
