//! Issue 6: `reformwatch import-opml FILE` prints `[[sources]]` entries for
//! the feeds of an OPML export. Appended to the config they pass `check`,
//! with ids that do not clash with the sources already there; outlines that
//! are not http(s) feeds are named on stderr and left out.

use crate::support::smtp::SmtpServer;
use crate::support::{exit, Workspace};

const OPML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>RSS 订阅</title></head><body>
<outline text="新闻">
  <outline type="rss" text="人民网 时政" xmlUrl="http://127.0.0.1:9/rss/politics.xml"/>
  <outline type="rss" title="求是 &amp; 理论" xmlUrl="http://127.0.0.1:9/qs/feed.xml"/>
  <outline type="rss" text="本地文件" xmlUrl="file:///etc/passwd"/>
</outline>
</body></opml>"#;

#[test]
fn import_opml_prints_sources_that_pass_check() {
    let smtp = SmtpServer::start();
    // An existing source whose id the import must not reuse.
    let ws = Workspace::new(
        smtp.port(),
        &[(
            "127-0-0-1-rss-politics".into(),
            "http://127.0.0.1:9/other.xml".into(),
        )],
    );
    let opml = ws.dir().join("feeds.opml");
    std::fs::write(&opml, OPML).unwrap();
    let run = ws.run(&["import-opml", &opml.display().to_string()]);
    run.expect_code(exit::OK);
    let toml = run.stdout();
    assert_eq!(toml.matches("[[sources]]").count(), 2, "{toml}");
    assert!(toml.contains("name = \"人民网 时政\""), "{toml}");
    assert!(toml.contains("name = \"求是 & 理论\""), "{toml}");
    assert!(toml.contains("id = \"127-0-0-1-rss-politics-2\""), "{toml}");
    assert!(
        run.stderr().contains("file:///etc/passwd"),
        "{}",
        run.describe()
    );

    let mut config = std::fs::read_to_string(ws.config_path()).unwrap();
    config.push('\n');
    config.push_str(&toml);
    std::fs::write(ws.config_path(), config).unwrap();
    let check = ws.run(&["check"]);
    check.expect_code(exit::OK);
    assert!(check.stdout().contains("3 sources"), "{}", check.describe());
}
