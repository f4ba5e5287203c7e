//! The shared value types every stage speaks: one `Article` for feed items and
//! scraped pages alike, plus the small records that flow between stages
//! (candidates, validators, page evidence, change classes, digest inputs,
//! robots.txt copies).
//! Every other module may use these; this module uses none of them. No I/O
//! and no behaviour beyond cheap derived views.

mod article;
mod candidate;
mod cluster;
mod digest;
mod failure;
mod listing;
mod matching;
mod page;
mod record;
mod revision;
mod robots;
mod source;

pub use article::{Article, FeedDocument, Quote, Section};
pub use candidate::Candidate;
pub use cluster::{ClusterMember, StoryMember};
pub use digest::{Carried, DigestItem};
pub use failure::FailureKind;
pub use listing::{ArticleFilter, ListedArticle};
pub use matching::{TermHit, TopicMatch};
pub use page::{PageEvidence, Validators};
pub use record::{
    DueRecheck, FetchedSource, NewArticle, NewRevision, Problem, RecheckOutcome, RecheckRecord,
    SeenArticle, SourceOutcome, SourceRecord, Verdict,
};
pub use revision::{ChangeClass, PendingRevision, StoredRevision, UnknownChangeClass};
pub use robots::RobotsCopy;
pub use source::SourceState;
