//! A fetched page as later stages keep it: the validators for the next
//! conditional GET, and the raw bytes kept as a revision's evidence.

/// Cache validators remembered per source for conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The last `ETag` the server sent.
    pub etag: Option<String>,
    /// The last `Last-Modified` the server sent.
    pub last_modified: Option<String>,
}

/// An article page as it was fetched: the raw bytes of its (first) page,
/// kept as evidence, and the validators for its next conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageEvidence {
    /// The raw bytes of the (first) page.
    pub raw: Vec<u8>,
    /// Validators the page was served with.
    pub validators: Validators,
}
