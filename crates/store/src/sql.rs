//! A small builder for dynamic SQL with `$n` placeholders, bound the same way
//! on both engines (search forms and filters with optional conditions).

use chrono::NaiveDate;

#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(String),
    Date(NaiveDate),
    Int(i64),
}

#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    pub binds: Vec<Bind>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_string(),
            binds: Vec::new(),
        }
    }
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }
    /// Appends a placeholder for `b`.
    pub fn bind(&mut self, b: Bind) -> &mut Self {
        self.binds.push(b);
        self.text.push_str(&format!("${}", self.binds.len()));
        self
    }
}

/// Binds every value of `$binds` to the query `$q`.
macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                $crate::sql::Bind::Text(s) => q.bind(s),
                $crate::sql::Bind::Date(d) => q.bind(d),
                $crate::sql::Bind::Int(i) => q.bind(i),
            };
        }
        q
    }};
}
pub(crate) use bind_all;
