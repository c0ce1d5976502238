//! List queries parsed from URL parameters: page and limit, sort keys, typed filters on any field
//! by dotted path (`?os.base=Linux`, `?cpu[gte]=4`, `?tags.key=env`, `?deps.id=<id>`) and `q`
//! free text. Parsing checks every name and value against the schema, so storage only ever sees
//! known paths and typed values.

use std::str::FromStr;

use crate::schema::{Field, KindSchema, Ty};
use crate::{EntityId, FieldError};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// A page request. `limit` above [`MAX_LIMIT`] is clamped; below 1 is an error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageRequest {
    pub page: u32,
    pub limit: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            limit: DEFAULT_LIMIT,
        }
    }
}

impl PageRequest {
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.limit)
    }

    /// Reads `page` and `limit` from query pairs; other keys are ignored.
    pub fn parse(pairs: &[(String, String)], errors: &mut Vec<FieldError>) -> Self {
        let mut out = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "page" => match positive(v) {
                    Some(n) => out.page = n.min(u64::from(u32::MAX / 2)) as u32,
                    None => {
                        errors.push(FieldError::new("page", "must be an integer of at least 1"))
                    }
                },
                "limit" => match positive(v) {
                    Some(n) => out.limit = n.min(u64::from(MAX_LIMIT)) as u32,
                    None => {
                        errors.push(FieldError::new("limit", "must be an integer of at least 1"))
                    }
                },
                _ => {}
            }
        }
        out
    }
}

/// An integer of at least 1; integers too large for 64 bits saturate (they are clamped anyway).
fn positive(v: &str) -> Option<u64> {
    let digits = v.strip_prefix('+').unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = digits.parse::<u64>().unwrap_or(u64::MAX);
    (n >= 1).then_some(n)
}

/// Entity columns every kind has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Id,
    Name,
    Family,
    CreatedAt,
    UpdatedAt,
    /// The owner's id (a user or a team): `?owner.id=…`.
    Owner,
}

impl Column {
    fn parse(name: &str, schema: &KindSchema) -> Option<Self> {
        match name {
            "id" => Some(Column::Id),
            "owner.id" | "owner" => Some(Column::Owner),
            "name" => Some(Column::Name),
            "family" if schema.kind.has_family() => Some(Column::Family),
            "created_at" => Some(Column::CreatedAt),
            "updated_at" => Some(Column::UpdatedAt),
            _ => None,
        }
    }

    pub fn is_time(self) -> bool {
        matches!(self, Column::CreatedAt | Column::UpdatedAt)
    }
}

/// What a filter or sort key reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Column(Column),
    /// A JSON path in the document. When `array` is set, `path` leads to a list and `array` is
    /// the path inside each item (empty for lists of scalars): the filter matches if any item does.
    Json {
        path: Vec<String>,
        array: Option<Vec<String>>,
        numeric: bool,
    },
    /// A reference field: matches entities related through `rel` to the given ids.
    Ref {
        rel: &'static str,
        inverse: bool,
    },
    /// The name of what a reference beside it points to (`datacenters.name`, which a view fills
    /// from the datacenter): matches entities related through `rel` to an entity so named.
    RefName {
        rel: &'static str,
        inverse: bool,
    },
    /// `discovery.connection`: entities the given connections discovered.
    DiscoveredBy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    Contains,
    In,
    Exists,
}

impl Op {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "gt" => Op::Gt,
            "gte" => Op::Gte,
            "lt" => Op::Lt,
            "lte" => Op::Lte,
            "contains" => Op::Contains,
            "in" => Op::In,
            "exists" => Op::Exists,
            _ => return None,
        })
    }
}

/// A typed filter value.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(String),
    Num(f64),
    Bool(bool),
    /// Microseconds since the epoch (time columns).
    Time(i64),
    Id(EntityId),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub target: Target,
    pub op: Op,
    pub values: Vec<Scalar>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sort {
    pub target: Target,
    pub desc: bool,
}

/// Which entities to list by their `active` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActiveFilter {
    Active,
    Inactive,
    All,
}

/// A parsed list request.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub page: PageRequest,
    pub sort: Vec<Sort>,
    pub filters: Vec<Filter>,
    /// Lower-cased free-text terms; an entity matches when every term does.
    pub terms: Vec<String>,
    pub active: ActiveFilter,
}

impl ListQuery {
    /// Default: active entities, most recently updated first.
    pub fn new() -> Self {
        Self {
            page: PageRequest::default(),
            sort: vec![Sort {
                target: Target::Column(Column::UpdatedAt),
                desc: true,
            }],
            filters: Vec::new(),
            terms: Vec::new(),
            active: ActiveFilter::Active,
        }
    }

    /// Parses URL query pairs for a list of `schema`'s kind.
    pub fn parse(schema: &KindSchema, pairs: &[(String, String)]) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut q = Self::new();
        q.page = PageRequest::parse(pairs, &mut errors);
        let mut eq_filters: Vec<(String, Filter)> = Vec::new();
        for (key, value) in pairs {
            match key.as_str() {
                "page" | "limit" => {}
                "sort" => match parse_sort(schema, value) {
                    Ok(s) => q.sort = s,
                    Err(e) => errors.push(e),
                },
                "q" => q.terms = parse_terms(value),
                "active" => match value.as_str() {
                    "true" | "1" => q.active = ActiveFilter::Active,
                    "false" | "0" => q.active = ActiveFilter::Inactive,
                    "all" => q.active = ActiveFilter::All,
                    _ => errors.push(FieldError::new("active", "must be true, false or all")),
                },
                _ => match parse_filter(schema, key, value) {
                    Ok(f) if f.op == Op::Eq => {
                        // A repeated `?field=a&field=b` means "a or b".
                        if let Some((_, prev)) = eq_filters.iter_mut().find(|(k, _)| k == key) {
                            prev.op = Op::In;
                            prev.values.extend(f.values);
                        } else {
                            eq_filters.push((key.clone(), f));
                        }
                    }
                    Ok(f) => q.filters.push(f),
                    Err(e) => errors.push(e),
                },
            }
        }
        q.filters.extend(eq_filters.into_iter().map(|(_, f)| f));
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }
}

impl Default for ListQuery {
    fn default() -> Self {
        Self::new()
    }
}

fn parse_terms(value: &str) -> Vec<String> {
    value
        .split_whitespace()
        .take(10)
        .map(|t| t.chars().take(100).collect::<String>().to_lowercase())
        .collect()
}

fn parse_sort(schema: &KindSchema, value: &str) -> Result<Vec<Sort>, FieldError> {
    let mut out = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (desc, name) = match part.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, part.strip_prefix('+').unwrap_or(part)),
        };
        let target = if let Some(c) = Column::parse(name, schema) {
            Target::Column(c)
        } else if let Some((path, field)) =
            schema.indexed_paths().into_iter().find(|(p, _)| p == name)
        {
            Target::Json {
                path: path.split('.').map(str::to_owned).collect(),
                array: None,
                numeric: field.ty.is_numeric(),
            }
        } else {
            let mut allowed = vec!["name", "created_at", "updated_at"];
            if schema.kind.has_family() {
                allowed.push("family");
            }
            let indexed = schema.indexed_paths();
            allowed.extend(
                indexed
                    .iter()
                    .map(|(p, _)| p.as_str())
                    .filter(|p| *p != "name" && *p != "family"),
            );
            return Err(FieldError::new(
                "sort",
                format!(
                    "cannot sort by {name:?}; sortable fields: {}",
                    allowed.join(", ")
                ),
            ));
        };
        out.push(Sort { target, desc });
    }
    if out.is_empty() {
        return Err(FieldError::new("sort", "is empty"));
    }
    Ok(out)
}

/// Splits `cpu[gte]` into (`cpu`, Gte).
fn split_op(key: &str) -> Result<(&str, Op), FieldError> {
    match key.strip_suffix(']').and_then(|k| k.split_once('[')) {
        Some((name, op)) => Op::parse(op).map(|o| (name, o)).ok_or_else(|| {
            FieldError::new(
                key,
                format!(
                    "unknown operator {op:?}; use eq, ne, gt, gte, lt, lte, contains, in or exists"
                ),
            )
        }),
        None => Ok((key, Op::Eq)),
    }
}

fn parse_filter(schema: &KindSchema, key: &str, value: &str) -> Result<Filter, FieldError> {
    let (name, op) = split_op(key)?;
    let bad = |msg: String| FieldError::new(key, msg);
    let (target, leaf) = resolve_filter_target(schema, name).ok_or_else(|| {
        bad(format!(
            "unknown filter {name:?}: not a field of {}",
            schema.name
        ))
    })?;
    if let Leaf::Field(f) = leaf
        && matches!(f.ty.item(), Ty::Object { .. } | Ty::AnyObject)
        && op != Op::Exists
    {
        return Err(bad(format!(
            "{name} is an object or a list of objects: filter one of its fields ({name}.…) or use {name}[exists]"
        )));
    }
    let raw: Vec<&str> = if op == Op::In {
        value.split(',').map(str::trim).collect()
    } else {
        vec![value]
    };
    if op == Op::Exists {
        let b = parse_bool(value).ok_or_else(|| bad("exists takes true or false".into()))?;
        return Ok(Filter {
            target,
            op,
            values: vec![Scalar::Bool(b)],
        });
    }
    let mut values = Vec::with_capacity(raw.len());
    for v in raw {
        values.push(parse_value(&target, leaf, op, v).map_err(bad)?);
    }
    Ok(Filter { target, op, values })
}

#[derive(Clone, Copy)]
enum Leaf {
    Field(&'static Field),
    Column(Column),
}

fn resolve_filter_target(schema: &KindSchema, name: &str) -> Option<(Target, Leaf)> {
    if let Some(c) = Column::parse(name, schema) {
        return Some((Target::Column(c), Leaf::Column(c)));
    }
    if name == "discovery.connection" {
        return Some((Target::DiscoveredBy, Leaf::Column(Column::Id)));
    }
    let segments: Vec<&str> = name.split('.').collect();
    let mut fields = schema.fields;
    let mut path: Vec<String> = Vec::new();
    let mut array: Option<Vec<String>> = None;
    for (i, seg) in segments.iter().enumerate() {
        let field = fields.iter().find(|f| f.name == *seg)?;
        let last = i + 1 == segments.len();
        // The `name` beside a reference is the referenced entity's, not stored with this one.
        if last
            && i > 0
            && *seg == "name"
            && let Some(spec) = fields.iter().find_map(|f| match f.ty {
                Ty::Ref(spec) if !spec.many => Some(spec),
                _ => None,
            })
        {
            let target = Target::RefName {
                rel: spec.rel,
                inverse: spec.inverse,
            };
            return Some((target, Leaf::Field(field)));
        }
        if let Ty::Ref(spec) = field.ty {
            // `deps` or `deps.id` filter by related id.
            let rest = &segments[i + 1..];
            if rest.is_empty() || rest == ["id"] {
                let target = Target::Ref {
                    rel: spec.rel,
                    inverse: spec.inverse,
                };
                return Some((target, Leaf::Field(field)));
            }
            return None;
        }
        match array.as_mut() {
            Some(inner) => inner.push((*seg).to_owned()),
            None => path.push((*seg).to_owned()),
        }
        if last {
            if let Ty::List { .. } = field.ty {
                if array.is_some() {
                    return None;
                }
                array = Some(Vec::new());
            }
            let numeric = field.ty.is_numeric();
            return Some((
                Target::Json {
                    path,
                    array,
                    numeric,
                },
                Leaf::Field(field),
            ));
        }
        fields = match field.ty {
            Ty::Object { fields, .. } => fields,
            Ty::List {
                item: Ty::Object { fields, .. },
                ..
            } if array.is_none() => {
                array = Some(Vec::new());
                fields
            }
            _ => return None,
        };
    }
    None
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn parse_value(target: &Target, leaf: Leaf, op: Op, v: &str) -> Result<Scalar, String> {
    if let Target::Ref { .. } | Target::DiscoveredBy = target {
        if !matches!(op, Op::Eq | Op::In | Op::Ne) {
            return Err("references can be filtered with eq, ne or in".into());
        }
        return EntityId::from_str(v)
            .map(Scalar::Id)
            .map_err(|e| e.to_string());
    }
    let field_ty = match leaf {
        Leaf::Column(Column::Id) => {
            return EntityId::from_str(v)
                .map(Scalar::Id)
                .map_err(|e| e.to_string());
        }
        Leaf::Column(c) if c.is_time() => {
            if op == Op::Contains {
                return Err("contains applies to text fields".into());
            }
            return chrono::DateTime::parse_from_rfc3339(v)
                .map(|t| Scalar::Time(t.timestamp_micros()))
                .map_err(|_| format!("{v:?} is not an RFC 3339 timestamp"));
        }
        Leaf::Column(_) => return Ok(Scalar::Str(v.to_owned())),
        Leaf::Field(f) => f.ty.item(),
    };
    match field_ty {
        Ty::Int { .. } | Ty::Num { .. } => {
            if op == Op::Contains {
                return Err("contains applies to text fields".into());
            }
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Scalar::Num)
                .ok_or_else(|| format!("{v:?} is not a number"))
        }
        Ty::Bool => {
            if op != Op::Eq && op != Op::Ne && op != Op::In {
                return Err("booleans can be filtered with eq, ne or in".into());
            }
            parse_bool(v)
                .map(Scalar::Bool)
                .ok_or_else(|| format!("{v:?} is not true or false"))
        }
        Ty::Scalar => Ok(v
            .parse::<f64>()
            .ok()
            .filter(|_| op != Op::Contains)
            .map_or_else(|| Scalar::Str(v.to_owned()), Scalar::Num)),
        _ => {
            if v.chars().count() > 500 {
                return Err("value is too long".into());
            }
            Ok(Scalar::Str(v.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests;
