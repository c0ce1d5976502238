//! Client setup: one `SdkConfig` per run and region, with the connection's own credentials
//! (static keys, optionally a role assumed through STS), the connection's endpoint override or
//! the SDK's standard endpoint settings, SDK retries off (see `error::call`) and timeouts.

use std::time::Duration;

use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig, retry::RetryConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use maestro_discovery::{Account, ProviderError};
use serde_json::{Map, Value};

/// What the connection's credentials say, without ever printing them.
#[derive(Clone, Default)]
pub(crate) struct Creds {
    keys: Option<(String, String, Option<String>)>,
    role: Option<(String, Option<String>)>,
}

impl std::fmt::Debug for Creds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Creds")
            .field("static_keys", &self.keys.is_some())
            .field("assume_role", &self.role.is_some())
            .finish()
    }
}

fn text<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

impl Creds {
    /// Reads `access_key_id`, `secret_access_key`, `session_token`, `role_arn`, `external_id`.
    pub(crate) fn parse(map: &Map<String, Value>) -> Result<Self, ProviderError> {
        let keys = match (text(map, "access_key_id"), text(map, "secret_access_key")) {
            (Some(id), Some(secret)) => Some((
                id.to_owned(),
                secret.to_owned(),
                text(map, "session_token").map(str::to_owned),
            )),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ProviderError::Auth(
                    "the connection has an access_key_id but no secret_access_key".into(),
                ));
            }
            (None, Some(_)) => {
                return Err(ProviderError::Auth(
                    "the connection has a secret_access_key but no access_key_id".into(),
                ));
            }
        };
        let role = text(map, "role_arn")
            .map(|arn| (arn.to_owned(), text(map, "external_id").map(str::to_owned)));
        Ok(Self { keys, role })
    }
}

/// The endpoint override of the connection, if any.
fn endpoint(account: &Account) -> Option<&str> {
    account
        .endpoint_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
}

/// True when requests go somewhere other than AWS (path-style S3 is then needed).
pub(crate) fn custom_endpoint(account: &Account, config: &SdkConfig) -> bool {
    endpoint(account).is_some() || config.endpoint_url().is_some()
}

/// Builds the SDK configuration for one region of an account.
pub(crate) async fn sdk_config(
    account: &Account,
    region: &str,
) -> Result<SdkConfig, ProviderError> {
    let creds = Creds::parse(&account.credentials)?;
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        // Retries are ours (`error::call`, with the contract's backoff), so a throttled page is
        // retried in place and pagination resumes at the same token.
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .read_timeout(Duration::from_secs(60))
                .operation_attempt_timeout(Duration::from_secs(90))
                .build(),
        );
    if let Some(url) = endpoint(account) {
        loader = loader.endpoint_url(url);
    }
    // Only the connection's own keys: never the SDK's default chain (the environment, the
    // instance profile). Maestro's host identity is not for whoever may edit a connection.
    let Some((id, secret, token)) = &creds.keys else {
        return Err(ProviderError::Auth(
            "the connection has no access key: set its credentials".into(),
        ));
    };
    loader = loader.credentials_provider(Credentials::new(
        id.clone(),
        secret.clone(),
        token.clone(),
        None,
        "maestro-connection",
    ));
    let base = loader.load().await;
    let Some((role_arn, external_id)) = creds.role else {
        return Ok(base);
    };
    let mut assume = AssumeRoleProvider::builder(role_arn)
        .session_name(session_name(&account.connection_id))
        .configure(&base);
    if let Some(id) = external_id {
        assume = assume.external_id(id);
    }
    let provider = assume.build().await;
    Ok(base
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build())
}

/// An STS session name (2–64 of `[\w+=,.@-]`) that says who assumed the role.
fn session_name(connection_id: &str) -> String {
    let clean: String = connection_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(*c))
        .take(40)
        .collect();
    format!("maestro-{clean}")
}

pub(crate) fn ec2(config: &SdkConfig) -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(config)
}

pub(crate) fn elb(config: &SdkConfig) -> aws_sdk_elasticloadbalancing::Client {
    aws_sdk_elasticloadbalancing::Client::new(config)
}

pub(crate) fn elbv2(config: &SdkConfig) -> aws_sdk_elasticloadbalancingv2::Client {
    aws_sdk_elasticloadbalancingv2::Client::new(config)
}

pub(crate) fn rds(config: &SdkConfig) -> aws_sdk_rds::Client {
    aws_sdk_rds::Client::new(config)
}

pub(crate) fn cloudfront(config: &SdkConfig) -> aws_sdk_cloudfront::Client {
    aws_sdk_cloudfront::Client::new(config)
}

/// S3 with path-style addressing on custom endpoints (virtual hosts need DNS there).
pub(crate) fn s3(account: &Account, config: &SdkConfig) -> aws_sdk_s3::Client {
    let builder = aws_sdk_s3::config::Builder::from(config)
        .force_path_style(custom_endpoint(account, config));
    aws_sdk_s3::Client::from_conf(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn credentials_are_read_and_never_printed() {
        let c = Creds::parse(&map(json!({
            "access_key_id": "AKIAEXAMPLE",
            "secret_access_key": "s3cr3t-value",
            "session_token": "",
            "role_arn": "arn:aws:iam::123456789012:role/read",
            "external_id": "ext"
        })))
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("AKIAEXAMPLE") && !shown.contains("s3cr3t"));
        let (id, _, token) = c.keys.clone().unwrap();
        assert_eq!(id, "AKIAEXAMPLE");
        assert_eq!(token, None, "an empty session token is no token");
        assert_eq!(c.role.unwrap().1.as_deref(), Some("ext"));
    }

    #[test]
    fn half_a_key_pair_is_an_auth_error() {
        let err = Creds::parse(&map(json!({"access_key_id": "AKIA"}))).unwrap_err();
        assert!(matches!(err, ProviderError::Auth(_)));
        assert!(Creds::parse(&Map::new()).unwrap().keys.is_none());
    }

    #[test]
    fn session_names_are_valid_for_sts() {
        let n = session_name("0195 c3/ab:cd");
        assert_eq!(n, "maestro-0195c3abcd");
        assert!(session_name(&"x".repeat(100)).len() <= 64);
    }
}
