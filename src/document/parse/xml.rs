//! Pure: a forgiving XML walk for feeds, on quick-xml's tokenizer.
//!
//! Feeds in the wild are often not well-formed XML, and a strict parser
//! loses every item to one fault. This walk resolves namespaces and
//! `xml:base`, decodes references (the five XML entities, numeric ones in
//! any case, and HTML's named entities, which feeds use undeclared), and
//! recovers the way feed readers do: an end tag closes up to the nearest
//! open element of that name (or is ignored if none is open), a bare `&` is
//! text, and a document cut off mid-way ends the walk there, with every
//! open element closed and [`Walk::complete`] false.

use std::borrow::Cow;
use std::ops::ControlFlow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use url::Url;

/// Namespaces the feed formats use, by role. Anything else is [`Ns::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Ns {
    #[default]
    /// No namespace, or one of the RSS namespaces (0.90, 0.91 Userland, 1.0,
    /// 2.0 Harvard/Userland): the core feed vocabulary.
    Core,
    /// Atom 1.0 (`http://www.w3.org/2005/Atom`).
    Atom,
    /// Atom 0.3 (`http://purl.org/atom/ns#`).
    Atom03,
    /// RDF (`rdf:RDF`, `rdf:about`).
    Rdf,
    /// Dublin Core elements (`dc:title`, `dc:date`, …).
    Dc,
    /// Dublin Core terms (`dcterms:modified`, `dcterms:issued`, …).
    Dcterms,
    /// RSS content module (`content:encoded`).
    Content,
    /// XHTML, inside Atom `type="xhtml"` constructs.
    Xhtml,
    /// The `xml:` prefix (`xml:base`, `xml:lang`).
    Xml,
    /// A namespace no feed field comes from.
    Other,
}

impl Ns {
    fn from_uri(uri: &str) -> Ns {
        // Namespace names are compared without case and without a trailing
        // `/` or `#`, as feed readers do (publishers get them slightly wrong).
        let u = uri.trim().trim_end_matches(['/', '#']);
        let is = |known: &str| u.eq_ignore_ascii_case(known);
        if u.is_empty()
            || is("http://purl.org/rss/1.0")
            || is("http://my.netscape.com/rdf/simple/0.9")
            || is("http://backend.userland.com/rss2")
            || is("http://backend.userland.com/rss")
            || is("http://blogs.law.harvard.edu/tech/rss")
            || is("http://purl.org/rss/2.0")
            || is("http://purl.org/rss/1.0/modules/rss091")
        {
            Ns::Core
        } else if is("http://www.w3.org/2005/Atom") {
            Ns::Atom
        } else if is("http://purl.org/atom/ns") {
            Ns::Atom03
        } else if is("http://www.w3.org/1999/02/22-rdf-syntax-ns") {
            Ns::Rdf
        } else if is("http://purl.org/dc/elements/1.1") {
            Ns::Dc
        } else if is("http://purl.org/dc/terms") {
            Ns::Dcterms
        } else if is("http://purl.org/rss/1.0/modules/content") {
            Ns::Content
        } else if is("http://www.w3.org/1999/xhtml") {
            Ns::Xhtml
        } else if is("http://www.w3.org/XML/1998/namespace") {
            Ns::Xml
        } else {
            Ns::Other
        }
    }

    /// The role of an undeclared prefix: the usual ones by convention.
    fn from_prefix(prefix: &str) -> Ns {
        match prefix {
            "xml" => Ns::Xml,
            "dc" => Ns::Dc,
            "dcterms" => Ns::Dcterms,
            "content" => Ns::Content,
            "rdf" => Ns::Rdf,
            "atom" => Ns::Atom,
            _ => Ns::Other,
        }
    }
}

/// One attribute of the current start tag, its value with references decoded.
#[derive(Debug, Default)]
pub(super) struct Attr {
    /// The name as written (`xml:base`, `href`).
    pub qname: String,
    /// Its namespace role (unprefixed attributes are [`Ns::Core`]).
    pub ns: Ns,
    /// Offset of the local name in `qname`.
    local_at: usize,
    /// The decoded value.
    pub value: String,
}

impl Attr {
    /// The name without its prefix.
    pub fn local(&self) -> &str {
        &self.qname[self.local_at..]
    }
}

/// A start tag as the handler sees it.
pub(super) struct Element<'w> {
    /// The local name as written (compare with `eq_ignore_ascii_case`).
    pub local: &'w str,
    /// Its namespace role.
    pub ns: Ns,
    /// Its attributes (namespace declarations left out).
    pub attrs: &'w [Attr],
    /// The base URL in effect inside it (`xml:base`, else the document's).
    pub base: Option<&'w Url>,
    /// The `xml:lang` in effect inside it.
    pub lang: Option<&'w str>,
    /// Nesting depth: the root is 1.
    pub depth: usize,
}

impl Element<'_> {
    /// The value of an unprefixed attribute, any case (`href`, `HREF`).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns == Ns::Core && a.qname.eq_ignore_ascii_case(name))
            .map(|a| a.value.as_str())
    }

    /// The value of an attribute in namespace `ns` (`rdf:about`).
    pub fn attr_ns(&self, ns: Ns, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns == ns && a.local().eq_ignore_ascii_case(local))
            .map(|a| a.value.as_str())
    }

    /// Whether this is `local` in namespace `ns` (local name in any case).
    pub fn is(&self, ns: Ns, local: &str) -> bool {
        self.ns == ns && self.local.eq_ignore_ascii_case(local)
    }
}

/// What the walk reports to its handler, in document order.
pub(super) trait Handler {
    /// A start tag (an empty-element tag gives `start` then `end`);
    /// `Break` ends the walk (the document is not what the handler reads).
    fn start(&mut self, el: &Element<'_>) -> ControlFlow<()>;
    /// Character data (text, CDATA, decoded references), possibly in pieces.
    fn text(&mut self, text: &str);
    /// The end of the element opened at `depth` (explicit, implied by a
    /// mismatched end tag, or by the end of the document). `qname` is its
    /// name as written in the start tag.
    fn end(&mut self, qname: &str, depth: usize);
    /// The document ends before its root element is closed (cut off, or a
    /// fault the tokenizer cannot pass): the `end` calls that follow close
    /// elements that never ended.
    fn cut_off(&mut self);
}

/// How a walk ended.
#[derive(Debug, Clone, Default)]
pub(super) struct Walk {
    /// The local name of the root element, if there was one.
    pub root: Option<(Ns, String)>,
    /// The root element was closed by its end tag.
    pub complete: bool,
    /// The tokenizer's error, when the document ended in one.
    pub error: Option<String>,
}

/// One open element.
#[derive(Default)]
struct Frame {
    qname: String,
    /// Namespace bindings declared on it (popped with it).
    bindings: usize,
    /// Whether it set a new base (popped with it).
    pushed_base: bool,
    /// Whether it set a new language (popped with it).
    pushed_lang: bool,
}

/// Walks `text` and reports to `handler`; `base` is the document's URL.
pub(super) fn walk(text: &str, base: Option<&Url>, handler: &mut impl Handler) -> Walk {
    let mut w = Walker {
        frames: Vec::new(),
        depth: 0,
        bindings: Vec::new(),
        bases: base.cloned().into_iter().collect(),
        langs: Vec::new(),
        attrs: Vec::new(),
        n_attrs: 0,
        text: String::new(),
        out: Walk::default(),
    };
    w.run(text, handler);
    w.out
}

struct Walker {
    /// Open elements; only `frames[..depth]` are live (the rest keep their
    /// buffers for reuse).
    frames: Vec<Frame>,
    depth: usize,
    /// In-scope namespace declarations: (prefix, role); `""` is the default.
    bindings: Vec<(String, Ns)>,
    /// The stack of base URLs in effect.
    bases: Vec<Url>,
    /// The stack of `xml:lang` values in effect.
    langs: Vec<String>,
    /// Attribute buffers, reused; `attrs[..n_attrs]` are the current tag's.
    attrs: Vec<Attr>,
    n_attrs: usize,
    /// Pending character data, reported in one piece before the next tag.
    text: String,
    out: Walk,
}

impl Walker {
    fn run(&mut self, input: &str, h: &mut impl Handler) {
        let mut reader = Reader::from_str(input);
        {
            let c = reader.config_mut();
            c.allow_dangling_amp = true;
            c.allow_unmatched_ends = true;
            c.check_end_names = false;
            c.check_comments = false;
            c.expand_empty_elements = false;
            c.trim_text(false);
        }
        loop {
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    self.out.error = Some(e.to_string());
                    break;
                }
            };
            let root_done = self.out.root.is_some() && self.depth == 0;
            match event {
                Event::Start(_) | Event::Empty(_) if root_done => {}
                Event::Start(e) => {
                    if self.start(&e, false, h).is_break() {
                        break;
                    }
                }
                Event::Empty(e) => {
                    if self.start(&e, true, h).is_break() {
                        break;
                    }
                }
                Event::End(e) => {
                    if !root_done {
                        self.end_tag(e.name().as_ref(), h);
                    }
                }
                Event::Text(t) => {
                    if self.depth > 0 {
                        self.text.push_str(&t.xml10_content());
                    }
                }
                Event::CData(t) => {
                    if self.depth > 0 {
                        self.text.push_str(&t.xml10_content());
                    }
                }
                Event::GeneralRef(r) => {
                    if self.depth > 0 {
                        push_reference(&mut self.text, &r);
                    }
                }
                Event::Eof => break,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
        self.flush_text(h);
        self.out.complete = self.out.root.is_some() && self.depth == 0 && self.out.error.is_none();
        if self.depth > 0 {
            h.cut_off();
        }
        while self.depth > 0 {
            self.pop(h);
        }
    }

    fn flush_text(&mut self, h: &mut impl Handler) {
        if !self.text.is_empty() {
            h.text(&self.text);
            self.text.clear();
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool, h: &mut impl Handler) -> ControlFlow<()> {
        self.flush_text(h);
        let qname = e.name();
        let qname = qname.as_ref();
        // Attributes first: namespace declarations apply to the tag itself.
        self.n_attrs = 0;
        let mut new_bindings = 0;
        let mut xml_base: Option<usize> = None;
        let mut xml_lang: Option<usize> = None;
        for attr in e.attributes().with_checks(false).flatten() {
            let key = attr.key.as_ref();
            let raw = attr.value.as_ref();
            if key == "xmlns" || key.starts_with("xmlns:") {
                let prefix = key
                    .strip_prefix("xmlns")
                    .unwrap_or("")
                    .trim_start_matches(':');
                let uri = decode_references(raw);
                // The default namespace is the document's own vocabulary
                // whatever its URI (`.../rss2.1`, the pre-Atom "echo" and
                // "pie" drafts), as feed readers take it.
                let ns = match Ns::from_uri(&uri) {
                    Ns::Other if prefix.is_empty() => Ns::Core,
                    ns => ns,
                };
                self.bindings.push((prefix.to_string(), ns));
                new_bindings += 1;
                continue;
            }
            if self.n_attrs == self.attrs.len() {
                self.attrs.push(Attr::default());
            }
            let a = &mut self.attrs[self.n_attrs];
            a.qname.clear();
            a.qname.push_str(key);
            a.local_at = key.find(':').map_or(0, |i| i + 1);
            a.value.clear();
            append_decoded(&mut a.value, raw);
            if key == "xml:base" {
                xml_base = Some(self.n_attrs);
            } else if key == "xml:lang" {
                xml_lang = Some(self.n_attrs);
            }
            self.n_attrs += 1;
        }
        // Prefixed attributes take the namespace of their prefix.
        for i in 0..self.n_attrs {
            let a = &self.attrs[i];
            let ns = match a.local_at {
                0 => Ns::Core,
                at => self.resolve_prefix(&a.qname[..at - 1]),
            };
            self.attrs[i].ns = ns;
        }
        let pushed_base = match xml_base {
            Some(i) => {
                let href = self.attrs[i].value.trim();
                let resolved = match self.bases.last() {
                    Some(b) => b.join(href).ok(),
                    None => Url::parse(href).ok(),
                };
                match resolved {
                    Some(u) => {
                        self.bases.push(u);
                        true
                    }
                    None => false,
                }
            }
            None => false,
        };
        let pushed_lang = match xml_lang {
            Some(i) => {
                self.langs.push(self.attrs[i].value.trim().to_string());
                true
            }
            None => false,
        };
        let (prefix, local) = match qname.split_once(':') {
            Some((p, l)) => (p, l),
            None => ("", qname),
        };
        let ns = self.resolve_prefix(prefix);
        if self.depth == 0 && self.out.root.is_none() {
            self.out.root = Some((ns, local.to_string()));
        }
        if self.depth == self.frames.len() {
            self.frames.push(Frame::default());
        }
        let frame = &mut self.frames[self.depth];
        frame.qname.clear();
        frame.qname.push_str(qname);
        frame.bindings = new_bindings;
        frame.pushed_base = pushed_base;
        frame.pushed_lang = pushed_lang;
        self.depth += 1;
        let flow = h.start(&Element {
            local,
            ns,
            attrs: &self.attrs[..self.n_attrs],
            base: self.bases.last(),
            lang: self
                .langs
                .last()
                .map(String::as_str)
                .filter(|l| !l.is_empty()),
            depth: self.depth,
        });
        if empty && flow.is_continue() {
            self.pop(h);
        }
        flow
    }

    /// The role of `prefix` in scope (`""` is the default namespace).
    fn resolve_prefix(&self, prefix: &str) -> Ns {
        match self.bindings.iter().rev().find(|(p, _)| p == prefix) {
            Some((_, ns)) => *ns,
            None if prefix.is_empty() => Ns::Core,
            None => Ns::from_prefix(prefix),
        }
    }

    /// An end tag closes the nearest open element with its name and every
    /// element opened inside it; with no such element it is ignored.
    fn end_tag(&mut self, name: &str, h: &mut impl Handler) {
        let name = name.trim_end();
        let Some(i) = self.frames[..self.depth]
            .iter()
            .rposition(|f| f.qname == name)
        else {
            return;
        };
        self.flush_text(h);
        while self.depth > i {
            self.pop(h);
        }
    }

    fn pop(&mut self, h: &mut impl Handler) {
        self.flush_text(h);
        self.depth -= 1;
        let frame = &self.frames[self.depth];
        h.end(&frame.qname, self.depth + 1);
        let keep = self.bindings.len() - frame.bindings;
        self.bindings.truncate(keep);
        if frame.pushed_base {
            self.bases.pop();
        }
        if frame.pushed_lang {
            self.langs.pop();
        }
    }
}

/// Appends the text a reference (`lt`, `#x41`, `hellip`) stands for, or
/// the reference itself, as written, when it is unknown.
fn push_reference(out: &mut String, name: &str) {
    match resolve_reference(name) {
        Some(s) => out.push_str(&s),
        None => {
            out.push('&');
            out.push_str(name);
            out.push(';');
        }
    }
}

/// What `&name;` stands for: the five XML entities, character references
/// (`#65`, `#x41`, `#X41`), and HTML's named entities, which feeds use
/// without declaring them. `lang` and `rang` keep their XHTML 1.0 values
/// (U+2329/U+232A): HTML5 moved them, but an XML feed means the XHTML set.
pub(super) fn resolve_reference(name: &str) -> Option<Cow<'static, str>> {
    let fixed = match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "quot" => "\"",
        "apos" => "'",
        "lang" => "\u{2329}",
        "rang" => "\u{232A}",
        _ => "",
    };
    if !fixed.is_empty() {
        return Some(Cow::Borrowed(fixed));
    }
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        // NUL and surrogates are not characters; U+FFFD stands in, as in HTML.
        let c = char::from_u32(code)
            .filter(|&c| c != '\0')
            .unwrap_or('\u{FFFD}');
        return Some(Cow::Owned(c.to_string()));
    }
    if name.is_empty() || name.len() > 32 || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let written = format!("&{name};");
    match html_escape::decode_html_entities(&written) {
        Cow::Owned(s) if s != written => Some(Cow::Owned(s)),
        _ => None,
    }
}

/// `raw` (attribute value or text as written) with its references decoded.
pub(super) fn decode_references(raw: &str) -> Cow<'_, str> {
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    append_decoded(&mut out, raw);
    Cow::Owned(out)
}

fn append_decoded(out: &mut String, raw: &str) {
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after
            .char_indices()
            .take(34)
            .find(|&(_, c)| c == ';' || c == '&' || c.is_whitespace() || c == '<')
            .filter(|&(_, c)| c == ';');
        match end.and_then(|(e, _)| resolve_reference(&after[..e]).map(|s| (e, s))) {
            Some((e, s)) => {
                out.push_str(&s);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}
