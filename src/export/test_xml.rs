//! Test helper: a tiny element tree over quick-xml, enough to ask "which
//! paragraph says X, and how is it formatted" of a generated part.

use quick_xml::Reader;
use quick_xml::events::Event;

/// A minimal element tree: enough to ask "which paragraph says X, and how
/// is it formatted".
#[derive(Debug, Default, Clone)]
pub struct El {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<El>,
    pub text: String,
}

impl El {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }
    pub fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a El>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.all(name, out);
        }
    }
    pub fn find_all(&self, name: &str) -> Vec<&El> {
        let mut out = Vec::new();
        self.all(name, &mut out);
        out
    }
    /// Concatenated `w:t` text.
    pub fn plain(&self) -> String {
        self.find_all("w:t")
            .iter()
            .map(|t| t.text.as_str())
            .collect()
    }
    pub fn path_attr(&self, path: &[&str], attr: &str) -> Option<&str> {
        let mut el = self;
        for p in path {
            el = el.child(p)?;
        }
        el.attr(attr)
    }
    pub fn runs(&self) -> Vec<&El> {
        self.find_all("w:r")
    }
    pub fn size(&self) -> Vec<u32> {
        self.runs()
            .iter()
            .filter_map(|r| r.path_attr(&["w:rPr", "w:sz"], "w:val"))
            .filter_map(|v| v.parse().ok())
            .collect()
    }
    pub fn all_runs(&self, flag: &str) -> bool {
        let runs = self.runs();
        !runs.is_empty()
            && runs
                .iter()
                .all(|r| r.child("w:rPr").and_then(|p| p.child(flag)).is_some())
    }
    pub fn no_run(&self, flag: &str) -> bool {
        self.runs()
            .iter()
            .all(|r| r.child("w:rPr").and_then(|p| p.child(flag)).is_none())
    }
    pub fn jc(&self) -> Option<&str> {
        self.path_attr(&["w:pPr", "w:jc"], "w:val")
    }
}

pub fn parse_xml(xml: &str) -> El {
    let mut reader = Reader::from_str(xml);
    let mut stack = vec![El::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => {
                let el = element(&e);
                stack.last_mut().expect("open element").children.push(el);
            }
            Event::End(_) => {
                let done = stack.pop().expect("open element");
                stack.last_mut().expect("parent").children.push(done);
            }
            // Text arrives split at entity references, which come as their
            // own events.
            Event::Text(t) => stack.last_mut().expect("open").text.push_str(&t),
            Event::GeneralRef(r) => {
                let s = match r.resolve_char_ref().expect("char ref") {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::unescape(&format!("&{};", &*r.into_inner()))
                        .expect("entity")
                        .into_owned(),
                };
                stack.last_mut().expect("open").text.push_str(&s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    stack.pop().expect("root")
}

fn element(e: &quick_xml::events::BytesStart<'_>) -> El {
    El {
        name: e.name().as_ref().to_string(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.expect("attribute");
                (
                    a.key.as_ref().to_string(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .expect("value")
                        .into_owned(),
                )
            })
            .collect(),
        ..El::default()
    }
}
