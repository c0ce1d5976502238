//! Paging a list page: the page asked for in `?page=`, how many pages there are, and the links
//! to the pages on either side, as `templates/_pager.html` shows them.

use std::collections::HashMap;

/// Where a list page stands among its pages.
pub struct Pager {
    pub page: u32,
    pub pages: u64,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// The links' labels: "← Previous" and "Next →", or "← Newer" and "Older →".
    pub back: &'static str,
    pub on: &'static str,
}

/// The page asked for in `?page=`: 1 when absent or not a positive number.
pub fn requested(query: &HashMap<String, String>) -> u32 {
    query
        .get("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
}

impl Pager {
    /// Page `page` of `total` items, `per_page` a page; `link` makes the URL of a page.
    pub fn new(page: u32, total: u64, per_page: u32, link: impl Fn(u64) -> String) -> Self {
        let pages = total.div_ceil(u64::from(per_page.max(1))).max(1);
        let page64 = u64::from(page);
        Pager {
            page,
            pages,
            // From past the end (an old link, a shrunk list), back leads to the last page.
            prev: (page64 > 1).then(|| link((page64 - 1).min(pages))),
            next: (page64 < pages).then(|| link(page64 + 1)),
            back: "← Previous",
            on: "Next →",
        }
    }

    /// Whether the page asked for is after the last one (an old link, a shrunk list).
    pub fn past_end(&self) -> bool {
        u64::from(self.page) > self.pages
    }

    /// For lists that begin with the newest: the links say which way time goes.
    pub fn newest_first(self) -> Self {
        Pager {
            back: "← Newer",
            on: "Older →",
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_on_either_side() {
        let p = Pager::new(2, 250, 100, |n| format!("?page={n}"));
        assert_eq!(
            (p.pages, p.prev.as_deref(), p.next.as_deref()),
            (3, Some("?page=1"), Some("?page=3"))
        );
        let past = Pager::new(9, 12, 5, |n| format!("?page={n}"));
        assert!(past.past_end() && !p.past_end());
        assert_eq!((past.prev.as_deref(), past.next), (Some("?page=3"), None));
        let only = Pager::new(1, 0, 100, |n| n.to_string());
        assert_eq!((only.pages, only.prev, only.next), (1, None, None));
        let q = HashMap::from([("page".to_owned(), "0".to_owned())]);
        assert_eq!(requested(&q), 1);
    }
}
