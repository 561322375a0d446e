//! Vision engine: see issue 3. Pure Rust, no DOM.
