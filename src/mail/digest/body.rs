//! Pure: the digest's body parts and attachments from its view. Every
//! article is rendered in full and as one line, in both parts; the layout
//! (`layout.rs`) picks a form for each within the size budget; the parts
//! are assembled from exactly those pieces and measured, and if a part
//! still comes out too big (the skeleton was under-estimated) the budget
//! shrinks and the layout runs again. What the body cannot show goes into
//! `articles.csv` and `revisions.txt`, and [`Body::carried`] lists what the
//! message holds, from what was actually written.

use super::csv;
use super::lang::{ARTICLES_CSV, REVISIONS_TXT};
use super::layout::{self, Cost, Section, SectionPlan, Sizes, Tier};
use super::render_html;
use super::render_text;
use super::view::DigestView;
use super::{Carried, DigestAttachment};

/// Each body part stays under this many bytes, measured as the message
/// carries it before transfer encoding (UTF-8, CRLF line ends): Gmail clips
/// an HTML part over about 102 KB.
pub const MAX_PART_BYTES: usize = 100_000;

/// Room kept per topic for list wrappers and headings the skeleton
/// estimate does not include.
const GROUP_SLACK: Cost = Cost {
    html: 300,
    text: 60,
};

/// One article rendered for one form, in both parts (`html` is empty for
/// text-only subscribers).
pub(super) struct Frag {
    pub(super) text: String,
    pub(super) html: String,
}

/// One article in both forms.
pub(super) struct Forms {
    pub(super) full: Frag,
    pub(super) line: Frag,
}

/// Every article rendered, per group and ranked like the view.
pub(super) struct Pieces {
    pub(super) items: Vec<Vec<Forms>>,
    pub(super) revised: Vec<Forms>,
    /// The text part's indent of full items.
    pub(super) indent: usize,
}

/// What one topic of the body shows.
pub(super) struct ShownGroup {
    /// Items in full, by index into the group, newest first.
    pub(super) full: Vec<usize>,
    /// One-line items, newest first.
    pub(super) lines: Vec<usize>,
    /// How many are only in `articles.csv`.
    pub(super) attached: usize,
}

/// What the body shows.
pub(super) struct Shown {
    pub(super) groups: Vec<ShownGroup>,
    /// The tier of each revised article, in the view's order.
    pub(super) revised: Vec<Tier>,
    /// `articles.csv` is attached.
    pub(super) articles_attached: bool,
    /// New articles in the digest.
    pub(super) new_total: usize,
}

impl Shown {
    /// The revised articles (indexes into the view's) of `tier`, in order.
    pub(super) fn revised_of(&self, tier: Tier) -> impl Iterator<Item = usize> + '_ {
        self.revised
            .iter()
            .enumerate()
            .filter(move |(_, t)| **t == tier)
            .map(|(r, _)| r)
    }
}

/// The finished parts.
pub(super) struct Body {
    pub(super) text: String,
    pub(super) html: Option<String>,
    pub(super) attachments: Vec<DigestAttachment>,
    pub(super) carried: Carried,
}

/// Size of a part as the message carries it before transfer encoding
/// (LF becomes CRLF): what [`MAX_PART_BYTES`] bounds.
pub fn wire_len(s: &str) -> usize {
    s.len() + s.bytes().filter(|b| *b == b'\n').count()
}

/// Lays out `view` within [`MAX_PART_BYTES`] per part; `html` is whether
/// the subscriber gets an HTML part; `subject` is its document title.
pub(super) fn lay_out(view: &DigestView, subject: &str, html: bool) -> Body {
    let pieces = pieces(view, html);
    let cost = |f: &Frag| Cost::new(wire_len(&f.html), wire_len(&f.text));
    let sizes = |forms: &Forms| Sizes {
        full: cost(&forms.full),
        line: cost(&forms.line),
    };
    let new = Section {
        groups: pieces
            .items
            .iter()
            .map(|g| g.iter().map(sizes).collect())
            .collect(),
        full_quota: view.groups.iter().map(|g| g.full_quota).collect(),
    };
    let revised = Section {
        groups: vec![pieces.revised.iter().map(sizes).collect()],
        full_quota: vec![pieces.revised.len()],
    };

    let render = |plans: &(SectionPlan, SectionPlan)| {
        let shown = shown(view, &plans.0, &plans.1);
        let text = render_text::document(view, &shown, &pieces);
        let html = html.then(|| render_html::document(view, &shown, &pieces, subject));
        (shown, text, html)
    };
    let all_attached = (
        SectionPlan::all_attached(&new),
        SectionPlan::all_attached(&revised),
    );
    let (_, text, skeleton_html) = render(&all_attached);
    let groups = view.groups.len() + 1;
    let reserve = Cost::new(
        skeleton_html.as_deref().map_or(0, wire_len) + GROUP_SLACK.html * groups,
        wire_len(&text) + GROUP_SLACK.text * groups,
    );
    let limit = MAX_PART_BYTES - 1;
    let mut budget = Cost::new(if html { limit } else { usize::MAX / 4 }, limit);
    let mut plans = None;
    for _ in 0..8 {
        let available = Cost::new(
            budget.html.saturating_sub(reserve.html),
            budget.text.saturating_sub(reserve.text),
        );
        let p = layout::plan(&new, &revised, available);
        let (shown, text, html) = render(&p);
        let size = Cost::new(html.as_deref().map_or(0, wire_len), wire_len(&text));
        if size.fits(Cost::new(limit, limit)) {
            plans = Some((shown, text, html));
            break;
        }
        // Over: shrink by the excess and a little more, and try again.
        budget = Cost::new(
            budget
                .html
                .saturating_sub(size.html.saturating_sub(limit) + 1024),
            budget
                .text
                .saturating_sub(size.text.saturating_sub(limit) + 1024),
        );
    }
    let (shown, text, html) = plans.unwrap_or_else(|| render(&all_attached));
    finish(view, shown, text, html, &pieces)
}

/// Renders every article in both forms.
fn pieces(view: &DigestView, html: bool) -> Pieces {
    let words = view.words;
    let quota: usize = view.groups.iter().map(|g| g.full_quota).sum();
    let indent = render_text::indent_for(quota.max(1));
    let frag = |text: String, html_of: &dyn Fn() -> String| Frag {
        text,
        html: if html { html_of() } else { String::new() },
    };
    let items = view
        .groups
        .iter()
        .map(|g| {
            g.items
                .iter()
                .map(|item| Forms {
                    full: frag(render_text::item_full(item, words, indent), &|| {
                        render_html::item_full(item, words)
                    }),
                    line: frag(render_text::item_line(item), &|| {
                        render_html::item_line(item)
                    }),
                })
                .collect()
        })
        .collect();
    let revised = view
        .revisions
        .iter()
        .map(|r| Forms {
            full: frag(render_text::revised_full(r), &|| {
                render_html::revised_full(r)
            }),
            line: frag(render_text::revised_line(r, words), &|| {
                render_html::revised_line(r, words)
            }),
        })
        .collect();
    Pieces {
        items,
        revised,
        indent,
    }
}

/// The plans in display order.
fn shown(view: &DigestView, new: &SectionPlan, revised: &SectionPlan) -> Shown {
    let groups = view
        .groups
        .iter()
        .zip(&new.tiers)
        .map(|(group, tiers)| {
            let mut order: Vec<usize> = (0..group.items.len()).collect();
            order.sort_by(|&a, &b| {
                let (a, b) = (&group.items[a], &group.items[b]);
                b.sort_time
                    .cmp(&a.sort_time)
                    .then(b.article_id.cmp(&a.article_id))
            });
            let of = |tier: Tier| order.iter().copied().filter(move |&i| tiers[i] == tier);
            ShownGroup {
                full: of(Tier::Full).collect(),
                lines: of(Tier::Line).collect(),
                attached: of(Tier::Attached).count(),
            }
        })
        .collect();
    Shown {
        groups,
        revised: revised.tiers.first().cloned().unwrap_or_default(),
        articles_attached: new.attached,
        new_total: view.groups.iter().map(|g| g.items.len()).sum(),
    }
}

/// The attachments the layout needs, and what the message carries.
fn finish(
    view: &DigestView,
    shown: Shown,
    text: String,
    html: Option<String>,
    pieces: &Pieces,
) -> Body {
    let mut carried = Carried::default();
    for (group, show) in view.groups.iter().zip(&shown.groups) {
        for &i in show.full.iter().chain(&show.lines) {
            carried.articles.push(group.items[i].article_id);
            carried.articles.extend(&group.items[i].folded);
        }
    }
    let mut attachments = Vec::new();
    // A CSV the writer failed to produce (only a bug could) is not
    // attached, and its articles are not carried: they stay pending.
    if let Some((content, rows)) = shown
        .articles_attached
        .then(|| csv::articles(view).ok())
        .flatten()
    {
        carried.articles.extend(
            view.groups
                .iter()
                .flat_map(|g| &g.items)
                .flat_map(|i| std::iter::once(i.article_id).chain(i.folded.iter().copied())),
        );
        attachments.push(DigestAttachment {
            filename: ARTICLES_CSV.to_owned(),
            content_type: "text/csv; charset=utf-8".to_owned(),
            content,
            rows,
        });
    }
    let mut in_file = 0;
    for (r, tier) in shown.revised.iter().enumerate() {
        if *tier != Tier::Full {
            in_file += 1;
        }
        // In full in the body, or in full in revisions.txt.
        carried.revisions.push(view.revisions[r].article_id);
    }
    if in_file > 0 {
        let content = render_text::revisions_file(view, &shown, pieces);
        attachments.push(DigestAttachment {
            filename: REVISIONS_TXT.to_owned(),
            content_type: "text/plain; charset=utf-8".to_owned(),
            content: content.into_bytes(),
            rows: in_file,
        });
    }
    carried.articles.sort_unstable();
    carried.articles.dedup();
    Body {
        text,
        html,
        attachments,
        carried,
    }
}
