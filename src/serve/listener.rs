//! A TCP listener with bounded connections: at most `max_connections` open
//! at once (the next accept waits for one to close), and a connection on
//! which the client sends nothing for `idle` is closed (a client that never
//! finishes its headers, an idle keep-alive connection, or one that does not
//! read its answer, does not hold a
//! place or keep a graceful shutdown waiting forever).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_io_timeout::TimeoutStream;

/// See the module docs.
pub struct BoundedListener {
    listener: TcpListener,
    places: Arc<Semaphore>,
    idle: Duration,
}

impl BoundedListener {
    pub fn new(listener: TcpListener, max_connections: usize, idle: Duration) -> BoundedListener {
        BoundedListener {
            listener,
            places: Arc::new(Semaphore::new(max_connections.max(1))),
            idle,
        }
    }
}

/// One accepted connection: its stream with the idle timeout, and its place
/// (given back when the connection is dropped).
pub struct Connection {
    stream: Pin<Box<TimeoutStream<TcpStream>>>,
    _place: OwnedSemaphorePermit,
}

impl axum::serve::Listener for BoundedListener {
    type Io = Connection;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Connection, SocketAddr) {
        let place = Arc::clone(&self.places)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        loop {
            match self.listener.accept().await {
                Ok((tcp, addr)) => {
                    // Answers are small; no Nagle delay on them.
                    let _ = tcp.set_nodelay(true);
                    let mut stream = TimeoutStream::new(tcp);
                    stream.set_read_timeout(Some(self.idle));
                    stream.set_write_timeout(Some(self.idle));
                    return (
                        Connection {
                            stream: Box::pin(stream),
                            _place: place,
                        },
                        addr,
                    );
                }
                // Out of file descriptors and the like: wait, as axum's own
                // TCP listener does, rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.stream.as_mut().poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.stream.as_mut().poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.stream.as_mut().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.stream.as_mut().poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.stream.as_mut().poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
