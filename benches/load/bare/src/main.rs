//! `bare-axum ADDR DIR`: serves `DIR/get.html` to every GET (200, text/html) and answers
//! every POST with a 303 to `DIR/post.location`, as Digiparat answers an answer save.
//! Sockets get TCP_NODELAY like Digiparat's. Nothing else: no middleware, no state.

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(addr), Some(dir)) = (args.next(), args.next()) else {
        eprintln!("usage: bare-axum ADDR DIR");
        std::process::exit(2);
    };
    let page = Bytes::from(std::fs::read(format!("{dir}/get.html"))?);
    let location = std::fs::read_to_string(format!("{dir}/post.location"))?;
    let location = HeaderValue::from_str(location.trim())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    let app = Router::new().fallback(get(move || {
        let page = page.clone();
        async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page) }
    })
    .post(move || {
        let location = location.clone();
        async move {
            let mut response: Response = StatusCode::SEE_OTHER.into_response();
            response.headers_mut().insert(header::LOCATION, location);
            response
        }
    }));
    let listener = tokio::net::TcpListener::bind(&addr).await?.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await
}
