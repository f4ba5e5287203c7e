#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ (git-ignored) with seeds: the project's own
# fixtures, and, when a dev-set directory is given, a sample of its files.
#   fuzz/seed.sh                      # fixtures only
#   fuzz/seed.sh ../shared/devsets    # plus dev-set feeds and pages
set -euo pipefail
cd "$(dirname "$0")"
fixtures=../tests/fixtures
devsets=${1:-}
mkdir -p corpus/{feed,page,date,diff,digest,config}

copy() { # copy FILES... into corpus/$target, named by content hash
    local target=$1; shift
    for f in "$@"; do
        [ -f "$f" ] || continue
        cp "$f" "corpus/$target/$(sha1sum "$f" | cut -c1-16)"
    done
}

copy feed $fixtures/feeds/*.xml $fixtures/feeds/*.rdf $fixtures/feeds/*.json
find $fixtures/feeds/feedparser -name '*.xml' -print0 | xargs -0 -I{} cp {} corpus/feed/
copy page $fixtures/pages/*.htm $fixtures/pages/*.html
copy config $fixtures/config/*.toml ../config/*.toml
copy diff $fixtures/diffs/*.txt
copy digest $fixtures/diffs/*.txt $fixtures/seed/*.txt

# Dates: one per line of the date forms the unit tests use.
while IFS= read -r line; do
    [ -n "$line" ] && printf '%s' "$line" > "corpus/date/$(printf '%s' "$line" | sha1sum | cut -c1-16)"
done <<'DATES'
Tue, 03 Jun 2025 08:00:00 +0800
Tue, 03 Jun 2025 08:00:00 CST
2024-05-06T10:20:00.123Z
2024年5月6日 下午3:20
２０２４－０５－０６ １０：２０：００
Sun Jan  4 16:29:06 2004
Fri, 2006/09/15 08:19:53 EDT
2004-július-13T9:15-05:00
2004년 05월 28일  01:31:15
03335
-03-12
Wed, 19 Feb 2012 22:40:00 GMT-01:01
DATES

if [ -n "$devsets" ]; then
    find "$devsets/feedparser/suite" -name '*.xml' | shuf -n 600 --random-source=<(yes) \
        | while read -r f; do copy feed "$f"; done
    find "$devsets/gne/pages" -name '*.html' | head -60 | while read -r f; do copy page "$f"; done
    find "$devsets/readability/pages" -name source.html | head -40 | while read -r f; do copy page "$f"; done
fi
for t in feed page date diff digest config; do
    echo "$t: $(ls corpus/$t | wc -l) seeds"
done
