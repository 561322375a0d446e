//! The catalogue anchors point to, and the two demo posts that open the feed
//! before anyone has posted. Both are fixed in code: the items' try-ons are
//! built into the app, so a new item needs a new app anyway.

use huddle_protocol::{Anchor, Item, ItemId, ItemKind, Post, PostId, Variant};

/// Length of both bundled demo videos.
const DEMO_SECONDS: f32 = 6.0;
/// 2026-01-01T00:00:00Z: demo posts are older than anything a person posts.
const DEMO_CREATED_MS: u64 = 1_767_225_600_000;

fn slug<T>(parse: fn(&str) -> Result<T, huddle_protocol::PostError>, text: &str) -> T {
    // Only called with the literals below, which the tests check.
    parse(text).unwrap_or_else(|e| panic!("catalogue slug {text:?}: {e}"))
}

fn variants(list: &[(&str, &str)]) -> Vec<Variant> {
    list.iter()
        .map(|(name, color)| Variant {
            id: name.to_ascii_lowercase(),
            name: (*name).to_owned(),
            color: (*color).to_owned(),
        })
        .collect()
}

pub fn items() -> Vec<Item> {
    vec![
        Item {
            id: slug(ItemId::parse, "lipstick-velvet"),
            name: "Velvet lipstick".into(),
            kind: ItemKind::Lipstick,
            label: "AR lipstick experience".into(),
            variants: variants(&[
                ("Ruby", "#b0122b"),
                ("Coral", "#e8554e"),
                ("Rose", "#c75b7a"),
                ("Berry", "#7b1f4b"),
                ("Nude", "#b9776b"),
                ("Plum", "#5e2750"),
                ("Cherry", "#d2042d"),
                ("Mauve", "#915f6d"),
            ]),
        },
        Item {
            id: slug(ItemId::parse, "hat-fedora"),
            name: "Fedora hat".into(),
            kind: ItemKind::Hat,
            label: "Hat try-on".into(),
            variants: variants(&[
                ("Charcoal", "#36454f"),
                ("Camel", "#c19a6b"),
                ("Navy", "#1f2a44"),
                ("Cream", "#efe6d2"),
            ]),
        },
    ]
}

pub fn has_item(id: &ItemId) -> bool {
    items().iter().any(|item| &item.id == id)
}

fn demo(id: &str, item: &str, label: &str, (x, y): (f32, f32), caption: &str) -> Post {
    Post {
        id: slug(PostId::parse, id),
        author: "Huddle".into(),
        caption: caption.into(),
        anchors: vec![Anchor {
            item: slug(ItemId::parse, item),
            label: label.into(),
            x,
            y,
            start_s: 0.0,
            end_s: DEMO_SECONDS,
        }],
        duration_s: DEMO_SECONDS,
        created_ms: DEMO_CREATED_MS,
        // Static files the app bundles next to index.html.
        media_url: format!("/demo/{}.webm", id.trim_start_matches("demo-")),
        media_type: "video/webm".into(),
        demo: true,
    }
}

/// Shown after every person's post.
pub fn demo_posts() -> Vec<Post> {
    vec![
        demo(
            "demo-lipstick",
            "lipstick-velvet",
            "AR lipstick experience",
            // Beside the lips in public/demo/lipstick.webm.
            (0.5, 0.49),
            "Eight shades of Velvet: tap to try them on.",
        ),
        demo(
            "demo-hat",
            "hat-fedora",
            "Hat try-on",
            // Under the brim in public/demo/hat.webm.
            (0.5, 0.61),
            "Which fedora suits you? Tap to try it on.",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_well_formed() {
        let items = items();
        assert_eq!(items.len(), 2);
        assert!(items[0].variants.len() >= 6);
        for variant in items.iter().flat_map(|i| &i.variants) {
            let hex = variant.color.strip_prefix('#').unwrap_or("");
            assert!(
                hex.len() == 6
                    && hex
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
                "{variant:?}"
            );
        }
    }

    #[test]
    fn demo_posts_point_at_the_catalogue() {
        let posts = demo_posts();
        let ids: Vec<_> = posts.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["demo-lipstick", "demo-hat"]);
        assert_eq!(posts[0].media_url, "/demo/lipstick.webm");
        assert_eq!(posts[1].media_url, "/demo/hat.webm");
        for post in &posts {
            assert!(post.demo);
            for anchor in &post.anchors {
                assert_eq!(anchor.validate(), Ok(()));
                assert!(has_item(&anchor.item));
            }
        }
    }
}
