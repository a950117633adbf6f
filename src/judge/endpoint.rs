//! Which Collections endpoint a recorded URL targets, and which schema its success answer has.

/// A recorded request to `/1.1/collections/...json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `collections/entries/remove` (whatever follows `/1.1/`, without `.json`).
    pub name: String,
    /// The URL path, for rate-limit keys and trial names.
    pub path: String,
}

/// The endpoint a URL targets, when it is a Collections endpoint (`/1.1/collections/...json`,
/// under any path prefix, as a proxy or a base URL with a path may add one).
pub fn collections_target(url: &url::Url) -> Option<Target> {
    let path = url.path();
    let at = path.find("/1.1/collections/")?;
    let name = path[at + "/1.1/".len()..].strip_suffix(".json")?;
    if name.is_empty() || name.ends_with('/') {
        return None;
    }
    Some(Target {
        name: name.to_string(),
        path: path.to_string(),
    })
}

/// The schema under `specs/schemas/` of the endpoint's 2xx answer; `None` for an endpoint
/// whose answer `specs/` does not describe (`collections/list`, unknown names).
pub fn success_schema(name: &str) -> Option<&'static str> {
    match name {
        "collections/entries/add"
        | "collections/entries/remove"
        | "collections/entries/move"
        | "collections/entries/curate" => Some("entry-change-envelope"),
        "collections/create" | "collections/update" | "collections/show" => {
            Some("collection-create")
        }
        "collections/destroy" => Some("collection-destroy"),
        "collections/entries" => Some("collection-entries"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Option<String> {
        collections_target(&url::Url::parse(url).unwrap()).map(|t| t.name)
    }

    #[test]
    fn collections_paths_are_recognised_under_any_prefix() {
        assert_eq!(
            target("https://api.twitter.com/1.1/collections/entries/remove.json?id=x").as_deref(),
            Some("collections/entries/remove")
        );
        assert_eq!(
            target("http://127.0.0.1:9/proxy/1.1/collections/show.json").as_deref(),
            Some("collections/show")
        );
        assert_eq!(
            target("https://api.twitter.com/1.1/statuses/update.json"),
            None
        );
        assert_eq!(
            target("https://api.twitter.com/1.1/collections/entries/remove"),
            None
        );
        assert_eq!(
            target("https://api.twitter.com/1.1/collections/.json"),
            None
        );
    }
}
