//! Download and preparation progress of the vision models, then how long they took.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::vision::messages::ModelLoad;

/// Where the model loading stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadState {
    /// Bytes received and expected per file, in the order they started.
    pub files: BTreeMap<String, (u64, Option<u64>)>,
    pub ready: Option<Vec<ModelLoad>>,
    pub error: Option<String>,
}

impl LoadState {
    pub fn progress(&mut self, file: String, loaded: u64, total: Option<u64>) {
        self.files.insert(file, (loaded, total));
    }

    pub fn ready(&mut self, models: Vec<ModelLoad>) {
        self.ready = Some(models);
        self.error = None;
    }

    pub fn failed(&mut self, message: String) {
        self.error = Some(message);
    }

    pub fn is_ready(&self) -> bool {
        self.ready.is_some()
    }

    /// `loading`, `ready` or `failed` (also exposed to tests as `data-state`).
    pub fn phase(&self) -> &'static str {
        match (&self.error, &self.ready) {
            (Some(_), _) => "failed",
            (None, Some(_)) => "ready",
            (None, None) => "loading",
        }
    }

    /// Overall download fraction, when every size is known.
    pub fn fraction(&self) -> Option<f64> {
        let mut loaded = 0u64;
        let mut total = 0u64;
        for (l, t) in self.files.values() {
            loaded += l;
            total += (*t)?;
        }
        (total > 0).then(|| loaded as f64 / total as f64)
    }

    /// Bytes received so far.
    pub fn received(&self) -> u64 {
        self.files.values().map(|(l, _)| l).sum()
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

#[component]
pub fn ModelProgress(state: RwSignal<LoadState>) -> impl IntoView {
    let status = move || {
        state.with(|s| match (s.phase(), s.fraction()) {
            ("failed", _) => String::new(),
            ("ready", _) => "Ready.".to_string(),
            (_, Some(f)) if f >= 1.0 => "Preparing the models…".to_string(),
            (_, Some(f)) => format!("Downloading the models: {:.0} %", f * 100.0),
            (_, None) if s.files.is_empty() => "Starting…".to_string(),
            (_, None) => format!("Downloading the models: {}", megabytes(s.received())),
        })
    };
    view! {
        <div class="model-progress card" data-phase=move || state.with(|s| s.phase())>
            <p class="status" role="status" aria-live="polite">{status}</p>
            <Show when=move || state.with(|s| s.phase() == "loading")>
                <progress
                    aria-label="Model download"
                    max="1"
                    value=move || state.with(|s| s.fraction().map(|f| f.min(1.0).to_string()))
                ></progress>
            </Show>
            {move || state.with(|s| s.error.clone()).map(|e| view! {
                <p class="alert" role="alert">{e}</p>
            })}
            {move || state.with(|s| s.ready.clone()).map(|models| view! {
                <details class="load-times">
                    <summary>"Load times"</summary>
                    <ul>
                        {models.into_iter().map(|m| view! {
                            <li>
                                <code>{m.file.clone()}</code>
                                {format!(": {}, downloaded in {:.0} ms, prepared in {:.0} ms",
                                    megabytes(m.bytes), m.download_ms, m.prepare_ms)}
                            </li>
                        }).collect::<Vec<_>>()}
                    </ul>
                </details>
            })}
        </div>
    }
}
