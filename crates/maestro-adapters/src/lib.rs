//! Adapters for the domain's outbound ports: e-mail over SMTP and uploads on local disk or S3.
//! They live apart from the domain so its crate stays free of network clients.

pub mod blobs;
pub mod mail;
