//! Hands-free shutters: the voice shot (the microphone passes a level) and the
//! smile shot (enough members smile). Each fires once, then waits until the
//! trigger has dropped away and a short pause has passed before it can fire again.

use gloo_timers::callback::Interval;
use leptos::prelude::*;

use crate::live::dom::now;
use crate::live::smiles::{needed, smiling};
use crate::live::voice::{VoiceEvent, VoiceMeter};
use crate::session::Session;

/// The least time between two hands-free shots.
const REARM_MS: f64 = 3_000.0;
/// How often the smile shot looks at the members' smiles.
const SMILE_CHECK_MS: u32 = 200;
/// Default voice threshold, percent of the meter (a raised voice, not room noise).
const DEFAULT_VOICE_LEVEL: u32 = 60;

/// Fires `shoot` when its trigger goes from "not yet" to "yes" and the pause is over.
#[derive(Clone, Copy)]
struct Trigger {
    armed: bool,
    last: f64,
}

impl Trigger {
    fn new() -> Self {
        Self {
            armed: true,
            last: f64::NEG_INFINITY,
        }
    }

    /// Whether to shoot now, given whether the condition holds.
    fn fire(&mut self, condition: bool, at: f64) -> bool {
        if !condition {
            self.armed = true;
            return false;
        }
        if self.armed && at - self.last >= REARM_MS {
            self.armed = false;
            self.last = at;
            return true;
        }
        false
    }
}

#[component]
pub fn AutoShutter(shoot: Callback<()>) -> impl IntoView {
    let session = expect_context::<Session>();

    // Voice shot.
    let voice_on = RwSignal::new(false);
    let voice_level = RwSignal::new(DEFAULT_VOICE_LEVEL);
    let mic_level = RwSignal::new(0.0f32);
    let voice_problem = RwSignal::new(None::<String>);
    let meter = StoredValue::new_local(None::<VoiceMeter>);
    let voice_trigger = StoredValue::new(Trigger::new());
    let toggle_voice = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        voice_on.set(on);
        voice_problem.set(None);
        meter.set_value(None);
        mic_level.set(0.0);
        if !on {
            return;
        }
        voice_trigger.set_value(Trigger::new());
        let on_event = move |ev: VoiceEvent| match ev {
            VoiceEvent::Level(level) => {
                mic_level.set(level);
                let over = level * 100.0 >= voice_level.get_untracked() as f32;
                let fire = voice_trigger
                    .try_update_value(|t| t.fire(over, now()))
                    .unwrap_or(false);
                if fire {
                    shoot.run(());
                }
            }
            VoiceEvent::Failed(why) => {
                voice_problem.set(Some(why));
                voice_on.set(false);
                // Not from inside the meter's own callback: drop it on the next turn.
                wasm_bindgen_futures::spawn_local(async move { meter.set_value(None) });
            }
        };
        match VoiceMeter::start(on_event) {
            Ok(m) => meter.set_value(Some(m)),
            Err(_) => {
                voice_problem.set(Some(
                    "This browser cannot listen for the voice shot.".into(),
                ));
                voice_on.set(false);
            }
        }
    };

    // Smile shot.
    let smile_on = RwSignal::new(false);
    // `None`: every member.
    let smiles_wanted = RwSignal::new(None::<usize>);
    let smiling_now = RwSignal::new((0usize, 0usize));
    let smile_timer = StoredValue::new_local(None::<Interval>);
    let smile_trigger = StoredValue::new(Trigger::new());
    let toggle_smile = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        smile_on.set(on);
        smile_timer.set_value(None);
        if !on {
            return;
        }
        smile_trigger.set_value(Trigger::new());
        // Everyone's faces are tracked while the smile shot watches, and only then.
        session.want_smiles();
        let timer = Interval::new(SMILE_CHECK_MS, move || {
            session.want_smiles();
            let members = session.member_ids_untracked();
            let count = smiling(&members, &session.smiles());
            smiling_now.set((count, members.len()));
            let enough = count >= needed(smiles_wanted.get_untracked(), members.len());
            let fire = smile_trigger
                .try_update_value(|t| t.fire(enough, now()))
                .unwrap_or(false);
            if fire {
                shoot.run(());
            }
        });
        smile_timer.set_value(Some(timer));
    };
    on_cleanup(move || {
        meter.set_value(None);
        smile_timer.set_value(None);
    });

    let member_count = move || session.member_names().len().max(1);
    let wanted_options = move || {
        (1..member_count())
            .map(|n| view! { <option value=n.to_string()>{n.to_string()}</option> })
            .collect::<Vec<_>>()
    };

    view! {
        <fieldset class="auto-shutter">
            <legend>"Hands-free"</legend>
            <div class="auto-row">
                <label class="check">
                    <input type="checkbox" prop:checked=voice_on on:change=toggle_voice />
                    "Voice shot"
                </label>
                <div class="field">
                    <label for="voice-level">"Voice level"</label>
                    <input id="voice-level" type="range" min="5" max="100" step="5"
                        prop:value=move || voice_level.get().to_string()
                        aria-valuetext=move || format!("{}%", voice_level.get())
                        on:input=move |ev| voice_level.set(
                            event_target_value(&ev).parse().unwrap_or(DEFAULT_VOICE_LEVEL))
                    />
                </div>
                <meter aria-label="Microphone level" min="0" max="100"
                    value=move || format!("{:.0}", mic_level.get() * 100.0)
                    data-level=move || format!("{:.0}", mic_level.get() * 100.0)
                    hidden=move || !voice_on.get()></meter>
            </div>
            <div class="auto-row">
                <label class="check">
                    <input type="checkbox" prop:checked=smile_on on:change=toggle_smile />
                    "Smile shot"
                </label>
                <div class="field">
                    <label for="smiles-needed">"Smiles needed"</label>
                    <select id="smiles-needed" on:change=move |ev| {
                        smiles_wanted.set(event_target_value(&ev).parse().ok())
                    }>
                        <option value="all">"Everyone"</option>
                        {wanted_options}
                    </select>
                </div>
                <span class="smiling" data-smiling=move || smiling_now.get().0.to_string()
                    hidden=move || !smile_on.get()>
                    {move || {
                        let (n, of) = smiling_now.get();
                        format!("Smiling: {n} of {of}")
                    }}
                </span>
            </div>
            {move || voice_problem.get().map(|text| view! {
                <p class="alert" role="alert">{text}</p>
            })}
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::{Trigger, REARM_MS};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn fires_once_per_rise_and_not_too_often() {
        let mut t = Trigger::new();
        assert!(!t.fire(false, 0.0));
        assert!(t.fire(true, 10.0));
        // Still smiling: no second shot, however long it lasts.
        assert!(!t.fire(true, 10.0 + 10.0 * REARM_MS));
        // Dropped and rose again, but too soon after the last shot.
        let mut t = Trigger::new();
        assert!(t.fire(true, 0.0));
        assert!(!t.fire(false, 100.0));
        assert!(!t.fire(true, 200.0));
        // Once the pause is over, the still-raised trigger fires (it was re-armed).
        assert!(t.fire(true, REARM_MS + 1.0));
    }
}
