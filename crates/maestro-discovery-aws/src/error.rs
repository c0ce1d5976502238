//! Error classification and retries: every AWS call goes through [`call`], which retries
//! throttling and transient 5xx/timeouts with the contract's [`backoff`] and turns what remains
//! into a [`ProviderError`] naming the IAM action that was refused.

use std::error::Error as StdError;
use std::future::Future;

use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use maestro_discovery::{ProviderError, backoff};

/// Attempts per call (the first plus retries): 200 ms … 6.4 s of backoff, about 13 s in all.
const MAX_ATTEMPTS: u32 = 7;

const THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "BandwidthLimitExceeded",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

const TRANSIENT: &[&str] = &[
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "Unavailable",
];

const AUTH: &[&str] = &[
    "AuthFailure",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidAccessKeyId",
    "UnrecognizedClientException",
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "InvalidToken",
    "TokenRefreshRequired",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "AuthorizationHeaderMalformed",
];

const PERMISSION: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
    "Forbidden",
    "NotAuthorized",
    "AllAccessDisabled",
];

/// A classified failure: what to report, and whether another attempt may succeed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub error: ProviderError,
    pub retry: bool,
}

/// Runs one AWS call (`make` builds and sends the request), retrying throttling and transient
/// failures with [`backoff`]. `action` is the IAM action the call needs (`ec2:DescribeInstances`).
pub(crate) async fn call<T, E, Fut>(
    action: &'static str,
    make: impl FnMut() -> Fut,
) -> Result<T, ProviderError>
where
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    call_or_absent(action, &[], make)
        .await?
        .ok_or_else(|| ProviderError::Other(format!("{action}: no answer")))
}

/// Like [`call`], but an error coded as one of `absent` (e.g. `TargetGroupNotFound`) means
/// there is nothing to list: `Ok(None)`.
pub(crate) async fn call_or_absent<T, E, Fut>(
    action: &'static str,
    absent: &[&str],
    mut make: impl FnMut() -> Fut,
) -> Result<Option<T>, ProviderError>
where
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let mut attempt = 0;
    loop {
        match make().await {
            Ok(out) => return Ok(Some(out)),
            Err(err) if err.code().is_some_and(|c| absent.contains(&c)) => return Ok(None),
            Err(err) => {
                let failure = classify(action, &err);
                if !failure.retry || attempt + 1 >= MAX_ATTEMPTS {
                    return Err(failure.error);
                }
                tracing::debug!(action, attempt, error = %failure.error, "retrying AWS call");
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
            }
        }
    }
}

/// Classifies an SDK error of the call that needed `action`.
pub(crate) fn classify<E>(action: &str, err: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    match err {
        SdkError::ServiceError(_) | SdkError::ResponseError(_) => {
            let status = err.raw_response().map(|r| r.status().as_u16());
            // An error body the SDK's parser did not expect (moto wraps query-protocol errors
            // in `<Errors>`) still names its code and message: a refused key is not a missing
            // permission, and people read the message, not the SDK's debug form.
            let body = err
                .raw_response()
                .and_then(|r| r.body().bytes())
                .map(|b| String::from_utf8_lossy(b).into_owned());
            let from_body = |tag| body.as_deref().and_then(|b| tag_in(b, tag));
            let body_code = from_body("Code");
            let message = err
                .message()
                .map(str::to_owned)
                .or_else(|| from_body("Message"))
                .unwrap_or_else(|| match (status, err.code().or(body_code.as_deref())) {
                    // Not an AWS error at all (a proxy's page, an endpoint that is not
                    // AWS-compatible): say so rather than how the SDK failed to parse it.
                    (Some(s), None) => format!(
                        "the endpoint answered HTTP {s} without an AWS error in its body: is \
                         it an AWS-compatible endpoint for this region?"
                    ),
                    _ => short(err),
                });
            classify_code(
                action,
                err.code().or(body_code.as_deref()),
                &message,
                status,
            )
        }
        SdkError::TimeoutError(_) => Failure {
            error: ProviderError::Unreachable(format!("{action} timed out")),
            retry: true,
        },
        other => {
            if let Some(cred) = credentials_error(other) {
                return Failure {
                    error: ProviderError::Auth(format!(
                        "could not obtain AWS credentials: {}",
                        short(cred)
                    )),
                    retry: false,
                };
            }
            let retry =
                matches!(other, SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout());
            let error = if retry {
                ProviderError::Unreachable(format!("{action}: {}", short(other)))
            } else {
                ProviderError::Other(format!("{action} failed: {}", short(other)))
            };
            Failure { error, retry }
        }
    }
}

/// The text of the first `<tag>…</tag>` of an XML error body (at most 400 characters).
fn tag_in(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = body.find(&open)? + open.len();
    let len = body[start..].find(&format!("</{tag}>"))?;
    let text = body[start..start + len].trim();
    (!text.is_empty() && text.len() <= 400).then(|| text.to_owned())
}

/// Classifies an AWS error code and HTTP status (pure, so it is tested without a server).
pub(crate) fn classify_code(
    action: &str,
    code: Option<&str>,
    message: &str,
    status: Option<u16>,
) -> Failure {
    let code_is = |list: &[&str]| code.is_some_and(|c| list.contains(&c));
    let described = match code {
        Some(c) if !message.is_empty() => format!("{c}: {message}"),
        Some(c) => c.to_owned(),
        None => message.to_owned(),
    };
    if code_is(AUTH) || status == Some(401) {
        return fatal(ProviderError::Auth(described));
    }
    if code_is(PERMISSION) || status == Some(403) {
        return fatal(ProviderError::Permission {
            action: action.to_owned(),
            message: described,
        });
    }
    if code_is(THROTTLING) || matches!(status, Some(429 | 503)) {
        return Failure {
            error: ProviderError::Throttled(format!("{action}: {described}")),
            retry: true,
        };
    }
    if code_is(TRANSIENT) || matches!(status, Some(500 | 502 | 504)) {
        return Failure {
            error: ProviderError::Other(format!("{action}: {described}")),
            retry: true,
        };
    }
    fatal(ProviderError::Other(format!("{action}: {described}")))
}

fn fatal(error: ProviderError) -> Failure {
    Failure {
        error,
        retry: false,
    }
}

/// The credentials error behind a failure, when the credentials could not be resolved.
fn credentials_error<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a CredentialsError> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(c) = e.downcast_ref::<CredentialsError>() {
            return Some(c);
        }
        current = e.source();
    }
    None
}

/// The error and its sources on one line (each message once, at most 400 characters), without
/// the raw responses the SDK's debug forms carry.
fn short(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    let joined = parts.join(": ");
    crate::emit::truncate(&joined, 400).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_denied_names_the_permission() {
        for (code, status) in [
            (Some("UnauthorizedOperation"), Some(403)),
            (Some("AccessDenied"), Some(403)),
            (Some("AccessDeniedException"), Some(400)),
            (None, Some(403)),
        ] {
            let f = classify_code("ec2:DescribeInstances", code, "not allowed", status);
            assert!(!f.retry);
            match f.error {
                ProviderError::Permission { action, message } => {
                    assert_eq!(action, "ec2:DescribeInstances");
                    assert!(message.contains("not allowed"));
                }
                other => panic!("{code:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_code_is_read_from_an_unexpected_error_body() {
        let moto = r#"<?xml version="1.0"?><ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>bad</Message></Error></Errors></ErrorResponse>"#;
        assert_eq!(
            tag_in(moto, "Code").as_deref(),
            Some("InvalidClientTokenId")
        );
        assert_eq!(tag_in(moto, "Message").as_deref(), Some("bad"));
        assert_eq!(tag_in("<html>403</html>", "Code"), None);
        assert_eq!(tag_in("<Code></Code>", "Code"), None);
    }

    #[test]
    fn a_body_that_is_no_aws_error_is_named_so() {
        use aws_sdk_ec2::operation::describe_instances::DescribeInstancesError;
        use aws_smithy_runtime_api::http::StatusCode;
        use aws_smithy_types::body::SdkBody;
        let raw = HttpResponse::new(
            StatusCode::try_from(500).expect("a status"),
            SdkBody::from("<html>Internal Server Error</html>"),
        );
        let err: SdkError<DescribeInstancesError, HttpResponse> =
            SdkError::response_error("error parsing XML: no root element", raw);
        let f = classify("ec2:DescribeInstances", &err);
        assert!(f.retry, "a 500 may pass");
        let text = f.error.to_string();
        assert!(
            text.contains("answered HTTP 500 without an AWS error") && !text.contains("XML"),
            "{text}"
        );
    }

    #[test]
    fn refused_credentials_are_auth_failures() {
        for (code, status) in [
            (Some("AuthFailure"), Some(401)),
            (Some("InvalidClientTokenId"), Some(403)),
            (Some("SignatureDoesNotMatch"), Some(403)),
            (Some("ExpiredToken"), Some(400)),
            (None, Some(401)),
        ] {
            let f = classify_code("ec2:DescribeVpcs", code, "", status);
            assert!(matches!(f.error, ProviderError::Auth(_)), "{code:?}");
            assert!(!f.retry);
        }
    }

    #[test]
    fn throttling_and_5xx_are_retried() {
        for (code, status) in [
            (Some("RequestLimitExceeded"), Some(503)),
            (Some("Throttling"), Some(400)),
            (Some("SlowDown"), Some(503)),
            (None, Some(429)),
            (None, Some(503)),
        ] {
            let f = classify_code("rds:DescribeDBInstances", code, "", status);
            assert!(f.retry, "{code:?}");
            assert!(matches!(f.error, ProviderError::Throttled(_)));
        }
        let f = classify_code("s3:ListAllMyBuckets", Some("InternalError"), "", Some(500));
        assert!(f.retry);
        assert!(matches!(f.error, ProviderError::Other(_)));
    }

    #[test]
    fn other_errors_are_final() {
        let f = classify_code(
            "ec2:DescribeImages",
            Some("InvalidParameterValue"),
            "bad",
            Some(400),
        );
        assert!(!f.retry);
        assert_eq!(
            f.error,
            ProviderError::Other("ec2:DescribeImages: InvalidParameterValue: bad".into())
        );
    }
}
