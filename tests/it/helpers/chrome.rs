//! Headless Chromium through chromedriver on a free port, with a fresh profile each time.
//! Browser tests take a global lock: two Chromiums at once are too much for 2 cores.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

static ONE_BROWSER_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The browser's turn, for a test that loads both cores for a while (simulated recipients,
/// hundreds of connections): it never runs beside a browser test, whose page loads would
/// otherwise time out.
pub async fn heavy_turn() -> tokio::sync::MutexGuard<'static, ()> {
    ONE_BROWSER_AT_A_TIME.lock().await
}

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    _turn: tokio::sync::MutexGuard<'static, ()>,
    /// Pages as the server sent them, for the Nu Html Checker when the browser closes.
    served: std::sync::Mutex<Vec<(String, String)>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Js {
    On,
    Off,
}

impl Browser {
    pub async fn start(js: Js) -> Browser {
        Browser::start_with(js, None).await
    }

    /// `width`: emulate a small screen of that many CSS pixels (e.g. 320, or 640 for a
    /// 1280-pixel window at 200 % zoom).
    pub async fn start_with(js: Js, width: Option<u32>) -> Browser {
        let turn = ONE_BROWSER_AT_A_TIME.lock().await;
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start chromedriver (install chromium-driver): {e}"));
        let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let mut options = json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        });
        if let Some(width) = width {
            options["mobileEmulation"] =
                json!({"deviceMetrics": {"width": width, "height": 720, "pixelRatio": 1.0}});
        }
        if js == Js::Off {
            options["prefs"] = json!({"profile.managed_default_content_settings.javascript": 2});
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if started.elapsed() > Duration::from_secs(20) => {
                    panic!("chromedriver did not start a session within 20 s: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(150)).await,
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
            _turn: turn,
            served: std::sync::Mutex::new(Vec::new()),
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// Waits until the element is there and visible.
    pub async fn wait_visible(&self, css: &str, within: Duration) -> fantoccini::elements::Element {
        let started = Instant::now();
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await
                && el.is_displayed().await.unwrap_or(false)
            {
                return el;
            }
            if started.elapsed() > within {
                panic!("{css} did not become visible within {within:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    pub async fn html_attr(&self, attr: &str) -> Option<String> {
        self.find("html")
            .await
            .attr(attr)
            .await
            .unwrap_or_else(|e| panic!("html[{attr}]: {e}"))
    }

    pub async fn path(&self) -> String {
        let url = self
            .client
            .current_url()
            .await
            .unwrap_or_else(|e| panic!("current url: {e}"));
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Runs `act` (a click or a key press that submits or follows a link) and waits until
    /// the next page has replaced this one. Works with JavaScript off too: it watches for
    /// the old document's root element to go stale.
    pub async fn navigating<F: std::future::Future<Output = ()>>(&self, act: F) {
        let old = self.find("html").await;
        act.await;
        let started = Instant::now();
        while old.attr("lang").await.is_ok() {
            if started.elapsed() > Duration::from_secs(15) {
                panic!("no new page within 15 s (still on {})", self.path().await);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the element and waits for the page it leads to.
    pub async fn click_to_next_page(&self, css: &str) {
        self.navigating(async {
            self.find(css)
                .await
                .click()
                .await
                .unwrap_or_else(|e| panic!("click {css}: {e}"));
        })
        .await;
    }

    pub async fn press(&self, key: fantoccini::key::Key) {
        let active = self
            .client
            .active_element()
            .await
            .unwrap_or_else(|e| panic!("no active element: {e}"));
        active
            .send_keys(&char::from(key).to_string())
            .await
            .unwrap_or_else(|e| panic!("key press: {e}"));
    }

    /// Evaluates a JavaScript expression in the page.
    pub async fn eval(&self, expr: &str) -> serde_json::Value {
        self.client
            .execute(&format!("return ({expr});"), vec![])
            .await
            .unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    /// The page fits the screen: no horizontal scrolling (WCAG 1.4.10 reflow).
    pub async fn assert_no_horizontal_scroll(&self, page: &str) {
        let fits = self
            .eval("document.documentElement.scrollWidth <= window.innerWidth")
            .await;
        let width = self.eval("window.innerWidth").await;
        assert_eq!(fits, json!(true), "{page} scrolls sideways at {width} px");
    }

    /// No label of a form control is squeezed into a narrow column, one word or letter per
    /// line (a layout fault axe does not see): every shown label is at least 60 px wide,
    /// and one taller than three lines at least 12 em.
    pub async fn assert_labels_readable(&self, page: &str) {
        let squeezed = self
            .eval(
                "[...document.querySelectorAll('label')].filter(l => { \
                   const r = l.getBoundingClientRect(); \
                   if (r.width === 0 && r.height === 0) return false; \
                   const em = parseFloat(getComputedStyle(l).fontSize); \
                   const line = parseFloat(getComputedStyle(l).lineHeight) || 1.5 * em; \
                   return r.width < 60 || (r.height > 3 * line && r.width < 12 * em); \
                 }).map(l => (l.htmlFor || '?') + ': ' + Math.round(l.getBoundingClientRect().width) + ' px wide')",
            )
            .await;
        assert_eq!(squeezed, json!([]), "{page}: squeezed labels");
    }

    /// The text of every chart on the page reads clearly: no two `<text>` boxes of one
    /// SVG overlap, none (nor any bar or colour key) leaves its SVG's box, and none
    /// renders smaller than `min_px`.
    pub async fn assert_chart_text_clear(&self, page: &str, min_px: f64) {
        let problems = self
            .eval(&format!(
                "(() => {{ const out = []; \
                 for (const svg of document.querySelectorAll('figure svg')) {{ \
                   const box = svg.getBoundingClientRect(); \
                   const ctm = svg.getScreenCTM(); const scale = ctm ? Math.hypot(ctm.a, ctm.b) : 1; \
                   const name = svg.getAttribute('aria-labelledby') || '?'; \
                   const texts = [...svg.querySelectorAll('text')].map(t => ({{ \
                     t: t.textContent, r: t.getBoundingClientRect(), \
                     px: parseFloat(getComputedStyle(t).fontSize) * scale }})); \
                   if (texts.length === 0) out.push(name + ': no text'); \
                   for (const shape of svg.querySelectorAll('rect')) {{ \
                     const r = shape.getBoundingClientRect(); \
                     if (r.left < box.left - 1 || r.right > box.right + 1) \
                       out.push(name + ': a bar or key leaves the chart'); \
                   }} \
                   for (const a of texts) {{ \
                     if (a.r.left < box.left - 1 || a.r.right > box.right + 1 || \
                         a.r.top < box.top - 1 || a.r.bottom > box.bottom + 1) \
                       out.push(name + ': \"' + a.t + '\" leaves the chart'); \
                     if (a.px < {min_px}) out.push(name + ': \"' + a.t + '\" is ' + a.px.toFixed(1) + ' px'); \
                   }} \
                   for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {{ \
                     const a = texts[i].r, b = texts[j].r; \
                     const w = Math.min(a.right, b.right) - Math.max(a.left, b.left); \
                     const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top); \
                     if (w > 1 && h > 1) out.push(name + ': \"' + texts[i].t + '\" overlaps \"' + texts[j].t + '\"'); \
                   }} \
                 }} \
                 return out; }})()"
            ))
            .await;
        assert_eq!(problems, json!([]), "{page}: chart text");
    }

    /// The page printed to PDF on A4 with default margins, as Chromium prints it.
    pub async fn print_pdf_a4(&self) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        let config = fantoccini::wd::PrintConfiguration::builder()
            .build()
            .map_err(|e| e.to_string())?;
        Ok(self.client.print(config).await?)
    }

    /// Keeps the current page as the server sends it (fetched again with the page's own
    /// cookies), to be checked by the Nu Html Checker when the browser closes.
    pub async fn keep_served(&self, page: &str) {
        let html = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch(location.href, { credentials: 'same-origin' })
                    .then(r => r.text()).then(done).catch(e => done('fetch failed: ' + e));",
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("cannot fetch {page} again: {e}"));
        let html = html.as_str().unwrap_or_default().to_owned();
        if let Ok(mut served) = self.served.lock() {
            served.push((page.to_owned(), html));
        }
    }

    /// The pages kept so far, taken out (the check runs once).
    fn take_served(&self) -> Vec<(String, String)> {
        self.served
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default()
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        super::vnu::assert_valid(&self.take_served());
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        // A test that ends without close() still has its pages checked (unless it failed).
        if !std::thread::panicking() {
            super::vnu::assert_valid(&self.take_served());
        }
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}
