//! Read-aloud button: speaks a part of the page with the browser's speech synthesis.
//! It is rendered hidden and only revealed after hydration where speech synthesis exists,
//! so people without JavaScript or without a voice never meet a button that does nothing.

use leptos::prelude::*;

/// The read-aloud button in the page's language, reading the element with id `target`.
#[component]
pub fn ReadAloudButton(target: &'static str) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    view! {
        <ReadAloud
            target=target.to_owned()
            lang=lang.code().to_owned()
            label=lang.t("read-aloud")
            stop_label=lang.t("read-aloud-stop")
        />
    }
}

#[island]
pub fn ReadAloud(
    /// The id of the element whose text is read.
    target: String,
    /// The page language (BCP 47), so the browser picks a matching voice.
    lang: String,
    label: String,
    stop_label: String,
) -> impl IntoView {
    let supported = RwSignal::new(false);
    let speaking = RwSignal::new(false);
    Effect::new(move |_| supported.set(speech::available()));
    let on_click = {
        let target = target.clone();
        let lang = lang.clone();
        move |_| {
            if speaking.get_untracked() {
                speech::cancel();
                speaking.set(false);
            } else if speech::speak(&target, &lang, move || speaking.set(false)) {
                speaking.set(true);
            }
        }
    };
    view! {
        <button
            type="button"
            class="button button-secondary read-aloud d-print-none"
            hidden=move || !supported.get()
            aria-pressed=move || if speaking.get() { "true" } else { "false" }
            data-read-aloud=target
            on:click=on_click
        >
            // Each text in its own element: the island then needs no hydration markers,
            // which HTML does not allow (server::document).
            // A drawn speaker, not the emoji: phones and browsers without an emoji font
            // showed an empty box.
            <svg aria-hidden="true" focusable="false" class="read-aloud-icon" width="20" height="20" viewBox="0 0 24 24">
                <path fill="currentColor" d="M3 9v6h4l5 5V4L7 9H3z" />
                <path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M15.5 8.5a5 5 0 0 1 0 7M18.5 5.5a9 9 0 0 1 0 13" />
            </svg>
            <span>{move || if speaking.get() { stop_label.clone() } else { label.clone() }}</span>
        </button>
    }
}

#[cfg(feature = "hydrate")]
mod speech {
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};

    fn synth() -> Option<web_sys::SpeechSynthesis> {
        let window = web_sys::window()?;
        let has = js_sys::Reflect::has(&window, &JsValue::from_str("speechSynthesis")).ok()?;
        if !has {
            return None;
        }
        window.speech_synthesis().ok()
    }

    pub fn available() -> bool {
        synth().is_some()
    }

    pub fn cancel() {
        if let Some(s) = synth() {
            s.cancel();
        }
    }

    /// Starts reading the text of element `target`; `on_end` runs when it stops by itself.
    pub fn speak(target: &str, lang: &str, on_end: impl FnOnce() + 'static) -> bool {
        let Some(synth) = synth() else { return false };
        let Some(text) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(target))
            .and_then(|el| el.text_content())
        else {
            return false;
        };
        let Ok(utterance) = web_sys::SpeechSynthesisUtterance::new_with_text(text.trim()) else {
            return false;
        };
        utterance.set_lang(lang);
        let done = Closure::once_into_js(on_end);
        utterance.set_onend(Some(done.unchecked_ref()));
        synth.cancel();
        synth.speak(&utterance);
        true
    }
}

#[cfg(not(feature = "hydrate"))]
mod speech {
    pub fn available() -> bool {
        false
    }
    pub fn cancel() {}
    pub fn speak(_target: &str, _lang: &str, _on_end: impl FnOnce() + 'static) -> bool {
        false
    }
}
