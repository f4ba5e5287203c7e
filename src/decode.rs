//! Pure: bytes → UTF-8 text. Order: BOM, per-source override, valid UTF-8,
//! HTTP charset, XML prolog, sniffing (chardetng). GB2312/GBK labels decode
//! as GB18030.
// STUB: owned by the decode/parse helper.
