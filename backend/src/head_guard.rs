//! The request-head guard: every request head is checked against the API's
//! own limits before actix-web's HTTP/1 parser sees it, so that a head that
//! parser would refuse (too many header fields, a URL too long for it, a head
//! too large, a malformed one) is answered with the API's JSON error instead
//! of actix's empty `400` or `431`.
//!
//! It sits between the socket and actix's parser, frames the requests of a
//! connection (heads, `Content-Length` and chunked bodies) to know where each
//! head starts, and passes every byte through unchanged. A refused head is
//! replaced by a small request for an internal path, which the `refused_head`
//! middleware answers with the JSON error (and `connection: close`), so the
//! answer keeps its place among the connection's responses.

use actix_web::http::Uri;
use bytes::{Buf, BytesMut};
use std::io;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Header fields a request may carry (actix-web's parser takes at most 96).
pub const MAX_HEADERS: usize = 96;
/// Bytes a request head may have (actix-web's parser takes under 128 KiB).
pub const MAX_HEAD: usize = 120 * 1024;
/// Characters a URL may have (the `http` crate's limit).
pub const MAX_URL: usize = 65_534;

/// Why a head was refused, and the answer the API gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    TooManyHeaders,
    HeadTooLarge,
    UrlTooLong,
    Malformed,
}

impl Refusal {
    const ALL: [Refusal; 4] = [
        Refusal::TooManyHeaders,
        Refusal::HeadTooLarge,
        Refusal::UrlTooLong,
        Refusal::Malformed,
    ];

    fn code(self) -> &'static str {
        match self {
            Refusal::TooManyHeaders => "headers",
            Refusal::HeadTooLarge => "head",
            Refusal::UrlTooLong => "url",
            Refusal::Malformed => "malformed",
        }
    }

    /// The status and message the API answers.
    pub fn answer(self) -> (u16, String) {
        match self {
            Refusal::TooManyHeaders => (
                431,
                format!("The request has too many header fields: at most {MAX_HEADERS}"),
            ),
            Refusal::HeadTooLarge => (
                431,
                format!(
                    "The request's header fields are too large: at most {} KiB in all",
                    MAX_HEAD / 1024
                ),
            ),
            Refusal::UrlTooLong => (
                414,
                format!("The URL is too long: at most {MAX_URL} characters"),
            ),
            Refusal::Malformed => (400, "The request is not well-formed HTTP/1.1".into()),
        }
    }

    /// The refusal an internal path names, if it is one.
    pub fn of_path(path: &str) -> Option<Refusal> {
        let code = path.strip_prefix(prefix())?;
        Refusal::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// The internal path refused heads are replaced by: a secret of this process,
/// so no client can ask for it.
fn prefix() -> &'static str {
    static PREFIX: OnceLock<String> = OnceLock::new();
    PREFIX.get_or_init(|| format!("/.refused-head-{}/", uuid::Uuid::new_v4().simple()))
}

/// Where the next byte from the client falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// A request head begins here.
    Head,
    /// This many bytes of a body remain.
    Body(u64),
    /// A chunk-size line of a chunked body.
    ChunkSize,
    /// This many bytes of a chunk remain, then its CRLF.
    ChunkData(u64),
    /// The trailer section after the last chunk.
    Trailers,
    /// A refused head was replaced: nothing more is read from this connection.
    Refused,
    /// An upgraded connection (never used by this API): passed through as it is.
    Opaque,
}

/// A client connection, its request heads checked on the way in.
pub struct GuardedStream<IO> {
    io: IO,
    framing: Framing,
    /// Bytes read from the client, not yet framed.
    input: BytesMut,
    /// Framed bytes for actix's parser.
    output: BytesMut,
    /// The client closed its side.
    eof: bool,
}

impl<IO> GuardedStream<IO> {
    pub fn new(io: IO) -> Self {
        Self {
            io,
            framing: Framing::Head,
            input: BytesMut::new(),
            output: BytesMut::new(),
            eof: false,
        }
    }

    /// Move what can be framed from `input` to `output`. Stops when more
    /// bytes are needed.
    fn frame(&mut self) {
        loop {
            match self.framing {
                Framing::Refused => {
                    self.input.clear();
                    return;
                }
                Framing::Opaque => {
                    let all = self.input.split();
                    self.output.unsplit(all);
                    return;
                }
                Framing::Body(0) => self.framing = Framing::Head,
                Framing::Body(n) | Framing::ChunkData(n) if !self.input.is_empty() => {
                    let take = (self.input.len() as u64).min(n) as usize;
                    let part = self.input.split_to(take);
                    self.output.unsplit(part);
                    let left = n - take as u64;
                    self.framing = match self.framing {
                        Framing::Body(_) => Framing::Body(left),
                        _ if left > 0 => Framing::ChunkData(left),
                        // The chunk's data is done; its CRLF is a line of its own.
                        _ => Framing::ChunkSize,
                    };
                }
                Framing::Body(_) | Framing::ChunkData(_) => return,
                Framing::ChunkSize => match httparse::parse_chunk_size(&self.input) {
                    Ok(httparse::Status::Complete((used, size))) => {
                        let line = self.input.split_to(used);
                        self.output.unsplit(line);
                        self.framing = if size == 0 {
                            Framing::Trailers
                        } else {
                            // The data, then its CRLF (two more bytes).
                            Framing::ChunkData(size + 2)
                        };
                    }
                    Ok(httparse::Status::Partial) if self.input.len() < 1024 => return,
                    _ => return self.refuse(Refusal::Malformed),
                },
                Framing::Trailers => {
                    let Some(end) = self.input.iter().position(|b| *b == b'\n') else {
                        if self.input.len() > MAX_HEAD {
                            self.refuse(Refusal::HeadTooLarge);
                        }
                        return;
                    };
                    let line = self.input.split_to(end + 1);
                    let blank = line.as_ref() == b"\r\n" || line.as_ref() == b"\n";
                    self.output.unsplit(line);
                    if blank {
                        self.framing = Framing::Head;
                    }
                }
                Framing::Head => {
                    if self.input.is_empty() || !self.head() {
                        return;
                    }
                }
            }
        }
    }

    /// Frame one request head from `input`; false when it is not whole yet.
    fn head(&mut self) -> bool {
        // Empty lines before a request are allowed (RFC 9112 2.2).
        while self.input.starts_with(b"\r\n") || self.input.starts_with(b"\n") {
            let n = if self.input[0] == b'\r' { 2 } else { 1 };
            let blank = self.input.split_to(n);
            self.output.unsplit(blank);
        }
        if self.input.is_empty() {
            return false;
        }
        let mut fields = [httparse::EMPTY_HEADER; 4 * MAX_HEADERS];
        let mut request = httparse::Request::new(&mut fields);
        let used = match request.parse(&self.input) {
            Ok(httparse::Status::Complete(used)) => used,
            Ok(httparse::Status::Partial) => {
                let line_open = !self.input.contains(&b'\n');
                if line_open && self.input.len() > MAX_URL + 32 {
                    self.refuse(Refusal::UrlTooLong);
                    return true;
                }
                if self.input.len() > MAX_HEAD {
                    self.refuse(Refusal::HeadTooLarge);
                    return true;
                }
                return false;
            }
            Err(httparse::Error::TooManyHeaders) => {
                self.refuse(Refusal::TooManyHeaders);
                return true;
            }
            Err(_) => {
                self.refuse(Refusal::Malformed);
                return true;
            }
        };
        let verdict = check(&request, used);
        let framing = verdict.and_then(|()| body_framing(&request));
        match framing {
            Ok(next) => {
                let head = self.input.split_to(used);
                self.output.unsplit(head);
                self.framing = next;
            }
            Err(refusal) => self.refuse(refusal),
        }
        true
    }

    /// Replace the head (and everything after it) by the request for the
    /// refusal's internal path, closing the connection after its answer.
    fn refuse(&mut self, refusal: Refusal) {
        let request = format!(
            "GET {}{} HTTP/1.1\r\nhost: refused\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
            prefix(),
            refusal.code()
        );
        self.output.extend_from_slice(request.as_bytes());
        self.input.clear();
        self.framing = Framing::Refused;
    }
}

/// The limits a whole head must keep.
fn check(request: &httparse::Request<'_, '_>, used: usize) -> Result<(), Refusal> {
    if used > MAX_HEAD {
        return Err(Refusal::HeadTooLarge);
    }
    if request.headers.len() > MAX_HEADERS {
        return Err(Refusal::TooManyHeaders);
    }
    let path = request.path.unwrap_or("");
    if path.len() > MAX_URL {
        return Err(Refusal::UrlTooLong);
    }
    if Uri::try_from(path).is_err() {
        return Err(Refusal::Malformed);
    }
    Ok(())
}

/// Where the request's body ends, from its head.
fn body_framing(request: &httparse::Request<'_, '_>) -> Result<Framing, Refusal> {
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let mut upgrade = request.method == Some("CONNECT");
    for h in request.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            let value = std::str::from_utf8(h.value)
                .ok()
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or(Refusal::Malformed)?;
            if length.is_some_and(|l| l != value) {
                return Err(Refusal::Malformed);
            }
            length = Some(value);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            let last = std::str::from_utf8(h.value)
                .map_err(|_| Refusal::Malformed)?
                .rsplit(',')
                .next()
                .unwrap_or("")
                .trim();
            chunked = last.eq_ignore_ascii_case("chunked");
            if !chunked {
                return Err(Refusal::Malformed);
            }
        } else if h.name.eq_ignore_ascii_case("upgrade") {
            upgrade = true;
        }
    }
    Ok(if upgrade {
        Framing::Opaque
    } else if chunked {
        Framing::ChunkSize
    } else {
        Framing::Body(length.unwrap_or(0))
    })
}

impl<IO: AsyncRead + Unpin> AsyncRead for GuardedStream<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if !this.output.is_empty() {
                let n = this.output.len().min(buf.remaining());
                buf.put_slice(&this.output[..n]);
                this.output.advance(n);
                return Poll::Ready(Ok(()));
            }
            if this.framing == Framing::Refused {
                // Nothing more is read: actix answers the refusal and closes.
                return Poll::Pending;
            }
            if this.eof {
                // The client closed: hand over what it sent, then the end.
                let rest = this.input.split();
                if rest.is_empty() {
                    return Poll::Ready(Ok(()));
                }
                this.output.unsplit(rest);
                continue;
            }
            let mut chunk = [0u8; 8192];
            let mut read = ReadBuf::new(&mut chunk);
            std::task::ready!(Pin::new(&mut this.io).poll_read(cx, &mut read))?;
            if read.filled().is_empty() {
                this.eof = true;
            } else {
                this.input.extend_from_slice(read.filled());
                this.frame();
            }
        }
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for GuardedStream<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
