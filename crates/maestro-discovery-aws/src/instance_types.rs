//! CPU and memory of EC2 instance types: asked once per run with `ec2:DescribeInstanceTypes`
//! (cached for the run), with a built-in table of common types when that call is not allowed.

use std::collections::{HashMap, HashSet};

use aws_sdk_ec2::types::InstanceType;

use crate::emit::Cursor;
use crate::error::call;

/// vCPUs and memory (GiB).
pub(crate) type Size = (f64, f64);

/// Burstable types, whose memory does not follow the vCPU count.
const BURSTABLE: &[(&str, f64, f64)] = &[
    ("t2.nano", 1.0, 0.5),
    ("t2.micro", 1.0, 1.0),
    ("t2.small", 1.0, 2.0),
    ("t2.medium", 2.0, 4.0),
    ("t2.large", 2.0, 8.0),
    ("t2.xlarge", 4.0, 16.0),
    ("t2.2xlarge", 8.0, 32.0),
    ("t3.nano", 2.0, 0.5),
    ("t3.micro", 2.0, 1.0),
    ("t3.small", 2.0, 2.0),
    ("t3.medium", 2.0, 4.0),
    ("t3.large", 2.0, 8.0),
    ("t3.xlarge", 4.0, 16.0),
    ("t3.2xlarge", 8.0, 32.0),
];

/// General purpose, compute and memory families with their GiB per vCPU.
const FAMILIES: &[(&[&str], f64)] = &[
    (
        &[
            "m5", "m5a", "m5n", "m5d", "m6i", "m6a", "m6g", "m6gd", "m7i", "m7a", "m7g", "m8g",
        ],
        4.0,
    ),
    (
        &[
            "c5", "c5a", "c5n", "c5d", "c6i", "c6a", "c6g", "c6gn", "c7i", "c7a", "c7g", "c8g",
        ],
        2.0,
    ),
    (
        &[
            "r5", "r5a", "r5n", "r5d", "r6i", "r6a", "r6g", "r6gd", "r7i", "r7a", "r7g", "r8g",
        ],
        8.0,
    ),
];

/// The built-in size of a common instance type.
pub(crate) fn builtin(instance_type: &str) -> Option<Size> {
    if let Some((_, cpu, mem)) = BURSTABLE.iter().find(|(t, ..)| *t == instance_type) {
        return Some((*cpu, *mem));
    }
    // t3a and t4g are sized like t3.
    if let Some(size) = instance_type
        .strip_prefix("t3a.")
        .or_else(|| instance_type.strip_prefix("t4g."))
    {
        return builtin(&format!("t3.{size}"));
    }
    let (family, size) = instance_type.split_once('.')?;
    let per_cpu = FAMILIES
        .iter()
        .find(|(names, _)| names.contains(&family))
        .map(|(_, per)| *per)?;
    let cpus = match size {
        "medium" => 1.0,
        "large" => 2.0,
        "xlarge" => 4.0,
        other => other.strip_suffix("xlarge")?.parse::<f64>().ok()? * 4.0,
    };
    Some((cpus, cpus * per_cpu))
}

/// Instance type sizes for one run.
#[derive(Default)]
pub(crate) struct InstanceTypes {
    known: HashMap<String, Size>,
    asked: HashSet<String>,
    /// False once the API refused: the rest of the run uses the built-in table.
    api_denied: bool,
}

impl InstanceTypes {
    /// Looks up the types not seen yet in this run (at most 100 per request).
    pub(crate) async fn learn<'a>(
        &mut self,
        ec2: &aws_sdk_ec2::Client,
        types: impl IntoIterator<Item = &'a str>,
    ) {
        let mut missing: Vec<String> = types
            .into_iter()
            .filter(|t| !t.is_empty() && !self.asked.contains(*t))
            .map(str::to_owned)
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if self.api_denied || missing.is_empty() {
            return;
        }
        self.asked.extend(missing.iter().cloned());
        for chunk in missing.chunks(100) {
            if let Err(e) = self.ask(ec2, chunk).await {
                tracing::warn!(error = %e, "instance type sizes unavailable; using the built-in table");
                self.api_denied = true;
                return;
            }
        }
    }

    async fn ask(
        &mut self,
        ec2: &aws_sdk_ec2::Client,
        chunk: &[String],
    ) -> Result<(), maestro_discovery::ProviderError> {
        let wanted: Vec<InstanceType> = chunk
            .iter()
            .map(|t| InstanceType::from(t.as_str()))
            .collect();
        let mut cursor = Cursor::default();
        loop {
            let out = call("ec2:DescribeInstanceTypes", || {
                ec2.describe_instance_types()
                    .set_instance_types(Some(wanted.clone()))
                    .set_next_token(cursor.token())
                    .send()
            })
            .await?;
            for info in out.instance_types() {
                let name = info.instance_type().map(|t| t.as_str().to_owned());
                let cpu = info.v_cpu_info().and_then(|v| v.default_v_cpus());
                let mib = info.memory_info().and_then(|m| m.size_in_mib());
                if let (Some(name), Some(cpu), Some(mib)) = (name, cpu, mib)
                    && cpu > 0
                    && mib > 0
                {
                    self.known
                        .insert(name, (f64::from(cpu), mib as f64 / 1024.0));
                }
            }
            if !cursor.advance(out.next_token())? {
                return Ok(());
            }
        }
    }

    /// The size of a type: from the API when it answered, else the built-in table.
    pub(crate) fn get(&self, instance_type: &str) -> Option<Size> {
        self.known
            .get(instance_type)
            .copied()
            .or_else(|| builtin(instance_type))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_types_are_known() {
        assert_eq!(builtin("t2.micro"), Some((1.0, 1.0)));
        assert_eq!(builtin("t3a.nano"), Some((2.0, 0.5)));
        assert_eq!(builtin("t4g.large"), Some((2.0, 8.0)));
        assert_eq!(builtin("m5.large"), Some((2.0, 8.0)));
        assert_eq!(builtin("c5.9xlarge"), Some((36.0, 72.0)));
        assert_eq!(builtin("r6g.medium"), Some((1.0, 8.0)));
        assert_eq!(builtin("r5.24xlarge"), Some((96.0, 768.0)));
        assert_eq!(builtin("m5.metal"), None);
        assert_eq!(builtin("x1e.xlarge"), None);
        assert_eq!(builtin("nonsense"), None);
    }
}
