//! The listing loop shared by the simple tasks: fetch a page (retried by `error::call`), map it,
//! hand it to the sink, follow the token until the listing is complete.

use std::error::Error as StdError;
use std::future::Future;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use maestro_discovery::{Observation, ProviderError};

use crate::emit::{Cursor, Emitter};
use crate::error::call;

/// Lists to the end: `fetch(token)` sends one request, `split(page)` maps it and returns the
/// next token. Each page reaches the sink before the next one is asked for.
pub(crate) async fn listing<O, E, Fut>(
    action: &'static str,
    mut fetch: impl FnMut(Option<String>) -> Fut,
    mut split: impl FnMut(&O) -> (Vec<Observation>, Option<String>),
    out: &mut Emitter<'_>,
) -> Result<(), ProviderError>
where
    Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let mut cursor = Cursor::default();
    loop {
        let page = call(action, || fetch(cursor.token())).await?;
        let (obs, next) = split(&page);
        out.send(obs).await?;
        if !cursor.advance(next.as_deref())? {
            return Ok(());
        }
    }
}

/// The next token of a page, owned.
pub(crate) fn next(token: Option<&str>) -> Option<String> {
    token.map(str::to_owned)
}
