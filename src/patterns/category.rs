//! The closed vocabularies of the signature library: [`Category`] (the failure taxonomy, a public
//! contract), [`Role`], [`Specificity`] and [`Stack`], each with `ALL`, `as_str()` and `FromStr`
//! (whose error suggests the closest name), plus [`CategoryInfo`], what `patterns/categories.toml`
//! says about a category (title, description, category-level causal edges).

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// An unknown name for one of the closed vocabularies, with the closest known name if any.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {name:?}{}", suggestion_text(.suggestion, .allowed))]
pub struct UnknownName {
    /// What kind of name (`category`, `role`, …).
    pub what: &'static str,
    /// The name as written.
    pub name: String,
    /// The closest known name, if one is close enough.
    pub suggestion: Option<&'static str>,
    /// Every known name.
    pub allowed: &'static [&'static str],
}

fn suggestion_text(suggestion: &Option<&'static str>, allowed: &[&str]) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean {s:?}?)"),
        None => format!(" (expected one of: {})", allowed.join(", ")),
    }
}

/// Declares a string-backed enum: variants, their names, `ALL`, `NAMES`, `as_str`, `Display`,
/// `FromStr` (case-sensitive; the error suggests the closest name).
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            /// Every name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text,)+];

            /// The public name (as written in the TOML files and printed in reports).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, UnknownName> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownName {
                        what: $what,
                        name: s.to_string(),
                        suggestion: crate::suggest::did_you_mean(s, Self::NAMES.iter().copied()),
                        allowed: Self::NAMES,
                    }),
                }
            }
        }
    };
}

named_enum!(
    /// The failure taxonomy. These names are a public contract (reports, JSON output, TOML files);
    /// `patterns/README.md` documents each one.
    Category, "category", {
        /// The application's own database connection pool has no free connection.
        DbPoolExhaustion = "db_pool_exhaustion",
        /// The database server refuses new connections (max_connections and the like).
        DbConnectionLimit = "db_connection_limit",
        /// Lock waits, lock timeouts, deadlocks, serialization failures.
        DbLockContention = "db_lock_contention",
        /// Queries or statements that take too long or are cancelled for it.
        DbSlowQuery = "db_slow_query",
        /// The database is down, starting, in recovery, or unreachable as a service.
        DbUnavailable = "db_unavailable",
        /// TCP-level failures: refused, reset, timed out, unreachable.
        NetworkError = "network_error",
        /// Name resolution failures.
        DnsFailure = "dns_failure",
        /// TLS handshake and certificate failures.
        TlsError = "tls_error",
        /// Out of memory: heap limits, the OOM killer, allocation failures.
        MemoryExhaustion = "memory_exhaustion",
        /// No space left on a device.
        DiskFull = "disk_full",
        /// Out of file descriptors (EMFILE, ENFILE).
        FdExhaustion = "fd_exhaustion",
        /// Worker or thread pools saturated: rejected tasks, all workers busy, worker timeouts.
        ThreadPoolExhaustion = "thread_pool_exhaustion",
        /// Invalid or missing configuration detected at start or reload.
        ConfigError = "config_error",
        /// Requests refused because a rate or quota limit was hit.
        RateLimited = "rate_limited",
        /// Authentication or authorization failures.
        AuthFailure = "auth_failure",
        /// A process crashed, was killed or restarted.
        CrashRestart = "crash_restart",
        /// A bug in the application: unhandled exceptions, panics, assertion failures.
        CodeError = "code_error",
        /// A dependency answered with an error or did not answer in time (5xx, gateway timeouts).
        UpstreamError = "upstream_error",
    }
);

impl Category {
    /// Number of categories.
    pub const COUNT: usize = Category::ALL.len();

    /// Position in [`Category::ALL`] (always below [`Category::COUNT`]), for per-category tables.
    pub fn index(self) -> usize {
        self as usize
    }
}

named_enum!(
    /// Whether a signature usually marks where a failure starts or what it produces: the prior the
    /// ranking starts from.
    Role, "role", {
        /// Usually the origin of a failure (a pool exhausted, the disk full).
        Cause = "cause",
        /// Usually a consequence of something else (a timeout, a 502).
        Symptom = "symptom",
        /// Either, depending on the incident.
        Either = "either",
    }
);

named_enum!(
    /// How much a match says: a specific "pool exhausted" beats a generic "timeout". Ordered from
    /// least to most specific.
    Specificity, "specificity", {
        Low = "low",
        Medium = "medium",
        High = "high",
    }
);

named_enum!(
    /// Which part of a system a signature's software belongs to.
    Stack, "stack", {
        Jvm = "jvm",
        Python = "python",
        Node = "node",
        Go = "go",
        Ruby = "ruby",
        Dotnet = "dotnet",
        Rust = "rust",
        Database = "database",
        Proxy = "proxy",
        Os = "os",
        Kubernetes = "kubernetes",
        Cross = "cross",
    }
);

/// What the taxonomy file says about one category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryInfo {
    pub category: Category,
    /// One line for people (`Application database connection pool exhausted`).
    pub title: String,
    /// Categories this one commonly causes (category-level causal edges).
    pub causes: Vec<Category>,
}

impl CategoryInfo {
    /// The entry used when the taxonomy file says nothing about `category`.
    pub fn bare(category: Category) -> CategoryInfo {
        CategoryInfo {
            category,
            title: category.as_str().replace('_', " "),
            causes: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_valid_round_trips_every_name() {
        assert_eq!(Category::ALL.len(), 18);
        for (i, c) in Category::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
            assert_eq!(c.as_str().parse::<Category>(), Ok(*c));
        }
    }

    #[test]
    fn category_invalid_typo_suggests_closest() {
        let err = "db_pool_exhausted".parse::<Category>().unwrap_err();
        assert_eq!(err.suggestion, Some("db_pool_exhaustion"));
        assert!(
            err.to_string()
                .contains("did you mean \"db_pool_exhaustion\""),
            "{err}"
        );
    }

    #[test]
    fn role_invalid_unrelated_lists_allowed() {
        let err = "zzzzzzzzzz".parse::<Role>().unwrap_err();
        assert_eq!(err.suggestion, None);
        assert!(err.to_string().contains("cause, symptom, either"), "{err}");
    }

    #[test]
    fn specificity_valid_ordered_low_to_high() {
        assert!(Specificity::High > Specificity::Medium && Specificity::Medium > Specificity::Low);
    }
}
