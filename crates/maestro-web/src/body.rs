//! Reading a form's body within a limit. An oversized body is read on, and dropped, up to four
//! times the limit before the refusal goes out: answering while the browser still sends, then
//! closing, resets the connection, and the browser shows a network error instead of the page.

use axum::body::{Body, Bytes};
use bytes::BytesMut;
use futures::StreamExt;

/// Why a body could not be read.
#[derive(Debug, PartialEq)]
pub enum BodyError {
    /// Larger than the limit.
    TooLarge,
    /// The client stopped sending.
    Broken,
}

/// The body, if it is at most `limit` bytes.
pub async fn read_within(body: Body, limit: usize) -> Result<Bytes, BodyError> {
    let drained = limit.saturating_mul(4);
    let mut stream = body.into_data_stream();
    let mut kept = BytesMut::new();
    let mut read = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| BodyError::Broken)?;
        read += chunk.len();
        if read <= limit {
            kept.extend_from_slice(&chunk);
        } else if read > drained {
            break;
        }
    }
    if read > limit {
        return Err(BodyError::TooLarge);
    }
    Ok(kept.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_bodies_within_the_limit_and_refuses_larger_ones() {
        let ok = read_within(Body::from(vec![7u8; 10]), 10).await.unwrap();
        assert_eq!(ok.len(), 10);
        let big = read_within(Body::from(vec![7u8; 11]), 10).await;
        assert_eq!(big, Err(BodyError::TooLarge));
        let huge = read_within(Body::from(vec![7u8; 1000]), 10).await;
        assert_eq!(huge, Err(BodyError::TooLarge));
    }
}
