//! Pure: how much of a digest the body shows, so that no mail client clips
//! it. Each article has a size in full and as one line, in both parts; the
//! layout gives each article a [`Tier`] so that the body fits its budget:
//!
//! 1. When every article fits (the best of each topic, within its share of
//!    `max_items`, in full; the rest as one-line entries), that is the body.
//! 2. Otherwise full items are demoted to one line, lowest-ranked first
//!    from the topic with the most full items, until all fits, but never
//!    below half the budget for full items.
//! 3. When even that does not fit, the section goes into an attachment
//!    (every article of it), and the body keeps its full items and fills
//!    the rest of the budget with one-line entries, topic by topic in
//!    turn, best-ranked first; the others are [`Tier::Attached`] only.
//!
//! The new articles and the Revised section each get half the budget when
//! both need more; one that needs less leaves the rest to the other.
//! Sizes are plain byte counts: this module knows nothing of rendering.

/// A size in both parts of the body, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Cost {
    pub(super) html: usize,
    pub(super) text: usize,
}

impl Cost {
    pub(super) fn new(html: usize, text: usize) -> Self {
        Cost { html, text }
    }

    fn plus(self, o: Cost) -> Cost {
        Cost::new(self.html + o.html, self.text + o.text)
    }

    fn minus(self, o: Cost) -> Cost {
        Cost::new(
            self.html.saturating_sub(o.html),
            self.text.saturating_sub(o.text),
        )
    }

    pub(super) fn fits(self, budget: Cost) -> bool {
        self.html <= budget.html && self.text <= budget.text
    }

    fn half(self) -> Cost {
        Cost::new(self.html / 2, self.text / 2)
    }
}

/// How an article appears in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tier {
    /// In the body in full (new article: title, source, time, terms, lead;
    /// revised article: its diff).
    Full,
    /// In the body as one line (a revised article's diff is attached).
    Line,
    /// Only in the attachment.
    Attached,
}

/// One article's size in each form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Sizes {
    pub(super) full: Cost,
    pub(super) line: Cost,
}

/// One section's articles: groups of ranked articles, and how many of each
/// group's best may be shown in full.
pub(super) struct Section {
    pub(super) groups: Vec<Vec<Sizes>>,
    pub(super) full_quota: Vec<usize>,
}

/// The tiers of one section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SectionPlan {
    /// Per group, per ranked article.
    pub(super) tiers: Vec<Vec<Tier>>,
    /// The section needs its attachment.
    pub(super) attached: bool,
}

impl SectionPlan {
    /// Every article of `section` only in the attachment.
    pub(super) fn all_attached(section: &Section) -> Self {
        SectionPlan {
            tiers: section
                .groups
                .iter()
                .map(|g| vec![Tier::Attached; g.len()])
                .collect(),
            attached: section.groups.iter().any(|g| !g.is_empty()),
        }
    }
}

/// The tiers of the new articles and of the revised ones, within `budget`.
pub(super) fn plan(new: &Section, revised: &Section, budget: Cost) -> (SectionPlan, SectionPlan) {
    let (want_new, want_rev) = (preferred(new).1, preferred(revised).1);
    let share_new = Cost::new(
        share(want_new.html, want_rev.html, budget.html),
        share(want_new.text, want_rev.text, budget.text),
    );
    let share_rev = budget.minus(share_new);
    (
        plan_section(new, share_new),
        plan_section(revised, share_rev),
    )
}

/// The part of `budget` the first of two sections gets: what it wants if
/// that is at most half, else what the other leaves, but at least half.
fn share(want: usize, other: usize, budget: usize) -> usize {
    let half = budget / 2;
    if want <= half {
        want
    } else if other <= half {
        budget - other
    } else {
        half
    }
}

/// Full for each group's quota, lines for the rest, and what that costs.
fn preferred(section: &Section) -> (Vec<Vec<Tier>>, Cost) {
    let mut cost = Cost::default();
    let tiers = section
        .groups
        .iter()
        .zip(&section.full_quota)
        .map(|(group, &quota)| {
            group
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    if i < quota {
                        cost = cost.plus(s.full);
                        Tier::Full
                    } else {
                        cost = cost.plus(s.line);
                        Tier::Line
                    }
                })
                .collect()
        })
        .collect();
    (tiers, cost)
}

/// The tiers of one section within `budget` (see the module docs).
pub(super) fn plan_section(section: &Section, budget: Cost) -> SectionPlan {
    let groups = &section.groups;
    let (mut tiers, mut cost) = preferred(section);
    let mut full_cost = Cost::default();
    for (g, group) in groups.iter().enumerate() {
        for (i, s) in group.iter().enumerate() {
            if tiers[g][i] == Tier::Full {
                full_cost = full_cost.plus(s.full);
            }
        }
    }
    let half = budget.half();
    // Demote full items until all fits, keeping half the budget for them.
    while !cost.fits(budget) && !full_cost.fits(half) {
        let Some((g, i)) = last_full_of_fullest(&tiers) else {
            break;
        };
        tiers[g][i] = Tier::Line;
        let s = groups[g][i];
        cost = cost.minus(s.full).plus(s.line);
        full_cost = full_cost.minus(s.full);
    }
    if cost.fits(budget) {
        return SectionPlan {
            tiers,
            attached: false,
        };
    }
    // Attach the section; fill the body with lines, topic by topic in turn.
    let mut cost = full_cost;
    let mut next: Vec<usize> = vec![0; groups.len()];
    let mut open: Vec<usize> = (0..groups.len()).collect();
    for t in tiers.iter_mut().flatten() {
        if *t == Tier::Line {
            *t = Tier::Attached;
        }
    }
    while !open.is_empty() {
        open.retain(|&g| {
            while next[g] < groups[g].len() && tiers[g][next[g]] == Tier::Full {
                next[g] += 1;
            }
            let Some(s) = groups[g].get(next[g]) else {
                return false;
            };
            if !cost.plus(s.line).fits(budget) {
                return false;
            }
            cost = cost.plus(s.line);
            tiers[g][next[g]] = Tier::Line;
            next[g] += 1;
            true
        });
    }
    SectionPlan {
        tiers,
        attached: true,
    }
}

/// The lowest-ranked full item of the group with the most full items (the
/// later group on a tie).
fn last_full_of_fullest(tiers: &[Vec<Tier>]) -> Option<(usize, usize)> {
    let (g, n) = tiers
        .iter()
        .enumerate()
        .map(|(g, t)| (g, t.iter().filter(|t| **t == Tier::Full).count()))
        .max_by_key(|&(g, n)| (n, g))?;
    if n == 0 {
        return None;
    }
    let i = tiers[g].iter().rposition(|t| *t == Tier::Full)?;
    Some((g, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(full: usize, line: usize) -> Sizes {
        Sizes {
            full: Cost::new(full, full / 2),
            line: Cost::new(line, line / 2),
        }
    }

    fn section(groups: &[usize], quota: &[usize]) -> Section {
        Section {
            groups: groups
                .iter()
                .map(|&n| (0..n).map(|_| sizes(1000, 200)).collect())
                .collect(),
            full_quota: quota.to_vec(),
        }
    }

    fn count(plan: &SectionPlan, tier: Tier) -> usize {
        plan.tiers.iter().flatten().filter(|t| **t == tier).count()
    }

    fn cost(section: &Section, plan: &SectionPlan) -> Cost {
        let mut c = Cost::default();
        for (g, tiers) in plan.tiers.iter().enumerate() {
            for (i, t) in tiers.iter().enumerate() {
                c = c.plus(match t {
                    Tier::Full => section.groups[g][i].full,
                    Tier::Line => section.groups[g][i].line,
                    Tier::Attached => Cost::default(),
                });
            }
        }
        c
    }

    #[test]
    fn a_small_digest_is_all_in_the_body() {
        let s = section(&[3, 2], &[3, 2]);
        let p = plan_section(&s, Cost::new(100_000, 100_000));
        assert!(!p.attached);
        assert_eq!(count(&p, Tier::Full), 5);
    }

    #[test]
    fn over_the_item_cap_the_rest_are_lines() {
        let s = section(&[30], &[10]);
        let p = plan_section(&s, Cost::new(100_000, 100_000));
        assert!(!p.attached);
        assert_eq!(count(&p, Tier::Full), 10);
        assert_eq!(count(&p, Tier::Line), 20);
        // The best-ranked are the full ones.
        assert!(p.tiers[0][..10].iter().all(|t| *t == Tier::Full));
    }

    #[test]
    fn full_items_are_demoted_before_anything_is_attached() {
        // 60 in full would be 60,000; 60 lines are 12,000.
        let s = section(&[40, 20], &[40, 20]);
        let budget = Cost::new(40_000, 40_000);
        let p = plan_section(&s, budget);
        assert!(!p.attached);
        assert_eq!(count(&p, Tier::Attached), 0);
        assert!(cost(&s, &p).fits(budget));
        // The bigger topic gave up more.
        let full = |g: usize| p.tiers[g].iter().filter(|t| **t == Tier::Full).count();
        assert!(full(0) >= full(1), "{} {}", full(0), full(1));
        assert!(full(0) - full(1) <= 1);
    }

    #[test]
    fn a_huge_section_keeps_full_items_fills_lines_fairly_and_attaches() {
        let s = section(&[2900, 100], &[190, 10]);
        let budget = Cost::new(100_000, 100_000);
        let p = plan_section(&s, budget);
        assert!(p.attached);
        let c = cost(&s, &p);
        assert!(c.fits(budget), "{c:?}");
        // Full items keep at most half, and nearly half.
        let full = count(&p, Tier::Full);
        assert!(full * 1000 <= 50_000 && full * 1000 > 48_000, "{full}");
        // Lines fill the rest: within one line of the budget.
        assert!(c.html + 200 > budget.html, "{c:?}");
        // The small topic got lines too, best-ranked first.
        let lines1: Vec<usize> = (0..100).filter(|&i| p.tiers[1][i] == Tier::Line).collect();
        assert!(!lines1.is_empty());
        let first_attached = p.tiers[1].iter().position(|t| *t == Tier::Attached);
        assert!(first_attached.is_none_or(|a| lines1.iter().all(|&l| l < a)));
    }

    #[test]
    fn no_room_at_all_attaches_everything() {
        let s = section(&[5], &[5]);
        let p = plan_section(&s, Cost::new(100, 100));
        assert!(p.attached);
        assert_eq!(count(&p, Tier::Attached), 5);
    }

    #[test]
    fn sections_share_the_budget() {
        assert_eq!(share(10, 500, 100), 10);
        assert_eq!(share(500, 10, 100), 90);
        assert_eq!(share(500, 500, 100), 50);
        let new = section(&[3000], &[200]);
        let revised = section(&[500], &[500]);
        let budget = Cost::new(100_000, 100_000);
        let (a, b) = plan(&new, &revised, budget);
        assert!(a.attached && b.attached);
        assert!(cost(&new, &a).plus(cost(&revised, &b)).fits(budget));
        assert!(count(&b, Tier::Full) > 0 && count(&a, Tier::Full) > 0);
    }
}
