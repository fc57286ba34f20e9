//! Serving with connection limits. `axum::serve` runs hyper without timeouts, so a client
//! that opens a connection and sends nothing, half a header or half a body would hold it
//! for ever. Every accepted socket is wrapped in [`Timed`], which watches the bytes that
//! cross it:
//!
//! - **header timeout**: once the first byte of a request has arrived, the end of its
//!   headers (an empty line) must follow within `DIGIPARAT_HEADER_TIMEOUT_SECS`;
//! - **idle timeout**: a connection on which no byte moves either way for
//!   `DIGIPARAT_IDLE_TIMEOUT_SECS` is closed (between requests, or a request that neither
//!   sends its body nor gets an answer);
//! - a request body that stops arriving is also cut by the body timeout in the router.
//!
//! A reading that times out ends in an I/O error, which makes hyper drop the connection.
//! The peer address travels as [`Peer`]; `server::client` turns it into the client's
//! address (behind a trusted proxy, from the forwarding headers).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};

/// The connection limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub header: Duration,
    pub idle: Duration,
}

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight
/// finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = TimedListener { listener, timeouts };
    axum::serve(listener, app.into_make_service_with_connect_info::<Peer>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// The TCP peer of a connection (before any proxy headers are believed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peer(pub SocketAddr);

impl Connected<IncomingStream<'_, TimedListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TimedListener>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

/// A TCP listener whose connections carry the limits.
pub struct TimedListener {
    listener: TcpListener,
    timeouts: Timeouts,
}

impl Listener for TimedListener {
    type Io = Timed;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Timed, SocketAddr) {
        loop {
            match self.listener.accept().await {
                Ok((tcp, addr)) => {
                    // Without TCP_NODELAY, streamed pages stall ~40 ms per keep-alive request.
                    if let Err(e) = tcp.set_nodelay(true) {
                        tracing::warn!(error = %e, "could not set TCP_NODELAY");
                    }
                    return (Timed::new(tcp, self.timeouts), addr);
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait, and go on serving.
                    tracing::error!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

/// A socket that fails its reads once the client has been too slow.
pub struct Timed {
    inner: TcpStream,
    limits: Timeouts,
    /// When a byte last moved either way.
    last_activity: Instant,
    /// When the first byte of a request head arrived whose end has not arrived yet.
    head_since: Option<Instant>,
    /// The last three bytes read, to find `\r\n\r\n` across reads.
    tail: [u8; 3],
    timer: Pin<Box<Sleep>>,
}

impl Timed {
    fn new(inner: TcpStream, limits: Timeouts) -> Timed {
        let now = Instant::now();
        Timed {
            inner,
            limits,
            last_activity: now,
            head_since: None,
            tail: [0; 3],
            timer: Box::pin(tokio::time::sleep_until(now + limits.idle)),
        }
    }

    /// Notes bytes read: a new head starts with the first byte after a response (or at
    /// the start), and ends with an empty line.
    fn read_some(&mut self, bytes: &[u8]) {
        let now = Instant::now();
        self.last_activity = now;
        let mut head_open = self.head_since.is_some();
        let mut window = self.tail;
        for &b in bytes {
            if !head_open {
                // A request starts with a letter; stray CR/LF between requests do not count.
                if b == b'\r' || b == b'\n' {
                    continue;
                }
                head_open = true;
                self.head_since = Some(now);
                window = [0; 3];
            }
            if window == *b"\r\n\r" && b == b'\n' {
                head_open = false;
                self.head_since = None;
                window = [0; 3];
                continue;
            }
            window = [window[1], window[2], b];
        }
        self.tail = window;
        if !head_open {
            self.head_since = None;
        }
    }

    fn deadline(&self) -> Instant {
        match self.head_since {
            Some(since) => since + self.limits.header,
            None => self.last_activity + self.limits.idle,
        }
    }
}

impl AsyncRead for Timed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.read_some(&buf.filled()[before..]);
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                // The timer is moved only when the deadline comes sooner (a request head
                // started); when it fires early because bytes moved since, it is set to
                // the later deadline then. Resetting it on every read registered it with
                // the runtime's timer wheel once per request.
                let deadline = self.deadline();
                if deadline < self.timer.deadline() {
                    self.timer.as_mut().reset(deadline);
                }
                loop {
                    if self.timer.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    let deadline = self.deadline();
                    if Instant::now() < deadline {
                        self.timer.as_mut().reset(deadline);
                        continue;
                    }
                    return Poll::Ready(Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        if self.head_since.is_some() {
                            "the request headers did not arrive in time"
                        } else {
                            "the connection was idle too long"
                        },
                    )));
                }
            }
        }
    }
}

impl AsyncWrite for Timed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.last_activity = Instant::now();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.last_activity = Instant::now();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
