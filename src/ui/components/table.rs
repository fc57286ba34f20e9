//! A list table of a staff page: a caption for screen readers, one header row, and the
//! rows the page renders, inside the wrapper that scrolls on a narrow screen (the page
//! itself never scrolls sideways).

use leptos::prelude::*;

#[component]
pub fn ListTable(
    /// Read by screen readers as the table's name.
    caption: String,
    /// The column headings, in order.
    columns: Vec<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
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
