//! A list's filters kept in its links: each active filter as a removable
//! chip, and a pager (first, previous, next, last) that keeps them all.

use crate::web::session::encode_component;

/// One active filter: its parameter, its value, and how a person reads it.
pub struct Active {
    pub name: &'static str,
    pub value: String,
    pub words: String,
}

/// A chip: the filter in words and the link that drops it.
pub struct Chip {
    pub words: String,
    pub remove: String,
}

pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub first: Option<String>,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub last: Option<String>,
}

/// `path?name=value&…` of the filters, with `extra` pairs after them.
pub fn link(path: &str, filters: &[Active], extra: &[(&str, String)]) -> String {
    let pairs: Vec<String> = filters
        .iter()
        .map(|f| (f.name, f.value.as_str()))
        .chain(extra.iter().map(|(n, v)| (*n, v.as_str())))
        .map(|(n, v)| format!("{n}={}", encode_component(v)))
        .collect();
    if pairs.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", pairs.join("&"))
    }
}

/// A chip for each filter, its link keeping all the others.
pub fn chips(path: &str, filters: &[Active]) -> Vec<Chip> {
    filters
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let others: Vec<Active> = filters
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, o)| Active {
                    name: o.name,
                    value: o.value.clone(),
                    words: String::new(),
                })
                .collect();
            Chip {
                words: f.words.clone(),
                remove: link(path, &others, &[]),
            }
        })
        .collect()
}

/// The pager of a list of `total` items, `per_page` a page, on `page`.
pub fn pager(path: &str, filters: &[Active], page: u32, per_page: u32, total: i64) -> Pager {
    let per = i64::from(per_page.max(1));
    let pages = u32::try_from((total + per - 1) / per).unwrap_or(1).max(1);
    let page = page.clamp(1, pages);
    let to = |n: u32| link(path, filters, &[("page", n.to_string())]);
    Pager {
        page,
        pages,
        first: (page > 1).then(|| to(1)),
        previous: (page > 1).then(|| to(page - 1)),
        next: (page < pages).then(|| to(page + 1)),
        last: (page < pages).then(|| to(pages)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &'static str, value: &str) -> Active {
        Active {
            name,
            value: value.into(),
            words: format!("{name} {value}"),
        }
    }

    #[test]
    fn chips_and_pages_keep_the_other_filters() {
        let filters = [f("q", "chuyển đổi"), f("state", "overdue")];
        let c = chips("/tasks", &filters);
        assert_eq!(c[0].remove, "/tasks?state=overdue");
        assert!(c[1].remove.starts_with("/tasks?q=chuy"));
        let p = pager("/tasks", &filters, 2, 50, 151);
        assert_eq!(p.pages, 4);
        assert_eq!(
            p.first.as_deref(),
            Some("/tasks?q=chuy%E1%BB%83n%20%C4%91%E1%BB%95i&state=overdue&page=1")
        );
        assert!(
            p.previous
                .as_deref()
                .is_some_and(|l| l.ends_with("&page=1"))
        );
        assert!(
            p.next
                .as_deref()
                .is_some_and(|l| l.ends_with("state=overdue&page=3"))
        );
        assert!(p.last.as_deref().is_some_and(|l| l.ends_with("&page=4")));
        let one = pager("/tasks", &[], 1, 50, 3);
        assert!(one.first.is_none() && one.next.is_none());
        assert_eq!(one.pages, 1);
    }
}
