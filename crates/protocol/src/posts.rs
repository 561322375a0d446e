//! The try-on feed over plain HTTP (`/api/items`, `/api/posts`): catalogue
//! items, posts with their anchors, and the refusals of an upload. JSON,
//! snake_case, described in `docs/protocol.md` ("Posts (HTTP)").

use std::fmt;

use serde::{Deserialize, Serialize};

/// Largest video a post may carry, in bytes.
pub const MAX_POST_BYTES: u64 = 25 * 1024 * 1024;
/// Longest video a post may carry, in seconds (the server allows half a
/// second of slack, because encoders round frame times).
pub const MAX_POST_SECONDS: f32 = 30.0;
/// Most anchors on one post.
pub const MAX_ANCHORS: usize = 4;
/// Longest author name, in characters.
pub const MAX_AUTHOR_CHARS: usize = 40;
/// Longest caption, in characters.
pub const MAX_CAPTION_CHARS: usize = 300;
/// Longest anchor label, in characters.
pub const MAX_ANCHOR_LABEL_CHARS: usize = 60;
/// Longest item or post id, in characters.
pub const MAX_SLUG_CHARS: usize = 40;
/// The request header that carries a [`NewPost`] as percent-encoded JSON
/// next to the raw video body, so the browser can send the file itself
/// (`xhr.send(blob)`) and get real upload progress.
pub const NEW_POST_HEADER: &str = "x-huddle-post";

/// Why post metadata (or an id) is not acceptable. The messages are
/// sentences a person can read: the server passes them on in a refusal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    #[error("An item id is 1 to 40 characters: lowercase letters, digits and dashes.")]
    InvalidItemId,
    #[error("A post id is 1 to 40 characters: lowercase letters, digits and dashes.")]
    InvalidPostId,
    #[error("An anchor must sit inside the video (x and y between 0 and 1).")]
    AnchorPosition,
    #[error("An anchor must start at 0 s or later and end after it starts.")]
    AnchorTime,
    #[error("An anchor label is 1 to 60 characters.")]
    AnchorLabel,
    #[error("Give a name of 1 to 40 characters.")]
    Author,
    #[error("A caption is at most 300 characters.")]
    Caption,
    #[error("A post has at most 4 anchors.")]
    TooManyAnchors,
    #[error("The video's length and size must be real numbers.")]
    Numbers,
}

/// Ids are slugs so they are safe in URLs and as file names: nothing a path
/// parameter could use to climb out of a directory.
fn is_slug(text: &str) -> bool {
    (1..=MAX_SLUG_CHARS).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $error:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(text: &str) -> Result<Self, PostError> {
                if is_slug(text) {
                    Ok(Self(text.to_owned()))
                } else {
                    Err($error)
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = PostError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_id!(
    /// A catalogue item, e.g. `lipstick-velvet`.
    ItemId,
    PostError::InvalidItemId
);
slug_id!(
    /// A post: 16 random lowercase hex characters made by the server, or a
    /// demo post's name (`demo-lipstick`).
    PostId,
    PostError::InvalidPostId
);

/// What kind of try-on an item opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Lipstick,
    Hat,
}

/// One shade or colour of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub id: String,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
}

/// A catalogue item an anchor can point to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: ItemId,
    pub name: String,
    pub kind: ItemKind,
    /// The default anchor text, e.g. "AR lipstick experience".
    pub label: String,
    pub variants: Vec<Variant>,
}

/// A tap target drawn on the video for a time range, pointing to an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anchor {
    pub item: ItemId,
    pub label: String,
    /// Centre of the anchor chip, as a share (0..=1) of the video's width.
    pub x: f32,
    /// Centre of the anchor chip, as a share (0..=1) of the video's height.
    pub y: f32,
    pub start_s: f32,
    pub end_s: f32,
}

impl Anchor {
    pub fn validate(&self) -> Result<(), PostError> {
        let inside = |v: f32| v.is_finite() && (0.0..=1.0).contains(&v);
        if !inside(self.x) || !inside(self.y) {
            return Err(PostError::AnchorPosition);
        }
        if !self.start_s.is_finite()
            || !self.end_s.is_finite()
            || self.start_s < 0.0
            || self.end_s <= self.start_s
        {
            return Err(PostError::AnchorTime);
        }
        let label = self.label.trim().chars().count();
        if label == 0 || self.label.chars().count() > MAX_ANCHOR_LABEL_CHARS {
            return Err(PostError::AnchorLabel);
        }
        Ok(())
    }
}

/// What the client sends with an upload, in the [`NEW_POST_HEADER`] header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPost {
    pub author: String,
    #[serde(default)]
    pub caption: String,
    #[serde(default)]
    pub anchors: Vec<Anchor>,
    /// The length the recorder saw. The server measures the video itself and
    /// stores its own figure.
    pub duration_s: f32,
    /// The body's exact length: anything else is a broken upload.
    pub bytes: u64,
}

impl NewPost {
    pub fn validate(&self) -> Result<(), PostError> {
        let author = self.author.trim();
        if author.is_empty()
            || author.chars().count() > MAX_AUTHOR_CHARS
            || author.chars().any(char::is_control)
        {
            return Err(PostError::Author);
        }
        if self.caption.chars().count() > MAX_CAPTION_CHARS {
            return Err(PostError::Caption);
        }
        if self.anchors.len() > MAX_ANCHORS {
            return Err(PostError::TooManyAnchors);
        }
        if !self.duration_s.is_finite() {
            return Err(PostError::Numbers);
        }
        self.anchors.iter().try_for_each(Anchor::validate)
    }
}

/// A post in the feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub id: PostId,
    pub author: String,
    pub caption: String,
    pub anchors: Vec<Anchor>,
    /// Measured by the server from the video itself.
    pub duration_s: f32,
    /// Unix milliseconds.
    pub created_ms: u64,
    /// Where the video plays from (supports HTTP range requests).
    pub media_url: String,
    /// `video/webm`.
    pub media_type: String,
    /// A post that ships with the app rather than one a person made.
    #[serde(default)]
    pub demo: bool,
}

/// Why the server refused a posts request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostErrorCode {
    /// Over [`MAX_POST_BYTES`] (HTTP 413).
    TooLarge,
    /// Not a WebM video, whatever its name or Content-Type says (415).
    WrongType,
    /// Over [`MAX_POST_SECONDS`] (422).
    TooLong,
    /// The upload or the file itself stops early (400).
    Truncated,
    /// The metadata header is missing or not acceptable (422).
    BadMetadata,
    /// An anchor points to an item not in the catalogue (422).
    UnknownItem,
    /// The server could not store the post (500).
    Storage,
    /// No such post (404).
    NotFound,
}

impl PostErrorCode {
    /// The HTTP status a refusal with this code is sent with.
    pub fn http_status(self) -> u16 {
        match self {
            Self::TooLarge => 413,
            Self::WrongType => 415,
            Self::TooLong | Self::BadMetadata | Self::UnknownItem => 422,
            Self::Truncated => 400,
            Self::Storage => 500,
            Self::NotFound => 404,
        }
    }
}

/// The JSON body of every refused posts request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostRefusal {
    pub code: PostErrorCode,
    /// A sentence the app shows as it is.
    pub message: String,
}

impl PostRefusal {
    pub fn new(code: PostErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One way to spoil a valid value, for table-driven tests.
    type Change<T> = fn(&mut T);

    fn item(id: &str) -> ItemId {
        ItemId::parse(id).unwrap_or_else(|e| panic!("{id}: {e}"))
    }

    fn anchor() -> Anchor {
        Anchor {
            item: item("lipstick-velvet"),
            label: "AR lipstick experience".into(),
            x: 0.5,
            y: 0.62,
            start_s: 0.0,
            end_s: 6.0,
        }
    }

    fn new_post() -> NewPost {
        NewPost {
            author: "Ann".into(),
            caption: "Ruby or coral?".into(),
            anchors: vec![anchor()],
            duration_s: 6.0,
            bytes: 1234,
        }
    }

    #[test]
    fn ids_are_slugs() {
        for good in ["lipstick-velvet", "0123456789abcdef", "demo-hat", "a"] {
            assert!(ItemId::parse(good).is_ok(), "{good}");
            assert!(PostId::parse(good).is_ok(), "{good}");
        }
        let long = "a".repeat(41);
        for bad in [
            "",
            "..",
            "../x",
            "a/b",
            "A",
            "a b",
            "é",
            "a.webm",
            long.as_str(),
        ] {
            assert_eq!(ItemId::parse(bad), Err(PostError::InvalidItemId), "{bad}");
            assert_eq!(PostId::parse(bad), Err(PostError::InvalidPostId), "{bad}");
        }
        assert!(serde_json::from_str::<PostId>(r#""../etc""#).is_err());
        assert_eq!(
            serde_json::to_string(&item("hat-fedora")).ok().as_deref(),
            Some(r#""hat-fedora""#)
        );
    }

    #[test]
    fn anchors_validate() {
        assert_eq!(anchor().validate(), Ok(()));
        let cases: [(Change<Anchor>, PostError); 9] = [
            (|a| a.x = 1.01, PostError::AnchorPosition),
            (|a| a.y = -0.1, PostError::AnchorPosition),
            (|a| a.x = f32::NAN, PostError::AnchorPosition),
            (|a| a.start_s = -1.0, PostError::AnchorTime),
            (|a| a.end_s = 0.0, PostError::AnchorTime),
            (|a| a.end_s = f32::INFINITY, PostError::AnchorTime),
            (|a| a.label = "  ".into(), PostError::AnchorLabel),
            (|a| a.label = "x".repeat(61), PostError::AnchorLabel),
            (|a| a.start_s = f32::NAN, PostError::AnchorTime),
        ];
        for (change, error) in cases {
            let mut a = anchor();
            change(&mut a);
            assert_eq!(a.validate(), Err(error), "{a:?}");
        }
        let mut edge = anchor();
        (edge.x, edge.y, edge.label) = (0.0, 1.0, "x".repeat(60));
        assert_eq!(edge.validate(), Ok(()));
    }

    #[test]
    fn new_posts_validate() {
        assert_eq!(new_post().validate(), Ok(()));
        let no_anchors = NewPost {
            anchors: vec![],
            caption: String::new(),
            ..new_post()
        };
        assert_eq!(no_anchors.validate(), Ok(()));
        let cases: [(Change<NewPost>, PostError); 7] = [
            (|p| p.author = " ".into(), PostError::Author),
            (|p| p.author = "x".repeat(41), PostError::Author),
            (|p| p.author = "a\u{7}".into(), PostError::Author),
            (|p| p.caption = "c".repeat(301), PostError::Caption),
            (|p| p.anchors = vec![anchor(); 5], PostError::TooManyAnchors),
            (|p| p.duration_s = f32::NAN, PostError::Numbers),
            (|p| p.anchors[0].x = 2.0, PostError::AnchorPosition),
        ];
        for (change, error) in cases {
            let mut p = new_post();
            change(&mut p);
            assert_eq!(p.validate(), Err(error), "{p:?}");
        }
        let mut full = new_post();
        full.caption = "c".repeat(300);
        full.author = format!("  {}  ", "x".repeat(40));
        full.anchors = vec![anchor(); 4];
        assert_eq!(full.validate(), Ok(()));
    }

    #[test]
    fn json_shapes() {
        let json = serde_json::to_value(new_post()).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({
                "author": "Ann", "caption": "Ruby or coral?",
                "anchors": [{"item": "lipstick-velvet", "label": "AR lipstick experience",
                             "x": 0.5, "y": 0.62f32, "start_s": 0.0, "end_s": 6.0}],
                "duration_s": 6.0, "bytes": 1234
            })
        );
        let minimal: Result<NewPost, _> =
            serde_json::from_str(r#"{"author":"Bo","duration_s":2.5,"bytes":10}"#);
        assert!(minimal.is_ok_and(|p| p.anchors.is_empty() && p.caption.is_empty()));

        let refusal = PostRefusal::new(PostErrorCode::TooLarge, "That video is larger than 25 MB.");
        assert_eq!(
            serde_json::to_string(&refusal).ok().as_deref(),
            Some(r#"{"code":"too_large","message":"That video is larger than 25 MB."}"#)
        );
        for (code, wire) in [
            (PostErrorCode::WrongType, "wrong_type"),
            (PostErrorCode::TooLong, "too_long"),
            (PostErrorCode::BadMetadata, "bad_metadata"),
            (PostErrorCode::UnknownItem, "unknown_item"),
            (PostErrorCode::NotFound, "not_found"),
        ] {
            assert_eq!(serde_json::to_value(code).ok(), Some(wire.into()));
        }
        let item = Item {
            id: item("hat-fedora"),
            name: "Fedora hat".into(),
            kind: ItemKind::Hat,
            label: "Hat try-on".into(),
            variants: vec![Variant {
                id: "navy".into(),
                name: "Navy".into(),
                color: "#1f2a44".into(),
            }],
        };
        let value = serde_json::to_value(&item).unwrap_or_default();
        assert_eq!(value["kind"], "hat");
        assert_eq!(value["variants"][0]["color"], "#1f2a44");
        assert_eq!(serde_json::from_value::<Item>(value).ok(), Some(item));
    }

    #[test]
    fn post_round_trips_and_demo_defaults_false() {
        let post = Post {
            id: PostId::parse("0123456789abcdef").unwrap_or_else(|e| panic!("{e}")),
            author: "Ann".into(),
            caption: String::new(),
            anchors: vec![anchor()],
            duration_s: 2.9,
            created_ms: 1_700_000_000_000,
            media_url: "/api/posts/0123456789abcdef/media".into(),
            media_type: "video/webm".into(),
            demo: false,
        };
        let text = serde_json::to_string(&post).unwrap_or_default();
        assert_eq!(serde_json::from_str::<Post>(&text).ok(), Some(post.clone()));
        let without_demo = text.replace(",\"demo\":false", "");
        assert_ne!(without_demo, text);
        assert_eq!(serde_json::from_str::<Post>(&without_demo).ok(), Some(post));
    }

    #[test]
    fn statuses() {
        assert_eq!(PostErrorCode::TooLarge.http_status(), 413);
        assert_eq!(PostErrorCode::WrongType.http_status(), 415);
        assert_eq!(PostErrorCode::TooLong.http_status(), 422);
        assert_eq!(PostErrorCode::Truncated.http_status(), 400);
        assert_eq!(PostErrorCode::Storage.http_status(), 500);
    }
}
