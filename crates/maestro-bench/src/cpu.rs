//! CPU time read from `/proc` (Linux): this process's, and PostgreSQL's when it runs on the
//! same machine. Throughput on a shared 2-core machine swings by a fifth from one hour to the
//! next; the CPU spent per resource moves far less, and says which side a target waits on.

/// Clock ticks per second of `/proc/*/stat` (`USER_HZ`, fixed at 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU seconds used so far: by this process, and by every `postgres` process of the machine
/// (with the children it reaped, such as autovacuum workers), if any can be read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cpu {
    pub own: f64,
    pub postgres: f64,
}

impl Cpu {
    pub fn now() -> Self {
        let own = std::fs::read_to_string("/proc/self/stat")
            .map(|s| ticks(&s, false))
            .unwrap_or_default();
        let postgres: f64 = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .bytes()
                    .all(|b| b.is_ascii_digit())
            })
            .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
            .filter(|s| s.contains("(postgres)"))
            .map(|s| ticks(&s, true))
            .sum();
        Self {
            own: own / TICKS_PER_SECOND,
            postgres: postgres / TICKS_PER_SECOND,
        }
    }

    /// What was used since `before`.
    pub fn since(self, before: Self) -> Self {
        Self {
            own: self.own - before.own,
            postgres: self.postgres - before.postgres,
        }
    }
}

/// `utime + stime` of a `/proc/PID/stat` line (plus `cutime + cstime` with `children`). The
/// command name may hold spaces, so the fields are counted after its closing parenthesis.
fn ticks(stat: &str, children: bool) -> f64 {
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    // After the name: state is field 3, utime field 14 … cstime field 17.
    let fields: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(if children { 4 } else { 2 })
        .filter_map(|f| f.parse().ok())
        .collect();
    fields.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_time_fields_after_the_command_name() {
        let line = "42 (post gres) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 1 0 5 0 0";
        assert_eq!(ticks(line, false), 300.0);
        assert_eq!(ticks(line, true), 310.0);
        assert_eq!(ticks("garbage", true), 0.0);
    }
}
