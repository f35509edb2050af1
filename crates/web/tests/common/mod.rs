//! Helpers shared by the web tests.
#![allow(dead_code)]

/// A request body that counts the bytes the server pulled from it.
pub struct Counting {
    pub left: usize,
    pub pulled: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl http_body::Body for Counting {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        let n = self.left.min(64 << 10);
        self.left -= n;
        self.pulled
            .fetch_add(n, std::sync::atomic::Ordering::SeqCst);
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(axum::body::Bytes::from(
            vec![b' '; n],
        )))))
    }
}
