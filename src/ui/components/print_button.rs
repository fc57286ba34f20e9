//! A print button, shown only where JavaScript runs (without it, the browser's own print
//! command works the same; the print stylesheet makes the page fit one A4 page).

use leptos::prelude::*;

#[island]
pub fn PrintButton(label: String) -> impl IntoView {
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    view! {
        <button
            type="button"
            class="button button-secondary d-print-none"
            hidden=move || !ready.get()
            on:click=move |_| print()
        >
            {label}
        </button>
    }
}

#[cfg(feature = "hydrate")]
fn print() {
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

#[cfg(not(feature = "hydrate"))]
fn print() {}
