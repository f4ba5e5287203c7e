//! Pure: one fetched document → articles. [`read`] is the one entry:
//! bytes are decoded to UTF-8
//! ([`decode`]); a feed is parsed into items ([`parse`]), a listing page
//! into article links ([`discover`]), an article page into an `Article`
//! ([`extract`]); dates are read in the source's zone ([`dates`]), text and
//! URLs normalized for hashing ([`normalize`]), and the rules around
//! fetched pages (full-text merge, layout drift) live in [`page_rules`].
//! Which characters count as invisible is [`text_hygiene`]'s to say.

pub mod dates;
pub mod decode;
pub mod discover;
pub mod extract;
pub mod normalize;
pub mod page_rules;
pub mod parse;
pub mod read;
pub mod suggest;
pub mod text_hygiene;
