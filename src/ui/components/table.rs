//! A list table of a staff page: a caption for screen readers, one header row, and the
//! rows the page renders, inside a labelled region that scrolls on a narrow screen and
//! can be scrolled from the keyboard (the page itself never scrolls sideways).

use leptos::prelude::*;

#[component]
pub fn ListTable(
    /// Read by screen readers as the table's name.
    caption: String,
    /// The column headings, in order (text, or a link that sorts by the column).
    columns: Vec<AnyView>,
    children: Children,
) -> impl IntoView {
    let region = caption.clone();
    view! {
        <div class="table-wrap" role="region" tabindex="0" aria-label=region>
            <table class="table">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        {columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
