//! The AWS provider against moto (EC2, ELB, RDS, S3, CloudFront, STS) and against a scripted
//! endpoint that injects faults (403, 401, throttling) at the HTTP layer.

mod apps;
mod ec2;
mod errors;
mod fault;
mod support;
